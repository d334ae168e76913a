"""Evaluators for render.* and freshness.corte-displayed: pure functions from page shots to
CheckResults (no browser, no network; the comparator runs here on the captured PNGs).

Each evaluator takes a ``check`` id so that ``render.embedded`` can run the same evaluation on
the pages inside the portal's frame and report under its own id.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

import numpy as np

from prepcheck.config import RenderSettings
from prepcheck.imaging import RGBA, CompareOptions, Comparison, compare, encode_png, load_rgba
from prepcheck.imaging import passes as within_tolerance
from prepcheck.probes.render import EmbeddedShots, PageShot
from prepcheck.render.figures import Figure
from prepcheck.render.observe import PagePair
from prepcheck.results import CheckResult, Status, error, outcome, skipped

#: Report images are scaled down to this width; at most this many failing pages carry images.
IMAGE_WIDTH = 480
MAX_PAGES_WITH_IMAGES = 4
_PAD = (255, 0, 255, 255)  # fills the missing part of the smaller image in a size-mismatch diff
_CORTE = re.compile(
    r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\D{1,12}?(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?:[^()\d]{0,8}\(?\s*(?:UTC|GMT)\s*(?P<sign>[+\-−])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)?",
    re.IGNORECASE,
)


# -- render.pages-match-reference -----------------------------------------------------------


@dataclass(frozen=True)
class PageComparison:
    """One page at one viewport compared with its reference rendering."""

    pair: PagePair
    comparison: Comparison | None
    passed: bool
    note: str

    def evidence(self) -> dict[str, Any]:
        cmp = self.comparison
        found: dict[str, Any] = {
            "pagina": self.pair.page,
            "vista": self.pair.viewport,
            "url": self.pair.actual.url,
            "cumple": self.passed,
            "nota": self.note,
        }
        if cmp is not None:
            found.update(
                pixeles_distintos=cmp.mismatched,
                pixeles_totales=cmp.total,
                proporcion=round(cmp.ratio, 6),
            )
        found.update(
            capturas_difusor=self.pair.actual.shots,
            capturas_referencia=self.pair.reference.shots,
            estable=self.pair.actual.stable and self.pair.reference.stable,
        )
        return found


def compare_pair(pair: PagePair, settings: RenderSettings) -> PageComparison:
    """Compare one pair within the configured tolerances (see ``RenderSettings``)."""
    actual, reference = pair.actual, pair.reference
    if reference.png is None:
        return PageComparison(pair, None, False, f"sin referencia: {reference.error}")
    if actual.png is None:
        return PageComparison(pair, None, False, f"sin captura: {actual.error}")
    options = CompareOptions(threshold=settings.threshold, include_aa=settings.include_aa)
    cmp = compare(load_rgba(reference.png), load_rgba(actual.png), options, want_diff=False)
    passed = within_tolerance(
        cmp, max_diff_pixels=settings.max_diff_pixels, max_diff_ratio=settings.max_diff_ratio
    )
    if cmp.size_mismatch is not None:
        note = cmp.size_mismatch
    else:
        note = f"{cmp.mismatched} píxeles distintos ({cmp.ratio:.4%})"
    if actual.error is not None:
        note += f"; {actual.error}"
    return PageComparison(pair, cmp, passed, note)


def evaluate_pages_match(
    pairs: Sequence[PagePair],
    settings: RenderSettings,
    check: str = "render.pages-match-reference",
) -> CheckResult:
    """``render.pages-match-reference``: every page × viewport matches the reference rendering.

    Outcomes: no pages observed (error: fix the configuration or the browser); the reference
    could not be rendered (error: the official package or the harness, not the difusor); a page
    of the difusor could not be opened at all (error: make it reachable); some page differs
    beyond ``max_diff_pixels``/``max_diff_ratio`` or has another size (fail, with reference,
    difusor and diff images: publish the site unchanged, no added elements or styles); all
    match (pass).
    """
    if not pairs:
        return error(check, "No se observó ninguna página (revise la configuración)")
    results = [compare_pair(pair, settings) for pair in pairs]
    evidence: dict[str, Any] = {"paginas": [r.evidence() for r in results]}
    evidence["tolerancia"] = _tolerance(settings)
    unopened = [r for r in results if r.pair.actual.png is None]
    captured = [r for r in results if r.pair.actual.png is not None]
    no_reference = [r for r in captured if r.pair.reference.png is None]
    if no_reference:
        note = no_reference[0].note
        return error(check, f"No se pudo renderizar la referencia oficial: {note}", **evidence)
    failed = [r for r in captured if not r.passed]
    if failed:
        evidence["imagenes"] = _images(failed[:MAX_PAGES_WITH_IMAGES], settings)
        listed = "; ".join(f"{_where(r.pair)}: {r.note}" for r in failed)
        return outcome(
            check,
            False,
            f"{len(failed)} de {len(results)} páginas difieren de la referencia: {listed}",
            **evidence,
        )
    if unopened:
        listed = "; ".join(f"{_where(r.pair)}: {r.note}" for r in unopened)
        return error(check, f"No se pudieron abrir {len(unopened)} páginas: {listed}", **evidence)
    return outcome(
        check, True, f"Las {len(results)} páginas coinciden con la referencia oficial", **evidence
    )


def _tolerance(settings: RenderSettings) -> dict[str, Any]:
    return {
        "max_diff_pixels": settings.max_diff_pixels,
        "max_diff_ratio": settings.max_diff_ratio,
        "threshold": settings.threshold,
        "mascaras": list(settings.masks),
    }


def _where(pair: PagePair) -> str:
    return f"{pair.page} ({pair.viewport})"


def _images(results: Iterable[PageComparison], settings: RenderSettings) -> list[dict[str, str]]:
    """Reference, difusor and diff images (scaled down) for the report."""
    images: list[dict[str, str]] = []
    options = CompareOptions(threshold=settings.threshold, include_aa=settings.include_aa)
    for result in results:
        assert result.pair.reference.png is not None and result.pair.actual.png is not None
        expected, actual = load_rgba(result.pair.reference.png), load_rgba(result.pair.actual.png)
        expected, actual = _same_size(expected, actual)
        diff = compare(expected, actual, options).diff
        where = _where(result.pair)
        for label, image in (("referencia", expected), ("difusor", actual), ("diferencias", diff)):
            if image is not None:
                png = encode_png(image, max_width=IMAGE_WIDTH)
                images.append(
                    {"nombre": f"{where} — {label}", "png_base64": base64.b64encode(png).decode()}
                )
    return images


def _same_size(first: RGBA, second: RGBA) -> tuple[RGBA, RGBA]:
    """Both images padded to the larger size (only to draw a diff of a size mismatch)."""
    height = max(first.shape[0], second.shape[0])
    width = max(first.shape[1], second.shape[1])
    return _pad(first, height, width), _pad(second, height, width)


def _pad(image: RGBA, height: int, width: int) -> RGBA:
    if image.shape[:2] == (height, width):
        return image
    out = np.empty((height, width, 4), dtype=np.uint8)
    out[:] = _PAD
    out[: image.shape[0], : image.shape[1]] = image
    return out


# -- render.data-matches-package -------------------------------------------------------------


def shown_value(text: str | None, kind: str) -> Decimal | None:
    """The number a figure's text shows (``"1,234"``, ``"51.8159 %"``), or None."""
    if text is None:
        return None
    cleaned = text.replace("\u00a0", " ").replace("%", "").replace(",", "").replace(" ", "")
    if kind == "count" and not cleaned.lstrip("-").isdigit():
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def figure_matches(figure: Figure, text: str | None) -> bool:
    """Whether ``text`` shows ``figure``'s value; percentages may be shown with fewer decimals
    (rounded or truncated)."""
    shown = shown_value(text, figure.kind)
    expected = shown_value(figure.value, figure.kind)
    if shown is None or expected is None:
        return False
    if shown == expected:
        return True
    exponent = shown.as_tuple().exponent
    if figure.kind != "percent" or not isinstance(exponent, int) or exponent >= 0:
        return False
    step = Decimal(1).scaleb(exponent)
    return shown in (expected.quantize(step), expected.quantize(step, rounding=ROUND_DOWN))


