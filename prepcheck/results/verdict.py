"""The verdict rule, one for every command and output.

CUMPLE (``pass``): every applicable required check was measured and passes. NO CUMPLE
(``fail``): a required check fails or could not be verified (``error``). INCOMPLETO
(``incomplete``): no required failure, but required checks are not measured yet (``skipped``).
Advisory checks never change the verdict; ``not_applicable`` checks do not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from prepcheck.results.status import EXIT_BY_VERDICT, Status, Verdict

_FAILING = {Status.FAIL.value, Status.ERROR.value}


def verdict(records: Iterable[Mapping[str, Any]]) -> Verdict:
    """The verdict of a difusor's records (see the module docstring)."""
    required = [r for r in records if r["severity"] == "required"]
    if any(r["status"] in _FAILING for r in required):
        return Verdict.FAIL
    if any(r["status"] == Status.SKIPPED for r in required):
        return Verdict.INCOMPLETE
    return Verdict.PASS


def pending(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The required records not measured yet (what keeps a difusor INCOMPLETO)."""
    return [r for r in records if r["severity"] == "required" and r["status"] == Status.SKIPPED]


def failing(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The required records that fail or could not be verified (what makes NO CUMPLE)."""
    return [r for r in records if r["severity"] == "required" and r["status"] in _FAILING]


def worst(verdicts: Sequence[Verdict]) -> Verdict:
    """The verdict of several difusores together: any fail, else any incomplete, else pass."""
    for candidate in (Verdict.FAIL, Verdict.INCOMPLETE):
        if candidate in verdicts:
            return candidate
    return Verdict.PASS


def exit_code(verdicts: Sequence[Verdict]) -> int:
    """The exit code of a command that produced these verdicts (0, 1 or 3)."""
    return EXIT_BY_VERDICT[worst(verdicts)]
