"""A checking session's file (``session_path``): the records it measured, one JSON line each,
as they appear.

Contract: :func:`read_session` never raises: a missing file is no records, and a torn or
foreign line is skipped. :func:`session_results` turns the records back into results for the
ids a session should measure; an id with no record becomes ``error`` with ``reason``, never a
pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prepcheck.catalogue import CATALOGUE
from prepcheck.results import Artifact, CheckResult, Status, error


def session_path(out_dir: Path, name: str) -> Path:
    """Where a checklist session appends the records it measured for difusor ``name``."""
    return out_dir / name / "checklist-session.jsonl"


def read_session(path: Path) -> dict[str, dict[str, Any]]:
    """The records a session file holds, by id (see the module contract)."""
    records: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return records
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("id") in CATALOGUE:
            records[record["id"]] = record
    return records


def session_results(
    records: Mapping[str, Mapping[str, Any]], ids: Sequence[str], reason: str
) -> list[CheckResult]:
    """A result per id: the session's record, or ``error`` saying ``reason``."""
    return [
        _result(records[cid]) if cid in records else error(cid, f"No se pudo verificar: {reason}")
        for cid in ids
    ]


def _result(record: Mapping[str, Any]) -> CheckResult:
    """The result a session recorded (its record as written by ``CheckResult.to_record``)."""
    return CheckResult(
        record["id"],
        Status(record["status"]),
        record["message"],
        record.get("evidence") or {},
        fix=record.get("fix"),
        artifacts=tuple(Artifact(**a) for a in record.get("artifacts") or ()),
        measured_at=record.get("measured_at"),
    )
