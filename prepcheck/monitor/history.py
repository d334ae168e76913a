"""The monitoring history: a SQLite database of runs and observations.

Contract: the schema is versioned with ``PRAGMA user_version`` (``SCHEMA_VERSION``); opening a
database of another version raises ``HistoryError``. The database runs in WAL mode so reports
can be read while a monitor writes; only one process writes at a time (``History.writer``
holds an exclusive ``flock`` on ``<db>.lock``, and a second writer gets ``HistoryError``).
Times are stored as UTC ISO text plus epoch seconds (``ts``) for ordering.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prepcheck.errors import HarnessError
from prepcheck.files import foreign_database
from prepcheck.snapshots.monitor import Observation, Phases

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    config TEXT NOT NULL,
    period_seconds REAL NOT NULL,
    every_seconds REAL NOT NULL,
    difusores TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    difusor TEXT NOT NULL,
    ts REAL NOT NULL,
    at TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    http_version TEXT NOT NULL,
    elapsed_ms REAL NOT NULL,
    connect_ms REAL,
    tls_ms REAL,
    processing_ms REAL,
    transfer_ms REAL,
    body_bytes INTEGER NOT NULL,
    corte TEXT,
    corte_error TEXT,
    official_corte TEXT,
    official_source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_difusor_ts ON observations (difusor, ts);
"""

_COLUMNS = (
    "run_id, difusor, ts, at, url, status, error, http_version, elapsed_ms, connect_ms, tls_ms, "
    "processing_ms, transfer_ms, body_bytes, corte, corte_error, official_corte, official_source"
)


class HistoryError(HarnessError):
    """The history database cannot be used (wrong version, locked by another writer)."""


@dataclass(frozen=True)
class Run:
    """One monitor run as recorded."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    period_seconds: float
    every_seconds: float
    difusores: tuple[str, ...]


class History:
    """A connection to the history database (use ``open_history``)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def writer(self) -> Iterator[History]:
        """Hold the single-writer lock for the duration of the block."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise HistoryError(f"{self.path}: otro monitor ya escribe en esta base") from None
            yield self
        finally:
            os.close(fd)  # closing releases the lock

    def start_run(
        self, config: Path, period_s: float, every_s: float, difusores: Sequence[str]
    ) -> int:
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO runs (started_at, config, period_seconds, every_seconds, difusores)"
                " VALUES (?, ?, ?, ?, ?)",
                (_now(), str(config), period_s, every_s, json.dumps(list(difusores))),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int) -> None:
        with self._db:
            self._db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (_now(), run_id))

    def add(self, run_id: int, observations: Iterable[Observation]) -> None:
        """Store one cycle's observations in one transaction."""
        rows = [_to_row(run_id, obs) for obs in observations]
        with self._db:
            self._db.executemany(
                f"INSERT INTO observations ({_COLUMNS}) VALUES ({', '.join('?' * 18)})", rows
            )

    def observations(self, difusor: str) -> list[Observation]:
        """Every observation of ``difusor``, oldest first."""
        cursor = self._db.execute(
            f"SELECT {_COLUMNS} FROM observations WHERE difusor = ? ORDER BY ts, id", (difusor,)
        )
        return [_from_row(row) for row in cursor]

    def difusores(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT DISTINCT difusor FROM observations")]

    def runs(self) -> list[Run]:
        cursor = self._db.execute(
            "SELECT id, started_at, finished_at, period_seconds, every_seconds, difusores"
            " FROM runs ORDER BY id"
        )
        return [
            Run(
                id=row[0],
                started_at=datetime.fromisoformat(row[1]),
                finished_at=datetime.fromisoformat(row[2]) if row[2] else None,
                period_seconds=row[3],
                every_seconds=row[4],
                difusores=tuple(json.loads(row[5])),
            )
            for row in cursor
        ]


def open_history(path: Path) -> History:
    """Open (creating if needed) the history at ``path``; raises ``HistoryError`` on a
    database of another schema version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=10.0)
    try:
        if refusal := foreign_database(connection, path):
            raise HistoryError(refusal)
        connection.execute("PRAGMA journal_mode = WAL")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise HistoryError(
                f"{path}: esquema {version} no soportado (se espera {SCHEMA_VERSION})"
            )
        if version == 0:
            with connection:
                connection.executescript(_SCHEMA)
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        connection.close()
        raise
    return History(connection, path.resolve())


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _to_row(run_id: int, obs: Observation) -> tuple[Any, ...]:
    phases = obs.phases
    return (
        run_id,
        obs.difusor,
        obs.at.timestamp(),
        obs.at.isoformat(),
        obs.url,
        obs.status,
        obs.error,
        obs.http_version,
        obs.elapsed_ms,
        phases.connect_ms,
        phases.tls_ms,
        phases.processing_ms,
        phases.transfer_ms,
        obs.body_bytes,
        _iso(obs.corte),
        obs.corte_error,
        _iso(obs.official_corte),
        obs.official_source,
    )


def _from_row(row: tuple[Any, ...]) -> Observation:
    at = datetime.fromisoformat(row[3])
    return Observation(
        difusor=row[1],
        at=at,
        url=row[4],
        status=row[5],
        error=row[6],
        http_version=row[7],
        elapsed_ms=row[8],
        phases=Phases(row[9], row[10], row[11], row[12]),
        body_bytes=row[13],
        corte=_parse(row[14]),
        corte_error=row[15],
        official_corte=_parse(row[16]),
        official_source=row[17],
    )
