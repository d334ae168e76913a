"""Evaluator for ``render.no-console-errors``: no JavaScript errors nor failed sub-requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.pages import PageShot
from prepcheck.spanish import agreeing, counted


def evaluate_console(
    shots: Sequence[PageShot], check: str = "render.no-console-errors"
) -> CheckResult:
    """``render.no-console-errors`` (advisory): no JS errors or failed sub-requests.

    Outcomes: no page could be opened (error); some page logged problems (warn, listing them:
    fix the scripts and publish every file of the package); none (pass).
    """
    opened = [shot for shot in shots if shot.png is not None]
    if not opened:
        reason = next((shot.error for shot in shots if shot.error), None)
        suffix = f": {reason}" if reason else ""
        return error(check, f"No se pudo abrir ninguna página{suffix}")
    found = {f"{shot.url} ({shot.viewport})": _listed(shot) for shot in opened if shot.problems}
    evidence: dict[str, Any] = {"paginas_revisadas": len(opened), "problemas": found}
    if found:
        total = sum(len(shot.problems) + shot.problems_omitted for shot in opened)
        more = " o más" if any(shot.console_cut for shot in opened) else ""
        first = next(iter(found.values()))[0]
        return outcome(
            check,
            False,
            f"{total}{more} {agreeing(total, ONE_PROBLEM, PROBLEMS)} "
            f"en {counted(len(found), 'página')}; "
            f"p. ej. {first}",
            **evidence,
        )
    shown = agreeing(len(opened), "página renderizada", "páginas renderizadas")
    return outcome(check, True, f"Sin errores en {len(opened)} {shown}", **evidence)


def _listed(shot: PageShot) -> list[str]:
    """The problems a page logged, with lines for those not kept (a flood is cut)."""
    listed = list(shot.problems)
    if shot.problems_omitted:
        listed.append(f"… y {shot.problems_omitted:,} más (no se listan)")
    if shot.console_cut:
        listed.append("… y la consola siguió escribiendo errores (no se contaron más)")
    return listed


ONE_PROBLEM = "error de consola o recurso fallido"
PROBLEMS = "errores de consola o recursos fallidos"


@check("render.no-console-errors")
def no_console_errors(seen: Observer) -> CheckResult:
    return evaluate_console([pair.actual for pair in seen.render().pairs])
