"""Evaluators for render.* and freshness.corte-displayed: pure functions from page shots to
CheckResults (no browser, no network; the comparator runs here on the captured PNGs).

Each evaluator takes a ``check`` id so that ``render.embedded`` can run the same evaluation on
the pages inside the portal's frame and report under its own id.

The evaluators are split by job: :mod:`~prepcheck.checks.fidelity.pages` (pixel comparison
with the reference), :mod:`~prepcheck.checks.fidelity.data` (figures shown) and
:mod:`~prepcheck.checks.fidelity.corte` (the corte shown). This module keeps the public surface,
``render.no-console-errors`` and ``render.embedded`` (which combines the three).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prepcheck.checks.fidelity.corte import corte_equal, evaluate_corte_displayed
from prepcheck.checks.fidelity.data import evaluate_data, figure_matches, shown_value
from prepcheck.checks.fidelity.pages import (
    IMAGE_WIDTH,
    MAX_PAGES_WITH_IMAGES,
    PageComparison,
    compare_pair,
    evaluate_pages_match,
)
from prepcheck.config import RenderSettings
from prepcheck.results import CheckResult, Status, error, not_applicable, outcome
from prepcheck.snapshots.pages import EmbeddedShots, PagePair, PageShot

__all__ = [
    "IMAGE_WIDTH",
    "MAX_PAGES_WITH_IMAGES",
    "PageComparison",
    "compare_pair",
    "corte_equal",
    "evaluate_console",
    "evaluate_corte_displayed",
    "evaluate_data",
    "evaluate_embedded",
    "evaluate_pages_match",
    "figure_matches",
    "shown_value",
]


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
    ``embed_url`` not set (not_applicable: no portal embeds the pages); the portal cannot be
    opened (error); no frame with the PREP pages (fail: embed the official pages in an
    iframe); the frame differs from the reference, shows other figures or another corte than
    the official one (fail, naming which: embed the official pages, unchanged and current);
    all pass (pass).
    """
    check = "render.embedded"
    if embed_url is None:
        return not_applicable(
            check, "No aplica: el difusor no declara un portal que embeba las páginas (embed_url)."
        )
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
