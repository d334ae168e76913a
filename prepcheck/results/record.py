"""``CheckResult``: one check's outcome for one difusor, and its results.json record.

Contract: evaluators build results only through :func:`outcome`, :func:`error`,
:func:`skipped` and :func:`not_applicable`; severity, clause, title and the generic fix come
from the catalogue, so a record is self-describing (a report rendered years later needs no
code of the day). ``fix`` overrides the catalogue's hint when the evaluator knows the cause.
``artifacts`` are files next to results.json, named by a path relative to its folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prepcheck.catalogue import GROUP_TITLES, Severity, spec
from prepcheck.results.status import Status


@dataclass(frozen=True)
class Artifact:
    """A file that documents a result (a chart, Locust's CSV), relative to results.json."""

    label: str
    path: str
    kind: str = "file"

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "path": self.path, "kind": self.kind}


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome. Build it with ``outcome``/``error``/``skipped``/``not_applicable``."""

    id: str
    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    fix: str | None = None
    artifacts: Sequence[Artifact] = ()
    measured_at: str | None = None

    @property
    def severity(self) -> Severity:
        return spec(self.id).severity

    @property
    def clause(self) -> str:
        return spec(self.id).clause

    def with_fix(self, fix: str) -> CheckResult:
        """This result with a fix specific to what was observed."""
        return _replace(self, fix=fix)

    def with_artifacts(self, *artifacts: Artifact) -> CheckResult:
        return _replace(self, artifacts=(*self.artifacts, *artifacts))

    def to_record(self) -> dict[str, Any]:
        """The results.json record of this result (see ``results.schema.json``)."""
        check = spec(self.id)
        measured = self.status not in (Status.SKIPPED, Status.NOT_APPLICABLE)
        return {
            "id": check.id,
            "status": str(self.status),
            "severity": str(check.severity),
            "clause": check.clause,
            "title": check.title,
            "group": check.group,
            "group_title": GROUP_TITLES[check.group],
            "measured_by": check.measured_by,
            "command": check.command,
            "message": self.message,
            "fix": self.fix or check.fix,
            "measured_at": (self.measured_at or now_iso()) if measured else None,
            "evidence": dict(self.evidence),
            "artifacts": [artifact.to_json() for artifact in self.artifacts],
        }


def _replace(result: CheckResult, **changes: Any) -> CheckResult:
    fields = {
        "id": result.id,
        "status": result.status,
        "message": result.message,
        "evidence": result.evidence,
        "fix": result.fix,
        "artifacts": result.artifacts,
        "measured_at": result.measured_at,
    }
    return CheckResult(**{**fields, **changes})


def now_iso() -> str:
    """Now, in UTC, ISO 8601 to the second (how every document stores moments)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def outcome(check_id: str, passed: bool, message: str, **evidence: Any) -> CheckResult:
    """A pass, or a fail (required check) / warn (advisory check), for ``check_id``."""
    if passed:
        status = Status.PASS
    elif spec(check_id).severity is Severity.REQUIRED:
        status = Status.FAIL
    else:
        status = Status.WARN
    return CheckResult(check_id, status, message, evidence)


def error(check_id: str, message: str, **evidence: Any) -> CheckResult:
    """An ``error`` result: the check could not be carried out (the message says why)."""
    return CheckResult(check_id, Status.ERROR, message, evidence)


def skipped(check_id: str, reason: str, **evidence: Any) -> CheckResult:
    """A ``skipped`` result: not measured (yet), with the reason and how to measure it."""
    return CheckResult(check_id, Status.SKIPPED, reason, evidence)


def not_applicable(check_id: str, reason: str, **evidence: Any) -> CheckResult:
    """A ``not_applicable`` result: the check does not apply to this difusor."""
    return CheckResult(check_id, Status.NOT_APPLICABLE, reason, evidence)
