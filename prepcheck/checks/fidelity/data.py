"""Evaluator for ``render.data-matches-package``: figures shown equal the package's values.

Contract: pure functions; a figure matches when the shown number equals the package value
(percentages may be shown with fewer decimals, rounded or truncated); a figure not shown is a
mismatch; no page with figures, or an unopened page, is an error result.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from prepcheck.checks.fidelity.pages import pair_label
from prepcheck.checks.registry import check
from prepcheck.formats.figures import Figure
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.pages import PagePair

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
        where = ", ".join(pair_label(pair) for pair in unopened)
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


@check("render.data-matches-package")
def data_matches_package(seen: Observer) -> CheckResult:
    return evaluate_data(seen.render().pairs)
