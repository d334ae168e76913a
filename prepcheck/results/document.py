"""The results.json document of one difusor: built, merged and summarised in one way.

Contract: a document holds exactly one record per catalogue id, in catalogue order. Its
``verdict`` and ``counts`` are always derived from its records here (never set by hand). A
missing id is recorded ``skipped``, naming the command that measures it. ``previous`` is the
summary of the document a checklist run replaced (what "changed since the last run" compares
with); merges by other commands keep it. See ``schema/results.schema.json``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prepcheck.catalogue import CATALOGUE, spec
from prepcheck.results.record import CheckResult, now_iso, skipped
from prepcheck.results.status import Status
from prepcheck.results.verdict import verdict

SCHEMA_ID = "prepcheck-results"
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Subject:
    """Who a document is about: the difusor and the election, as the report names them."""

    name: str
    display_name: str
    base_url: str
    election: str
    utc_offset: str


def not_measured(check_id: str) -> CheckResult:
    """The record of an id nobody measured yet: ``skipped``, naming its command."""
    command = spec(check_id).measured_by
    return skipped(check_id, f"Aún no se ha medido: la mide el comando «prepcheck {command}».")


def new_document(
    subject: Subject,
    results: Iterable[CheckResult],
    *,
    started_at: str,
    finished_at: str | None = None,
) -> dict[str, Any]:
    """A fresh document: ``results`` plus a ``not_measured`` record for every other id."""
    by_id = {result.id: result.to_record() for result in results}
    records = [by_id.get(cid) or not_measured(cid).to_record() for cid in CATALOGUE]
    records = [_named(record, subject.name) for record in records]
    document: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "difusor": subject.name,
        "display_name": subject.display_name,
        "base_url": subject.base_url,
        "election": subject.election,
        "utc_offset": subject.utc_offset,
        "started_at": started_at,
        "finished_at": finished_at or now_iso(),
        "interrupted": None,
        "previous": None,
        "technical_report": None,
        "checks": records,
    }
    return derive(document)


def derive(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with ``verdict`` and ``counts`` recomputed from its records."""
    records = document["checks"]
    derived = dict(document)
    derived["verdict"] = str(verdict(records))
    counts = Counter(str(r["status"]) for r in records)
    derived["counts"] = {str(status): counts.get(str(status), 0) for status in Status}
    return derived


def merge(document: Mapping[str, Any], results: Iterable[CheckResult]) -> dict[str, Any]:
    """``document`` with ``results`` replacing the records of their ids; verdict recomputed."""
    return merge_records(document, [result.to_record() for result in results])


def merge_records(
    document: Mapping[str, Any], replacements: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """``document`` with ``replacements`` (records) taking the place of the same ids."""
    by_id = {record["id"]: _named(record, document["difusor"]) for record in replacements}
    merged = dict(document)
    merged["checks"] = [by_id.get(r["id"], r) for r in document["checks"]]
    merged["finished_at"] = now_iso()
    return derive(merged)


def _named(record: Mapping[str, Any], name: str) -> dict[str, Any]:
    """``record`` with its command written for the difusor ``name``."""
    return {**record, "command": str(record["command"]).replace("{difusor}", name)}


def summary(document: Mapping[str, Any]) -> dict[str, Any]:
    """What a later document keeps of this one as ``previous``: when, verdict, each status."""
    return {
        "finished_at": document["finished_at"],
        "verdict": document["verdict"],
        "statuses": {r["id"]: r["status"] for r in document["checks"]},
    }


def changes(document: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each check whose status differs from ``previous``: ``{"id", "before", "after"}``."""
    previous = document.get("previous")
    if not previous:
        return []
    before = previous["statuses"]
    return [
        {"id": r["id"], "before": before[r["id"]], "after": r["status"]}
        for r in document["checks"]
        if r["id"] in before and before[r["id"]] != r["status"]
    ]


def measured_by(document: Mapping[str, Any], command: str) -> list[dict[str, Any]]:
    """The records of ``document`` that ``command`` (run, load, monitor, selftest) measures."""
    return [r for r in document["checks"] if r["measured_by"] == command]
