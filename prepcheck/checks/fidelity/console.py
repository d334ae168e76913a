"""Evaluator for ``render.no-console-errors``: no JavaScript errors nor failed sub-requests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.pages import PageShot


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


@check("render.no-console-errors")
def no_console_errors(seen: Observer) -> CheckResult:
    return evaluate_console([pair.actual for pair in seen.render().pairs])
