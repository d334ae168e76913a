"""The vocabulary every output shares: a check's status, a difusor's verdict, the exit codes.

Contract: a record's status is one of ``Status``; a document's verdict is one of ``Verdict``
and is derived from its records by :func:`prepcheck.results.verdict.verdict` only. Every
command maps what it produced to an exit code through :data:`EXIT_BY_VERDICT` and the other
``EXIT_*`` constants here; no other module defines exit codes.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Outcome of one check.

    ``error``: it could not be checked (never pass, never silently fail). ``skipped``: not
    measured (yet): not configured, or measured by another command; the record says which.
    ``not_applicable``: the check does not apply to this difusor (e.g. no portal to embed in).
    """

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"


class Verdict(StrEnum):
    """A difusor's verdict. ``incomplete``: no required failure, but required checks unmeasured."""

    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


STATUS_LABELS: dict[Status, str] = {
    Status.PASS: "Cumple",
    Status.FAIL: "No cumple",
    Status.WARN: "Advertencia",
    Status.ERROR: "No se pudo verificar",
    Status.SKIPPED: "No medida",
    Status.NOT_APPLICABLE: "No aplica",
}

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.PASS: "CUMPLE",
    Verdict.FAIL: "NO CUMPLE",
    Verdict.INCOMPLETE: "INCOMPLETO",
}

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130

EXIT_BY_VERDICT: dict[Verdict, int] = {
    Verdict.PASS: EXIT_OK,
    Verdict.FAIL: EXIT_FAILED,
    Verdict.INCOMPLETE: EXIT_INCOMPLETE,
}
