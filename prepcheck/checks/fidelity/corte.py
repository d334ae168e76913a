"""Evaluator for ``freshness.corte-displayed``: every page shows main.json's corte.

Contract: pure functions; the shown text is read by ``formats.corte.corte_in_text`` (aware
when an offset is shown, naive local time otherwise); :func:`corte_equal` compares at
minute precision (same instant with offsets, same wall time without); an unknown expected
corte or no opened page is an error result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prepcheck.checks.registry import check
from prepcheck.formats.corte import CORTE_PATTERN, corte_from_main_json, corte_in_text
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.pages import PageShot
from prepcheck.snapshots.text import clean_text
from prepcheck.spanish import agreeing, counted, status_phrase

# -- freshness.corte-displayed ---------------------------------------------------------------


def _shown_corte(shot: PageShot) -> str | None:
    """The corte text a citizen sees: the configured element if visible, else a visible line
    of the page that carries a date (one mentioning "corte" first)."""
    corte = shot.corte or {}
    if corte.get("visible") and corte.get("texto") and CORTE_PATTERN.search(corte["texto"]):
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
        if expected_iso:
            given = clean_text(expected_iso, 100)
            return error(check, f"No se conoce el corte esperado: {source} dice «{given}»")
        return error(check, f"No se conoce el corte esperado: {source}")
    opened = [shot for shot in shots if shot.png is not None]
    if not opened:
        return error(check, "No se pudo abrir ninguna página para leer el corte")
    rows, bad = [], []
    for shot in opened:
        text = _shown_corte(shot)
        shown = corte_in_text(text) if text else None
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
            f"{len(bad)} de {counted(len(rows), 'página')} no "
            f"{agreeing(len(bad), 'muestra', 'muestran')} el corte {expected:%d/%m/%Y %H:%M} "
            f"({source}); p. ej. {first['url']} ({first['vista']}): {shown_text}",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"{agreeing(len(rows), 'La página muestra', f'Las {len(rows)} páginas muestran')} "
        f"el corte {expected:%d/%m/%Y %H:%M} {_of(source)}",
        **evidence,
    )


@check("freshness.corte-displayed")
def corte_displayed(seen: Observer) -> CheckResult:
    shots = [pair.actual for pair in seen.render().pairs]
    expected, source = _served_corte(seen)
    return evaluate_corte_displayed(shots, expected, source)


def _served_corte(seen: Observer) -> tuple[str | None, str]:
    """main.json's corte as the difusor serves it (ISO), and where it was read."""
    snapshot = seen.get(seen.main_json_url)
    source = f"main.json del difusor ({clean_text(seen.main_json_url, 200)})"
    if not snapshot.ok or snapshot.status != 200:
        reason = snapshot.error or f"respondió {status_phrase(snapshot.status or 0)}"
        return None, f"{source}: {reason}"
    try:
        return corte_from_main_json(snapshot.body, seen.election.tz).isoformat(), source
    except ValueError as exc:
        return None, f"{source}: {exc}"


def _of(source: str) -> str:
    """«de» before ``source``, contracted before a masculine article («del paquete oficial»)."""
    return f"del {source[3:]}" if source.startswith("el ") else f"de {source}"