def evaluate_data(
    pairs: Sequence[PagePair], check: str = "render.data-matches-package"
) -> CheckResult:
    """``render.data-matches-package``: every figure shown equals the official package's value.

    Outcomes: no configured page shows figures (error: configure results pages); a page could
    not be opened (error); a figure differs from the package or is not shown (fail, naming the
    page, the figure, the package value and the shown text: publish the package's data
    unmodified); all equal (pass).
    """
    with_figures = [pair for pair in pairs if pair.figures]
    if not with_figures:
        return error(check, "Ninguna página configurada muestra cifras que comparar")
    unopened = [pair for pair in with_figures if pair.actual.png is None]
    wrong: list[dict[str, Any]] = []
    checked = 0
    for pair in with_figures:
        if pair.actual.png is None:
            continue
        for figure in pair.figures:
            checked += 1
            text = pair.actual.texts.get(figure.key)
            if not figure_matches(figure, text):
                wrong.append(_wrong_figure(pair, figure, text))
    evidence: dict[str, Any] = {"cifras_revisadas": checked, "distintas": wrong[:50]}
    if wrong:
        first = wrong[0]
        return outcome(
            check,
            False,
            f"{len(wrong)} cifras mostradas difieren del paquete oficial; p. ej. "
            f"{first['cifra']} en {first['pagina']} ({first['vista']}): muestra "
            f"{first['mostrado']!r}, el paquete dice {first['paquete']!r} ({first['fuente']})",
            **evidence,
        )
    if unopened:
        where = ", ".join(_where(pair) for pair in unopened)
        return error(check, f"No se pudieron abrir las páginas {where}", **evidence)
    return outcome(
        check, True, f"Las {checked} cifras mostradas coinciden con el paquete oficial", **evidence
    )


