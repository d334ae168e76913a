"""What changed for one check between two runs, in the words the board and reports use.

Contract (pure): a status is *failing* when it is ``fail``, ``error`` or ``warn`` (a failed
advisory check is still something to fix). :func:`change_label` gives «nuevo fallo» when a
check that was not failing now fails, «corregido» when a failing check now passes (or no longer
applies), «sigue fallando» when it failed both times, and None otherwise (no change worth
showing, or no earlier status).
"""

from __future__ import annotations

FAILING = frozenset({"fail", "error", "warn"})
NEW_FAILURE = "nuevo fallo"
FIXED = "corregido"
STILL_FAILING = "sigue fallando"
_RESOLVED = frozenset({"pass", "not_applicable"})


def is_failing(status: str) -> bool:
    return status in FAILING


def change_label(before: str | None, after: str) -> str | None:
    """The change from ``before`` to ``after`` (see the module contract)."""
    if before is None:
        return None
    if is_failing(after):
        return STILL_FAILING if is_failing(before) else NEW_FAILURE
    if is_failing(before) and after in _RESOLVED:
        return FIXED
    return None
