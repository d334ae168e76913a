"""Evaluator for ``render.pages-match-reference``: page shots compared with the reference.

Contract: pure functions (the pixel comparator runs here on the captured PNGs; no browser,
no network). A page passes when its mismatch is within the configured tolerances; failing
pages carry reference, difusor and diff images (scaled to :data:`IMAGE_WIDTH`, at most
:data:`MAX_PAGES_WITH_IMAGES` pages); a missing reference or unopened page is an error result.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from prepcheck.checks.fidelity.imaging import (
    RGBA,
    CompareOptions,
    Comparison,
    compare,
    encode_png,
    load_rgba,
)
from prepcheck.checks.fidelity.imaging import passes as within_tolerance
from prepcheck.checks.registry import check
from prepcheck.config import RenderSettings
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.pages import PagePair
from prepcheck.spanish import agreeing, counted

#: Report images are scaled down to this width; at most this many failing pages carry images.
IMAGE_WIDTH = 480
#: Rows of a page drawn in the report's images (the verdict looks at the whole capture).
IMAGE_MAX_ROWS = 4096
MAX_PAGES_WITH_IMAGES = 4
_PAD = (255, 0, 255, 255)  # fills the missing part of the smaller image in a size-mismatch diff


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
        if self.pair.actual.http_status is not None:
            found["estado_http"] = self.pair.actual.http_status
        if self.pair.actual.error_detail:
            found["detalle_tecnico"] = self.pair.actual.error_detail
        found.update(
            capturas_difusor=self.pair.actual.shots,
            capturas_referencia=self.pair.reference.shots,
            estable=self.pair.actual.stable and self.pair.reference.stable,
        )
        return found


def compare_pair(pair: PagePair, settings: RenderSettings) -> PageComparison:
    """Compare one pair within the configured tolerances (see ``RenderSettings``)."""
    actual, reference = pair.actual, pair.reference
    if actual.png is None:  # the difusor's problem: never worded as the reference's
        return PageComparison(pair, None, False, f"sin captura: {actual.error}")
    if reference.png is None:
        return PageComparison(pair, None, False, f"sin referencia: {reference.error}")
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
    if actual.note is not None:
        note += f"; {actual.note}"
    if actual.http_status is not None and actual.http_status >= 400:
        passed = False  # an error page is a finding even if it looked like the reference
    return PageComparison(pair, cmp, passed, note)


def evaluate_pages_match(
    pairs: Sequence[PagePair],
    settings: RenderSettings,
    check: str = "render.pages-match-reference",
) -> CheckResult:
    """``render.pages-match-reference``: every page × viewport matches the reference rendering.

    Outcomes: no pages observed (error: fix the configuration or the browser); the reference
    could not be rendered (error: the official package or the harness, not the difusor); a page
    of the difusor answered 4xx/5xx (fail, at once: serve the election folder's pages); a page
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
    refused = [r for r in results if _error_status(r.pair)]
    unopened = [r for r in results if r.pair.actual.png is None and not _error_status(r.pair)]
    captured = [r for r in results if r.pair.actual.png is not None]
    no_reference = [r for r in captured if r.pair.reference.png is None]
    if no_reference and not refused:
        note = no_reference[0].note
        return error(check, f"No se pudo renderizar la referencia oficial: {note}", **evidence)
    failed = [r for r in captured if not r.passed] + [
        r for r in refused if r.pair.actual.png is None
    ]
    if failed:
        with_images = [r for r in failed if _drawable(r.pair)]
        evidence["imagenes"] = _images(with_images[:MAX_PAGES_WITH_IMAGES], settings)
        listed = "; ".join(f"{pair_label(r.pair)}: {r.note}" for r in failed)
        return outcome(
            check,
            False,
            f"{len(failed)} de {counted(len(results), 'página')} "
            f"{agreeing(len(failed), 'difiere', 'difieren')} de la referencia: {listed}",
            **evidence,
        )
    if unopened:
        listed = "; ".join(f"{pair_label(r.pair)}: {r.note}" for r in unopened)
        could = agreeing(len(unopened), "No se pudo abrir", "No se pudieron abrir")
        return error(check, f"{could} {counted(len(unopened), 'página')}: {listed}", **evidence)
    matching = agreeing(len(results), "La página coincide", f"Las {len(results)} páginas coinciden")
    return outcome(check, True, f"{matching} con la referencia oficial", **evidence)


def _error_status(pair: PagePair) -> bool:
    status = pair.actual.http_status
    return status is not None and status >= 400


def _drawable(pair: PagePair) -> bool:
    return pair.actual.png is not None and pair.reference.png is not None


def _tolerance(settings: RenderSettings) -> dict[str, Any]:
    return {
        "max_diff_pixels": settings.max_diff_pixels,
        "max_diff_ratio": settings.max_diff_ratio,
        "threshold": settings.threshold,
        "mascaras": list(settings.masks),
    }


def pair_label(pair: PagePair) -> str:
    """``page (viewport)``: how messages name one observed page."""
    return f"{pair.page} ({pair.viewport})"


def _images(results: Iterable[PageComparison], settings: RenderSettings) -> list[dict[str, str]]:
    """Reference, difusor and diff images (scaled down) for the report.

    Only the top ``IMAGE_MAX_ROWS`` rows are drawn; when the sizes differ the diff only
    illustrates, so it is drawn on images already scaled to ``IMAGE_WIDTH`` (a 4000 × 16384
    page against the reference would otherwise cost gigabytes of comparison arrays)."""
    images: list[dict[str, str]] = []
    options = CompareOptions(threshold=settings.threshold, include_aa=settings.include_aa)
    for result in results:
        assert result.pair.reference.png is not None and result.pair.actual.png is not None
        expected = load_rgba(result.pair.reference.png)[:IMAGE_MAX_ROWS]
        actual = load_rgba(result.pair.actual.png)[:IMAGE_MAX_ROWS]
        if expected.shape != actual.shape:
            expected, actual = _same_size(_narrowed(expected), _narrowed(actual))
        diff = compare(expected, actual, options).diff
        where = pair_label(result.pair)
        for label, image in (("referencia", expected), ("difusor", actual), ("diferencias", diff)):
            if image is not None:
                png = encode_png(image, max_width=IMAGE_WIDTH)
                images.append(
                    {"nombre": f"{where} — {label}", "png_base64": base64.b64encode(png).decode()}
                )
    return images


def _narrowed(image: RGBA) -> RGBA:
    """``image`` scaled down to ``IMAGE_WIDTH`` (aspect kept); unchanged when narrower."""
    if image.shape[1] <= IMAGE_WIDTH:
        return image
    return load_rgba(encode_png(image, max_width=IMAGE_WIDTH))


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


@check("render.pages-match-reference")
def pages_match_reference(seen: Observer) -> CheckResult:
    return evaluate_pages_match(seen.render().pairs, seen.difusor.render)