def _wrong_figure(pair: PagePair, figure: Figure, text: str | None) -> dict[str, Any]:
    return {
        "pagina": pair.page,
        "vista": pair.viewport,
        "cifra": figure.key,
        "paquete": figure.value,
        "mostrado": "(no se muestra)" if text is None else text,
        "fuente": figure.source,
        "selector": figure.selector,
    }


# -- freshness.corte-displayed ---------------------------------------------------------------


def parse_corte(text: str) -> datetime | None:
    """The date and time in ``text`` (``06/06/2021 21:15 (UTC-5)``); aware when an offset is
    shown, naive (local election time) otherwise."""
    match = _CORTE.search(text)
    if match is None:
        return None
    try:
        moment = datetime(
            int(match["y"]), int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"])
        )
    except ValueError:
        return None
    if match["sign"] is None:
        return moment
    sign = 1 if match["sign"] == "+" else -1
    offset = timedelta(hours=int(match["oh"]), minutes=int(match["om"] or 0))
    return moment.replace(tzinfo=timezone(sign * offset))


def _shown_corte(shot: PageShot) -> str | None:
    """The corte text a citizen sees: the configured element if visible, else a visible line
    of the page that carries a date (one mentioning "corte" first)."""
    corte = shot.corte or {}
    if corte.get("visible") and corte.get("texto") and _CORTE.search(corte["texto"]):
        return str(corte["texto"])
    lines = [str(line) for line in corte.get("lineas", [])]
    ranked = [line for line in lines if "corte" in line.lower()] + lines
    return ranked[0] if ranked else None


def corte_equal(shown: datetime, expected: datetime) -> bool:
    """Same instant when an offset is shown, same local wall time otherwise (minute precision)."""
    expected = expected.replace(second=0, microsecond=0)
    if shown.tzinfo is not None and expected.tzinfo is not None:
        return shown == expected
    return shown.replace(tzinfo=None) == expected.replace(tzinfo=None)


def evaluate_corte_displayed(
    shots: Sequence[PageShot],
    expected_iso: str | None,
    source: str,
    check: str = "freshness.corte-displayed",
) -> CheckResult:
    """``freshness.corte-displayed``: every page shows main.json's corte date and time.

    Outcomes: the expected corte is unknown (error: ``source`` unreadable); no page could be
    opened (error); some page does not show a corte, or shows another (fail: never hide or edit
    the corte, and publish the package's main.json with its site); all show it (pass).
    """
    try:
        expected = datetime.fromisoformat(expected_iso) if expected_iso else None
    except ValueError:
        expected = None
    if expected is None:
        return error(check, f"No se conoce el corte esperado ({source}: {expected_iso!r})")
    opened = [shot for shot in shots if shot.png is not None]
    if not opened:
        return error(check, "No se pudo abrir ninguna página para leer el corte")
    rows, bad = [], []
    for shot in opened:
        text = _shown_corte(shot)
        shown = parse_corte(text) if text else None
        fine = shown is not None and corte_equal(shown, expected)
        row = {"url": shot.url, "vista": shot.viewport, "muestra": text, "cumple": fine}
        rows.append(row)
        if not fine:
            bad.append(row)
    evidence = {"corte_esperado": expected.isoformat(), "fuente": source, "paginas": rows}
    if bad:
        first = bad[0]
        shown_text = "no muestra el corte" if first["muestra"] is None else first["muestra"]
        return outcome(
            check,
            False,
            f"{len(bad)} de {len(rows)} páginas no muestran el corte {expected:%d/%m/%Y %H:%M} "
            f"({source}); p. ej. {first['url']} ({first['vista']}): {shown_text}",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"Las {len(rows)} páginas muestran el corte {expected:%d/%m/%Y %H:%M} de {source}",
        **evidence,
    )


