"""Upgrading results documents of schema version 1 (prepcheck 0.1) to the current version.

Version 1 had a two-state verdict and folded "not applicable" into ``skipped``; its records
named only id, status, severity, clause, message and evidence. The upgrade fills the rest
from the catalogue and re-derives the verdict with today's rule, so an old ``pass`` with
unmeasured required checks reads INCOMPLETO, as it always should have.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.catalogue import CATALOGUE, GROUP_TITLES, spec
from prepcheck.results.document import SCHEMA_ID, SCHEMA_VERSION, derive, not_measured

#: Version 1 did not record the election's offset; the configuration default was this.
_V1_OFFSET = "-05:00"


def upgrade_v1(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` (version 1) as a current document (see the module docstring)."""
    finished = str(document.get("finished_at", ""))
    old = {}
    for record in document.get("checks", []):
        if isinstance(record, Mapping) and record.get("id") in CATALOGUE:
            old[record["id"]] = _record(record, finished)
    upgraded = {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "difusor": document.get("difusor"),
        "display_name": document.get("display_name") or document.get("difusor"),
        "base_url": document.get("base_url"),
        "election": document.get("election") or "",
        "utc_offset": _V1_OFFSET,
        "started_at": document.get("started_at"),
        "finished_at": finished,
        "interrupted": None,
        "previous": None,
        "technical_report": None,
        "checks": [old.get(cid) or not_measured(cid).to_record() for cid in CATALOGUE],
    }
    return derive(upgraded)


def _record(record: Mapping[str, Any], finished_at: str) -> dict[str, Any]:
    check = spec(str(record["id"]))
    status = str(record.get("status", "error"))
    message = str(record.get("message", ""))
    if status == "skipped" and check.unconfigured == "not_applicable":
        status = "not_applicable"
    measured = status not in ("skipped", "not_applicable")
    return {
        "id": check.id,
        "status": status,
        "severity": str(check.severity),
        "clause": check.clause,
        "title": check.title,
        "group": check.group,
        "group_title": GROUP_TITLES[check.group],
        "measured_by": check.measured_by,
        "command": check.command,
        "message": message,
        "fix": check.fix,
        "measured_at": finished_at if measured else None,
        "evidence": dict(record.get("evidence") or {}),
        "artifacts": [],
    }
