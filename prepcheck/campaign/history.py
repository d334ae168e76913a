"""The run history of a campaign: what every command measured, per difusor and check.

Contract: :func:`record` stores one landing (run, load, monitor or selftest) of one difusor:
the run (command, times, verdict) and, for each check that command measured, its status,
message and time; in the same transaction it deletes runs older than ``retention_days``. The
readers (:func:`runs`, :func:`series`, :func:`failing_since`, :func:`latest_changes`) never
create a database: a missing one is an empty history. Times are UTC ISO text; ``ts`` (epoch
seconds of ``finished_at``) orders runs.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prepcheck.campaign.changes import change_label, is_failing
from prepcheck.campaign.db import CampaignDBError, opened, transaction
from prepcheck.config.settings.campaign import CampaignSettings, campaign_of
from prepcheck.results.store import clean


@dataclass(frozen=True)
class Measurement:
    """One check's result in one run."""

    check_id: str
    status: str
    message: str
    measured_at: str


@dataclass(frozen=True)
class Run:
    """One landing of one command for one difusor, with what it measured."""

    id: int
    difusor: str
    command: str
    started_at: str
    finished_at: str
    verdict: str
    measurements: tuple[Measurement, ...]


@dataclass(frozen=True)
class Change:
    """A check whose latest status differs from the one before (or keeps failing)."""

    check_id: str
    before: str
    after: str
    label: str
    since: str | None  # when the current failing streak began (failing checks only)


def record(
    db_path: Path,
    document: Mapping[str, Any],
    check_ids: Iterable[str],
    *,
    command: str,
    started_at: str,
    retention_days: int,
) -> int:
    """Store the records of ``check_ids`` in ``document`` as one run; returns the run id."""
    wanted = set(check_ids)
    records = [r for r in document["checks"] if r["id"] in wanted]
    finished = document["finished_at"]
    with opened(db_path) as db, transaction(db):
        cursor = db.execute(
            "INSERT INTO runs (difusor, command, started_at, finished_at, ts, verdict, election)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                document["difusor"],
                command,
                started_at,
                finished,
                _epoch(finished),
                document["verdict"],
                document.get("election", ""),
            ),
        )
        run_id = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO results (run_id, check_id, status, message, measured_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (run_id, r["id"], r["status"], r["message"], r.get("measured_at") or finished)
                for r in records
            ],
        )
        prune(db, retention_days)
    return run_id


def prune(db: sqlite3.Connection, retention_days: int, now: datetime | None = None) -> int:
    """Delete runs (and delivered alerts) older than ``retention_days``; returns runs deleted."""
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=retention_days)).timestamp()
    deleted = db.execute("DELETE FROM runs WHERE ts < ?", (cutoff,)).rowcount
    db.execute(
        "DELETE FROM alerts WHERE ts < ? AND NOT EXISTS (SELECT 1 FROM deliveries d"
        " WHERE d.alert_id = alerts.id AND d.state = 'pending')",
        (cutoff,),
    )
    return int(deleted)


def runs(db_path: Path, difusor: str, *, limit: int | None = None) -> list[Run]:
    """The runs of ``difusor``, oldest first (the last ``limit`` when given)."""
    if not db_path.exists():
        return []
    with opened(db_path, create=False) as db:
        rows = db.execute(
            "SELECT id, difusor, command, started_at, finished_at, verdict FROM runs"
            " WHERE difusor = ? ORDER BY ts DESC, id DESC LIMIT ?",
            (difusor, -1 if limit is None else limit),
        ).fetchall()
        found = [_run(db, row) for row in reversed(rows)]
    return found


def difusores(db_path: Path) -> list[str]:
    """Every difusor with a recorded run, by name."""
    if not db_path.exists():
        return []
    with opened(db_path, create=False) as db:
        return [r[0] for r in db.execute("SELECT DISTINCT difusor FROM runs ORDER BY difusor")]


def series(db_path: Path, difusor: str) -> dict[str, list[Measurement]]:
    """Each check's measurements for ``difusor``, oldest first."""
    found: dict[str, list[Measurement]] = {}
    if not db_path.exists():
        return found
    with opened(db_path, create=False) as db:
        rows = db.execute(
            "SELECT r.check_id, r.status, r.message, r.measured_at FROM results r"
            " JOIN runs ON runs.id = r.run_id WHERE runs.difusor = ?"
            " ORDER BY runs.ts, runs.id",
            (difusor,),
        )
        for row in rows:
            found.setdefault(row[0], []).append(Measurement(*row))
    return found


def failing_since(db_path: Path, difusor: str) -> dict[str, str]:
    """For each check of ``difusor`` failing in its latest measurement: when the unbroken run
    of failing measurements that ends there began (``measured_at``, ISO)."""
    return {
        check_id: since
        for check_id, measured in series(db_path, difusor).items()
        if (since := _streak_start(measured)) is not None
    }


def latest_changes(db_path: Path, difusor: str) -> list[Change]:
    """Each check whose two latest measurements differ (or both fail), with its label."""
    changes = []
    for check_id, measured in series(db_path, difusor).items():
        if len(measured) < 2:
            continue
        before, after = measured[-2].status, measured[-1].status
        label = change_label(before, after)
        if label is not None:
            changes.append(Change(check_id, before, after, label, _streak_start(measured)))
    return changes


def _streak_start(measured: Sequence[Measurement]) -> str | None:
    since = None
    for item in reversed(measured):
        if not is_failing(item.status):
            break
        since = item.measured_at
    return since


def _run(db: sqlite3.Connection, row: tuple[Any, ...]) -> Run:
    measurements = tuple(
        Measurement(*r)
        for r in db.execute(
            "SELECT check_id, status, message, measured_at FROM results WHERE run_id = ?"
            " ORDER BY check_id",
            (row[0],),
        )
    )
    run_id, difusor, command, started_at, finished_at, verdict = row
    return Run(run_id, difusor, command, started_at, finished_at, verdict, measurements)


def _epoch(iso: str) -> float:
    moment = datetime.fromisoformat(iso)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def record_landing(
    out_dir: Path,
    campaign: CampaignSettings | None,
    document: Mapping[str, Any],
    check_ids: Iterable[str],
    *,
    command: str,
    started_at: str,
) -> Path | None:
    """What ``outputs.land`` calls: :func:`record` into the campaign database of ``campaign``
    (``OUT/historial.sqlite`` by default). A database that cannot be written is reported on
    stderr (Spanish) and never loses the results already written; returns the database used,
    or None then."""
    settings = campaign_of(campaign)
    db_path = settings.history_path(out_dir)
    try:
        record(
            db_path,
            clean(document),
            check_ids,
            command=command,
            started_at=started_at,
            retention_days=settings.retention_days,
        )
    except (CampaignDBError, sqlite3.Error, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(
            f"prepcheck: aviso: no se registró el historial en {db_path}: {reason}", file=sys.stderr
        )
        return None
    return db_path