# -- render.no-console-errors ----------------------------------------------------------------


def evaluate_console(
    shots: Sequence[PageShot], check: str = "render.no-console-errors"
) -> CheckResult:
    """``render.no-console-errors`` (advisory): no JS errors or failed sub-requests.

    Outcomes: no page could be opened (error); some page logged problems (warn, listing them:
    fix the scripts and publish every file of the package); none (pass).
    """
    opened = [shot for shot in shots if shot.png is not None]
    if not opened:
        return error(check, "No se pudo abrir ninguna página")
    found = {f"{shot.url} ({shot.viewport})": shot.problems for shot in opened if shot.problems}
    evidence: dict[str, Any] = {"paginas_revisadas": len(opened), "problemas": found}
    if found:
        total = sum(len(problems) for problems in found.values())
        first = next(iter(found.values()))[0]
        return outcome(
            check,
            False,
            f"{total} errores de consola o recursos fallidos en {len(found)} páginas; "
            f"p. ej. {first}",
            **evidence,
        )
    return outcome(check, True, f"Sin errores en {len(opened)} páginas renderizadas", **evidence)


# -- render.embedded -------------------------------------------------------------------------


def evaluate_embedded(
    embed_url: str | None,
    embedded: EmbeddedShots | None,
    pairs: Sequence[PagePair],
    settings: RenderSettings,
    official_corte_iso: str | None,
) -> CheckResult:
    """``render.embedded``: the PREP frame of the portal passes the page, data and corte checks.

    The portal around the frame is the difusor's own business and is not compared. Outcomes:
    ``embed_url`` not set (skipped, "no configurado"); the portal cannot be opened (error);
    no frame with the PREP pages (fail: embed the official pages in an iframe); the frame
    differs from the reference, shows other figures or another corte than the official one
    (fail, naming which: embed the official pages, unchanged and current); all pass (pass).
    """
    check = "render.embedded"
    if embed_url is None:
        return skipped(check, "no configurado (difusor.embed_url)")
    if embedded is None:
        return error(check, "No se observó el portal")
    evidence: dict[str, Any] = {"portal": embed_url, "iframe": embedded.frame_url}
    if embedded.error is not None and embedded.frame_url is None:
        if embedded.error.startswith("no se pudo abrir"):
            return error(check, f"No se pudo abrir el portal: {embedded.error}", **evidence)
        return outcome(check, False, f"Portal {embed_url}: {embedded.error}", **evidence)
    parts = {
        "paginas": evaluate_pages_match(pairs, settings, check),
        "cifras": evaluate_data(pairs, check),
        "corte": evaluate_corte_displayed(
            [pair.actual for pair in pairs], official_corte_iso, "el paquete oficial", check
        ),
    }
    return _combine(check, parts, evidence)


def _combine(check: str, parts: dict[str, CheckResult], evidence: dict[str, Any]) -> CheckResult:
    images: list[dict[str, str]] = []
    for name, part in parts.items():
        found = dict(part.evidence)
        images += found.pop("imagenes", [])
        evidence[name] = {"resultado": str(part.status), "mensaje": part.message, **found}
    if images:
        evidence["imagenes"] = images
    failed = [f"{name}: {p.message}" for name, p in parts.items() if p.status is Status.FAIL]
    if failed:
        message = "El iframe del portal no es fiel — " + " | ".join(failed)
        return outcome(check, False, message, **evidence)
    errors = [f"{name}: {p.message}" for name, p in parts.items() if p.status is Status.ERROR]
    if errors:
        return error(check, "No se pudo verificar el iframe — " + " | ".join(errors), **evidence)
    return outcome(
        check,
        True,
        "El iframe del portal muestra las páginas oficiales, sus cifras y el corte vigente",
        **evidence,
    )
