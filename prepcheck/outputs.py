"""Landing results in an output folder: the one merge-and-render step of every command.

Contract of :func:`land`: ``OUT/<difusor>/results.json`` is read (when it exists and is
valid), the new results replace the records of their ids and every other record is kept;
the document is written atomically (a file there that is no valid document is renamed aside,
never overwritten), then ``report.html`` is rendered from it alone and the
board ``OUT/index.html`` is rewritten from every ``OUT/*/results.json``. A checklist run
(``command="run"``) also keeps the replaced document's summary as ``previous``, so reports
and the board show what changed since the last run. Every landing is also recorded in the
campaign history (``prepcheck.campaign.history``). run, load, monitor, selftest and the demo
land their results only through here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from prepcheck.campaign.history import failing_since, record_landing
from prepcheck.config import Config, Difusor
from prepcheck.config.settings.campaign import CampaignSettings
from prepcheck.errors import ResultsFileError
from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import (
    CheckResult,
    Subject,
    Verdict,
    merge,
    new_document,
    now_iso,
    read_document,
    summary,
    write_document,
)

RESULTS_NAME = "results.json"
REPORT_NAME = "report.html"


def subject_of(config: Config, difusor: Difusor) -> Subject:
    """The document subject of ``difusor`` in ``config``'s election."""
    return Subject(
        name=difusor.name,
        display_name=difusor.label,
        base_url=difusor.base_url,
        election=config.election.name,
        utc_offset=offset_text(config.election.tz),
    )


def offset_text(tz: tzinfo) -> str:
    """``tz``'s fixed offset as ``±HH:MM``."""
    offset = tz.utcoffset(None) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def results_path(out_dir: Path, name: str) -> Path:
    return out_dir / name / RESULTS_NAME


def earlier_document(path: Path) -> dict[str, Any] | None:
    """The valid document at ``path``; None when there is none. A file there that is no valid
    document (a newer prepcheck's, damaged, another program's) is renamed aside, with a
    warning on stderr, before a new one takes its place: it is never overwritten."""
    try:
        return read_document(path)
    except ResultsFileError as exc:
        if path.is_file() or path.is_symlink():  # a folder there fails the write instead
            kept = path.with_name(f"{path.name}.ilegible-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
            path.replace(kept)
            print(f"prepcheck: aviso: {exc}; se conserva como {kept.name}", file=sys.stderr)
        return None


@dataclass(frozen=True)
class Landed:
    """Where a difusor's results landed and the verdict they give."""

    path: Path
    verdict: Verdict

    @property
    def report(self) -> Path:
        return self.path.with_name(REPORT_NAME)


def land(
    out_dir: Path,
    subject: Subject,
    results: Iterable[CheckResult],
    *,
    started_at: str,
    command: str,
    technical_report: str | None = None,
    campaign: CampaignSettings | None = None,
) -> Landed:
    """Merge ``results`` into the difusor's results.json, record them in the campaign history
    (``campaign``'s database, ``OUT/historial.sqlite`` by default), render its report and the
    board."""
    path = results_path(out_dir, subject.name)
    results = list(results)
    document = build(earlier_document(path), subject, results, started_at, command)
    if technical_report is not None:
        document["technical_report"] = technical_report
    write_document(document, path)
    database = record_landing(
        out_dir, campaign, document, [r.id for r in results], command=command, started_at=started_at
    )
    if database is not None:
        document["failing_since"] = failing_since(database, subject.name)
        write_document(document, path)
    render(out_dir, path)
    return Landed(path, Verdict(document["verdict"]))


def build(
    earlier: dict[str, Any] | None,
    subject: Subject,
    results: list[CheckResult],
    started_at: str,
    command: str,
) -> dict[str, Any]:
    """The document ``land`` writes (see the module contract)."""
    fresh = new_document(subject, results, started_at=started_at)
    if earlier is None:
        return fresh
    document = merge(earlier, results)
    document.update({k: fresh[k] for k in ("display_name", "base_url", "election", "utc_offset")})
    if command == "run":
        document.update(started_at=started_at, previous=summary(earlier), interrupted=None)
    document["finished_at"] = now_iso()
    return document


def mark_interrupted(
    out_dir: Path,
    subject: Subject,
    measured: list[CheckResult],
    *,
    started_at: str,
    note: str,
) -> Path:
    """A checklist run stopped before this difusor finished: its earlier results.json stays as
    it was, marked ``interrupted``; without one, what was measured lands, marked so."""
    path = results_path(out_dir, subject.name)
    earlier = earlier_document(path)
    if earlier is not None:
        document = dict(earlier)
    else:
        document = new_document(subject, measured, started_at=started_at)
    document["interrupted"] = {"at": now_iso(), "note": note}
    write_document(document, path)
    render(out_dir, path)
    return path


def render(out_dir: Path, path: Path) -> None:
    """Render ``path``'s report and rewrite the board of ``out_dir``."""
    render_report(path, path.with_name(REPORT_NAME))
    render_board_of(out_dir)


def render_board_of(out_dir: Path) -> Path:
    """Rewrite ``out_dir``'s board from every ``out_dir/*/results.json``."""
    return render_board(out_dir)
