"""Check results and the versioned ``results.json`` document every report is rendered from.

Contract: ``results.json`` = ``{"schema": SCHEMA_ID, "difusor", "base_url", "started_at",
"finished_at", "verdict", "checks": [record, ...]}`` with one record per catalogue id:
``{"id", "status", "severity", "clause", "message", "evidence"}``. The JSON Schema is shipped as
``prepcheck/schema/results.schema.json``. The verdict is ``fail`` when any required check is
``fail`` or ``error``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from prepcheck.catalogue import CATALOGUE, Severity, spec

SCHEMA_ID = "https://prepcheck.invalid/schema/results-1.json"
SCHEMA_VERSION = 1
NOT_IMPLEMENTED = "no implementado"


class Status(StrEnum):
    """Outcome of one check. ``error`` means "could not be checked", never pass or fail."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    SKIPPED = "skipped"


STATUS_LABELS_ES: dict[Status, str] = {
    Status.PASS: "Cumple",
    Status.FAIL: "No cumple",
    Status.WARN: "Advertencia",
    Status.ERROR: "Error (no se pudo verificar)",
    Status.SKIPPED: "Omitida",
}


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome for one difusor. Severity and clause come from the catalogue."""

    id: str
    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return spec(self.id).severity

    @property
    def clause(self) -> str:
        return spec(self.id).clause

    def to_record(self) -> dict[str, Any]:
        """The results.json record of this result."""
        return {
            "id": self.id,
            "status": str(self.status),
            "severity": str(self.severity),
            "clause": self.clause,
            "message": self.message,
            "evidence": dict(self.evidence),
        }


def outcome(check_id: str, passed: bool, message: str, **evidence: Any) -> CheckResult:
    """Build a pass, or a fail (required) / warn (advisory), for ``check_id``."""
    if passed:
        status = Status.PASS
    elif spec(check_id).severity is Severity.REQUIRED:
        status = Status.FAIL
    else:
        status = Status.WARN
    return CheckResult(check_id, status, message, evidence)


def error(check_id: str, message: str, **evidence: Any) -> CheckResult:
    """Build an ``error`` result: the check could not be carried out."""
    return CheckResult(check_id, Status.ERROR, message, evidence)


def skipped(check_id: str, reason: str, **evidence: Any) -> CheckResult:
    """Build a ``skipped`` result with its reason."""
    return CheckResult(check_id, Status.SKIPPED, reason, evidence)


def not_implemented(check_id: str) -> CheckResult:
    return skipped(check_id, NOT_IMPLEMENTED)


def verdict(records: Iterable[Mapping[str, Any]]) -> str:
    """``fail`` when any required record is ``fail`` or ``error``; otherwise ``pass``."""
    for record in records:
        if record["severity"] == "required" and record["status"] in ("fail", "error"):
            return "fail"
    return "pass"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def complete_records(results: Iterable[CheckResult]) -> list[dict[str, Any]]:
    """One record per catalogue id, in catalogue order; missing ids become ``no implementado``.

    When a check produced several results (e.g. re-run), the last one wins.
    """
    by_id = {result.id: result for result in results}
    return [(by_id.get(cid) or not_implemented(cid)).to_record() for cid in CATALOGUE]


def build_document(
    difusor: str,
    base_url: str,
    started_at: str,
    results: Iterable[CheckResult],
    finished_at: str | None = None,
) -> dict[str, Any]:
    """Assemble the results.json document for one difusor."""
    records = complete_records(results)
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "difusor": difusor,
        "base_url": base_url,
        "started_at": started_at,
        "finished_at": finished_at or now_iso(),
        "verdict": verdict(records),
        "checks": records,
    }


def write_document(document: Mapping[str, Any], path: Path) -> None:
    """Write ``document`` atomically (temp file + rename) so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2, default=str)
        handle.write("\n")
    os.replace(tmp, path)


def read_document(path: Path) -> dict[str, Any]:
    """Read a results.json, resolving legacy ids through the catalogue's aliases."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path}: unsupported schema_version {document.get('schema_version')!r}")
    for record in document["checks"]:
        record["id"] = spec(record["id"]).id
    return document


def merge_results(document: Mapping[str, Any], results: Iterable[CheckResult]) -> dict[str, Any]:
    """Return ``document`` with ``results`` replacing the records of the same ids.

    Used by runs that add records later (load tests); the verdict is recomputed.
    """
    return merge_records(document, [result.to_record() for result in results])


def merge_records(
    document: Mapping[str, Any], replacements: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Return ``document`` with ``replacements`` (records) taking the place of the same ids."""
    by_id = {record["id"]: dict(record) for record in replacements}
    records = [by_id.get(r["id"], r) for r in document["checks"]]
    merged = dict(document)
    merged["checks"] = records
    merged["verdict"] = verdict(records)
    return merged
