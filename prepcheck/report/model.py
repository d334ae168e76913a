"""What a difusor's report shows, computed from its results.json document alone.

Contract: :func:`report_view` reads nothing but the document (records are self-describing:
status, severity, clause, title, group, command, fix, evidence); it never raises for a valid
document. Order, like Lighthouse: areas with problems first (worst first), inside each the
rows that fail, could not be verified, warn or are not measured; passing and not-applicable
rows are listed last, collapsed and counted. Every status is shown with ``STATUS_LABELS``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from prepcheck.report import es
from prepcheck.report.advice import Advice, advice_for
from prepcheck.report.blocks import Block
from prepcheck.report.facts import Context, area_pictures, facts_for
from prepcheck.results import STATUS_LABELS, VERDICT_LABELS, Status, Verdict, failing, pending

SEVERITY_LABELS = {"required": "Obligatoria", "advisory": "Recomendada"}
#: Display order of statuses: worst first.
STATUS_ORDER = ("fail", "error", "warn", "skipped", "pass", "not_applicable")
PROBLEMS = frozenset({"fail", "error", "warn", "skipped"})
_BAD = frozenset({"fail", "error", "warn"})
_UNMEASURED = frozenset({"skipped", "not_applicable"})
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


@dataclass(frozen=True)
class Change:
    """How a record's status moved since the previous run: ``new`` (a problem that was not
    one), ``fixed``, ``still``, ``first`` (a problem found at its first measurement), ``other``;
    ``label`` is what the report says."""

    kind: str
    label: str
    before: str


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class Row:
    id: str
    status: str
    status_label: str
    severity: str
    severity_label: str
    clause: str
    title: str
    message: str
    group: str
    group_title: str
    command: str
    measured_at: str
    change: Change | None
    facts: list[Block]
    advice: Advice | None
    raw: str
    artifacts: list[Link]


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    worst: str
    counts: list[tuple[str, str, int]]
    pictures: list[Block]
    problems: list[Row]
    passed: list[Row]
    not_applicable: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class PendingCommand:
    """Required checks not measured yet that one command measures."""

    command: str
    rows: list[Row]


@dataclass(frozen=True)
class ReportView:
    difusor: str
    display_name: str
    base_url: str
    election: str
    zone: str
    started: str
    finished: str
    span: str
    verdict: str
    verdict_label: str
    reason: str
    failing: list[Row]
    pending: list[PendingCommand]
    pending_count: int
    counts: list[tuple[str, str, int]]
    interrupted: tuple[str, str] | None
    previous: tuple[str, str] | None
    new_failures: list[Row]
    fixed: list[Row]
    still_failing: list[Row]
    technical_report: str | None
    areas: list[Area]
    problem_areas: list[Area]
    passed_areas: list[Area]
    not_applicable: list[Row]
    passed_count: int
    generated: str


def report_view(document: Mapping[str, Any], generated_at: str) -> ReportView:
    """The view of ``document`` (see the module contract); ``generated_at`` is ISO UTC."""
    offset = str(document.get("utc_offset") or "+00:00")
    ctx = Context(offset)
    previous = document.get("previous") or None
    before = previous.get("statuses", {}) if isinstance(previous, Mapping) else {}
    records = list(document["checks"])
    since = _failing_since(document, offset)
    rows = [_row(r, ctx, before.get(r["id"]), since.get(r["id"])) for r in records]
    by_id = {row.id: row for row in rows}
    failing_rows = [by_id[r["id"]] for r in failing(records)]
    pending_rows = [by_id[r["id"]] for r in pending(records)]
    verdict = Verdict(document["verdict"])
    areas = _areas(records, rows)
    interrupted = document.get("interrupted")
    return ReportView(
        difusor=str(document["difusor"]),
        display_name=str(document.get("display_name") or document["difusor"]),
        base_url=str(document.get("base_url") or ""),
        election=str(document.get("election") or ""),
        zone=es.zone_label(offset),
        started=es.moment_text(document.get("started_at"), offset),
        finished=es.moment_text(document.get("finished_at"), offset),
        span=es.span_text(_first_moment(document), document.get("finished_at"), offset),
        verdict=str(verdict),
        verdict_label=VERDICT_LABELS[verdict],
        reason=reason(verdict, failing_rows, pending_rows, rows),
        failing=failing_rows,
        pending=_by_command(pending_rows),
        pending_count=len(pending_rows),
        counts=_counts(rows),
        interrupted=(
            (es.moment_text(interrupted.get("at"), offset), str(interrupted.get("note") or ""))
            if isinstance(interrupted, Mapping)
            else None
        ),
        previous=(
            (
                es.moment_text(previous.get("finished_at"), offset),
                VERDICT_LABELS.get(Verdict(previous["verdict"]), str(previous.get("verdict"))),
            )
            if isinstance(previous, Mapping) and previous.get("verdict") in set(Verdict)
            else None
        ),
        new_failures=[r for r in rows if r.change and r.change.kind == "new"],
        fixed=[r for r in rows if r.change and r.change.kind == "fixed"],
        still_failing=[r for r in rows if r.change and r.change.kind == "still"],
        technical_report=relative_href(document.get("technical_report")),
        areas=areas,
        problem_areas=[a for a in areas if a.problems],
        passed_areas=[a for a in areas if a.passed],
        not_applicable=[r for r in rows if r.status == "not_applicable"],
        passed_count=sum(r.status == "pass" for r in rows),
        generated=es.moment_text(generated_at, offset),
    )


def reason(
    verdict: Verdict, failing_rows: Sequence[Row], pending_rows: Sequence[Row], rows: Sequence[Row]
) -> str:
    """The one line under the verdict: what fails, or how much is not measured yet."""
    if verdict is Verdict.FAIL:
        one = len(failing_rows) == 1
        errors = sum(r.status == "error" for r in failing_rows)
        fails = len(failing_rows) - errors
        verbs = []
        if fails:
            verbs.append("no cumple" if one else "no cumplen")
        if errors:
            verbs.append("no se pudo verificar" if one else "no se pudieron verificar")
        text = f"{_count_checks(len(failing_rows), 'obligatoria')} {' o '.join(verbs)}."
        return text + _common_cause(failing_rows)
    if verdict is Verdict.INCOMPLETE:
        return (
            "Ninguna verificación obligatoria medida falla, pero faltan por medir "
            f"{_count_checks(len(pending_rows), 'obligatoria')}."
        )
    warnings = sum(r.status == "warn" for r in rows)
    text = "Todas las verificaciones obligatorias que aplican se midieron y cumplen."
    if warnings:
        text += f" Hay {es.plural(warnings, 'advertencia')} en verificaciones recomendadas."
    return text


def _common_cause(rows: Sequence[Row]) -> str:
    """« Todas/La mayoría por la misma causa: …» when one message explains most failures."""
    if len(rows) < 3:
        return ""
    message, count = Counter(r.message for r in rows).most_common(1)[0]
    if count * 2 <= len(rows):
        return ""
    which = "Todas" if count == len(rows) else f"{count} de ellas"
    return f" {which} por la misma causa: «{message}»."


def _count_checks(count: int, kind: str) -> str:
    noun = "verificación" if count == 1 else "verificaciones"
    return f"{es.number(count)} {noun} {kind}{'' if count == 1 else 's'}"


def _row(
    record: Mapping[str, Any], ctx: Context, before: str | None, since: str | None = None
) -> Row:
    status = str(record["status"])
    return Row(
        id=str(record["id"]),
        status=status,
        status_label=STATUS_LABELS[Status(status)],
        severity=str(record["severity"]),
        severity_label=SEVERITY_LABELS.get(str(record["severity"]), str(record["severity"])),
        clause=str(record.get("clause") or "—"),
        title=str(record.get("title") or record["id"]),
        message=str(record.get("message") or ""),
        group=str(record.get("group") or ""),
        group_title=str(record.get("group_title") or record.get("group") or ""),
        command=str(record.get("command") or ""),
        measured_at=ctx.moment(record["measured_at"]) if record.get("measured_at") else "",
        change=change(before, status, since),
        facts=facts_for(record, ctx),
        advice=advice_for(record, ctx.utc_offset),
        raw=raw_evidence(record.get("evidence")),
        artifacts=_artifacts(record.get("artifacts")),
    )


def _failing_since(document: Mapping[str, Any], offset: str) -> dict[str, str]:
    """When each persisting problem began (the campaign history's ``failing_since``), worded."""
    found = document.get("failing_since")
    if not isinstance(found, Mapping):
        return {}
    return {str(k): es.moment_text(v, offset, zone_shown=False) for k, v in found.items()}


def change(before: str | None, after: str, since: str | None = None) -> Change | None:
    """How ``before`` → ``after`` reads; None when unchanged and not failing, or unknown.
    ``since`` (already worded) is when a problem that persists began, from the history."""
    if before is None or before not in {str(s) for s in Status}:
        return None
    before_label = STATUS_LABELS[Status(before)]
    if before in _UNMEASURED and after != before:
        return Change("first", "medida por primera vez", before_label) if after in _BAD else None
    if after in _BAD and before not in _BAD:
        label = "nueva advertencia" if after == "warn" else "nuevo fallo"
        return Change("new", label, before_label)
    if after in _BAD:
        # A warning both times is an advisory still to fix, not a failure: said so.
        still = "sigue con advertencia" if after == before == "warn" else "sigue fallando"
        label = f"{still} desde el {since}" if since else still
        return Change("still", label, before_label)
    if before in _BAD and after == "pass":
        return Change("fixed", "corregido", before_label)
    if before != after:
        return Change("other", f"antes: {before_label}", before_label)
    return None


def raw_evidence(evidence: Any) -> str:
    """The evidence as indented JSON, image payloads replaced by their size."""
    return json.dumps(_without_payloads(evidence or {}), ensure_ascii=False, indent=1, default=str)


def _without_payloads(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: (
                f"(imagen PNG de {len(v) * 3 // 4 // 1000} kB, mostrada arriba)"
                if k == "png_base64" and isinstance(v, str)
                else _without_payloads(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_payloads(v) for v in value]
    return value


def relative_href(path: Any) -> str | None:
    """``path`` as a link relative to the report's folder; None unless it is one (no scheme,
    not absolute, no ``..``), so a zipped output folder keeps working."""
    if not isinstance(path, str) or not path or "\\" in path:
        return None
    if path.startswith("/") or ":" in path.split("/")[0] or ".." in path.split("/"):
        return None
    return quote(path, safe="/#")


def _artifacts(value: Any) -> list[Link]:
    links = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, Mapping):
            href = relative_href(entry.get("path"))
            if href:
                links.append(Link(str(entry.get("label") or entry.get("path")), href))
    return links


def _counts(rows: Sequence[Row]) -> list[tuple[str, str, int]]:
    return [
        (status, STATUS_LABELS[Status(status)], sum(r.status == status for r in rows))
        for status in STATUS_ORDER
    ]


def _by_command(rows: Sequence[Row]) -> list[PendingCommand]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.command, []).append(row)
    return [PendingCommand(command, listed) for command, listed in grouped.items()]


def _areas(records: Sequence[Mapping[str, Any]], rows: Sequence[Row]) -> list[Area]:
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(row.group, []).append(index)
    areas = []
    for order, (key, indexes) in enumerate(groups.items()):
        members = [rows[i] for i in indexes]
        problems = sorted(
            (r for r in members if r.status in PROBLEMS),
            key=lambda r: (_RANK[r.status], r.severity != "required"),
        )
        worst = min((r.status for r in members), key=lambda s: _RANK[s])
        areas.append(
            (
                _RANK[worst],
                order,
                Area(
                    key=key,
                    title=members[0].group_title,
                    worst=worst,
                    counts=[c for c in _counts(members) if c[2]],
                    pictures=area_pictures(key, [records[i] for i in indexes]),
                    problems=problems,
                    passed=[r for r in members if r.status == "pass"],
                    not_applicable=[r for r in members if r.status == "not_applicable"],
                ),
            )
        )
    return [area for _, _, area in sorted(areas, key=lambda item: item[:2])]


def _first_moment(document: Mapping[str, Any]) -> Any:
    """When the document's oldest measurement was taken: results merged from monitor, load
    and selftest can predate the run that last wrote it (its ``started_at``)."""
    moments = [document.get("started_at")] + [r.get("measured_at") for r in document["checks"]]
    parsed = [(m, when) for m in moments if (when := es.parse_moment(m)) is not None]
    return min(parsed, key=lambda pair: pair[1])[0] if parsed else document.get("started_at")
