"""The campaign database: one SQLite file per campaign, versioned, migrated in place.

Contract: :func:`connect` opens (creating when ``create``) the database in WAL mode with a busy
timeout, so a scheduled run, a monitor and its alert senders can share it, and brings its schema
to :data:`SCHEMA_VERSION` by applying the pending :data:`MIGRATIONS` in order, each in its own
``BEGIN IMMEDIATE`` transaction together with ``PRAGMA user_version`` (a failed migration leaves
the previous version intact; two processes migrating at once apply each step once). A database
newer than this code, or a file that is not SQLite, raises :class:`CampaignDBError` (Spanish).
Connections are in autocommit mode; writers group statements with :func:`transaction`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prepcheck.errors import HarnessError
from prepcheck.files import foreign_database

BUSY_TIMEOUT_S = 15.0

#: Migration ``i`` (0-based) takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the run history (every command that lands results).
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            difusor TEXT NOT NULL,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            ts REAL NOT NULL,
            verdict TEXT NOT NULL
        )""",
        "CREATE INDEX runs_difusor_ts ON runs (difusor, ts)",
        """CREATE TABLE results (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            check_id TEXT NOT NULL,
            status TEXT NOT NULL,
            message TEXT NOT NULL,
            measured_at TEXT NOT NULL,
            PRIMARY KEY (run_id, check_id)
        )""",
    ),
    # 2: alerts: the last state alerted per difusor, the outbox and its deliveries.
    (
        "ALTER TABLE runs ADD COLUMN election TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX results_check ON results (check_id)",
        """CREATE TABLE alert_state (
            difusor TEXT NOT NULL,
            aspect TEXT NOT NULL,
            value TEXT NOT NULL,
            candidate TEXT NOT NULL,
            seen INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (difusor, aspect)
        )""",
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            difusor TEXT NOT NULL,
            event TEXT NOT NULL,
            created_at TEXT NOT NULL,
            ts REAL NOT NULL,
            payload TEXT NOT NULL
        )""",
        """CREATE TABLE deliveries (
            alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_ts REAL NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            PRIMARY KEY (alert_id, channel)
        )""",
        "CREATE INDEX deliveries_due ON deliveries (channel, state, next_ts)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class CampaignDBError(HarnessError):
    """The campaign database cannot be used (newer schema, not SQLite, unwritable)."""


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """An open, migrated connection to the campaign database at ``path`` (see contract)."""
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise CampaignDBError(f"{path}: no existe la base de datos de la campaña")
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise CampaignDBError(f"{path}: no se pudo abrir ({exc})") from None
    try:
        if refusal := foreign_database(connection, path):
            raise CampaignDBError(refusal)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
        migrate(connection, path)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise CampaignDBError(f"{path}: no es una base de datos de la campaña ({exc})") from None
    except BaseException:
        connection.close()
        raise
    return connection


def version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Apply the pending migrations, each atomically with its version number."""
    if version(connection) > SCHEMA_VERSION:
        raise CampaignDBError(
            f"{path}: esquema {version(connection)} más nuevo que esta versión de prepcheck "
            f"(entiende hasta {SCHEMA_VERSION}); actualice prepcheck"
        )
    while version(connection) < SCHEMA_VERSION:
        with transaction(connection):
            current = version(connection)  # re-read under the lock: another process may have
            if current >= SCHEMA_VERSION:
                break
            for statement in MIGRATIONS[current]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {current + 1}")


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any exception)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@contextmanager
def opened(path: Path, *, create: bool = True) -> Iterator[sqlite3.Connection]:
    """:func:`connect` as a context manager that always closes."""
    connection = connect(path, create=create)
    try:
        yield connection
    finally:
        connection.close()
