"""The alert outbox: tracked states, alerts and their deliveries, in the campaign database.

Contract: :meth:`Outbox.observe` reads an aspect's tracked state, applies
:func:`~prepcheck.campaign.alerts.transitions.step`, writes the new state and, when the
transition sends an alert, inserts the alert and one ``pending`` delivery per channel, all in
one transaction: a monitor stopped or killed at any point either recorded the transition and
its deliveries or neither, so a restart neither repeats an alert (the state says it was
alerted) nor loses one (its deliveries are still pending). Each alert carries a unique ``id``
that channels send as an idempotency key. Couriers take due deliveries with :meth:`due` and
settle them with :meth:`sent`, :meth:`retry` or :meth:`failed`; they never hold a transaction
while sending.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prepcheck.campaign.alerts.transitions import Tracked, Transition, event_of, step
from prepcheck.campaign.db import connect, transaction

Payload = dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    """One alert to send on one channel."""

    alert_id: int
    channel: str
    payload: Payload
    attempts: int


class Outbox:
    """A connection to the outbox (one per thread)."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path
        self._db = connect(db_path)

    def close(self) -> None:
        self._db.close()

    def observe(
        self,
        difusor: str,
        aspect: str,
        observed: str,
        *,
        confirm: int,
        channels: Sequence[str],
        payload_of: Callable[[Transition, str], Payload],
    ) -> Payload | None:
        """Track ``observed``; returns the payload of the alert queued, if any (see contract)."""
        with transaction(self._db):
            tracked = self._tracked(difusor, aspect)
            new, transition = step(aspect, tracked, observed, confirm)
            if new != tracked:
                self._db.execute(
                    "INSERT OR REPLACE INTO alert_state"
                    " (difusor, aspect, value, candidate, seen, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (difusor, aspect, new.value, new.candidate, new.seen, _now()),
                )
            event = event_of(transition) if transition else None
            if transition is None or event is None or not channels:
                return None
            payload = {"id": uuid.uuid4().hex, **payload_of(transition, event)}
            self._queue(difusor, event, payload, channels)
            return payload

    def _tracked(self, difusor: str, aspect: str) -> Tracked | None:
        row = self._db.execute(
            "SELECT value, candidate, seen FROM alert_state WHERE difusor = ? AND aspect = ?",
            (difusor, aspect),
        ).fetchone()
        return Tracked(*row) if row else None

    def _queue(self, difusor: str, event: str, payload: Payload, channels: Sequence[str]) -> None:
        now = time.time()
        cursor = self._db.execute(
            "INSERT INTO alerts (difusor, event, created_at, ts, payload) VALUES (?, ?, ?, ?, ?)",
            (difusor, event, _now(), now, json.dumps(payload, ensure_ascii=False)),
        )
        alert_id = cursor.lastrowid
        self._db.executemany(
            "INSERT INTO deliveries (alert_id, channel, state, next_ts)"
            " VALUES (?, ?, 'pending', ?)",
            [(alert_id, channel, now) for channel in channels],
        )

    def due(self, channel: str, *, limit: int = 20) -> list[Delivery]:
        """Pending deliveries of ``channel`` whose time has come, oldest alert first."""
        rows = self._db.execute(
            "SELECT d.alert_id, d.channel, a.payload, d.attempts FROM deliveries d"
            " JOIN alerts a ON a.id = d.alert_id"
            " WHERE d.channel = ? AND d.state = 'pending' AND d.next_ts <= ?"
            " ORDER BY d.alert_id LIMIT ?",
            (channel, time.time(), limit),
        ).fetchall()
        return [Delivery(row[0], row[1], json.loads(row[2]), row[3]) for row in rows]

    def next_due(self, channel: str) -> float | None:
        """When the earliest pending delivery of ``channel`` is due (epoch), or None."""
        row = self._db.execute(
            "SELECT MIN(next_ts) FROM deliveries WHERE channel = ? AND state = 'pending'",
            (channel,),
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def sent(self, delivery: Delivery) -> None:
        self._settle(delivery, "sent", None, None)

    def retry(self, delivery: Delivery, error: str, at: float) -> None:
        self._settle(delivery, "pending", error, at)

    def failed(self, delivery: Delivery, error: str) -> None:
        self._settle(delivery, "failed", error, None)

    def _settle(self, delivery: Delivery, state: str, error: str | None, at: float | None) -> None:
        with transaction(self._db):
            self._db.execute(
                "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?,"
                " next_ts = COALESCE(?, next_ts), sent_at = CASE WHEN ? = 'sent' THEN ?"
                " ELSE sent_at END WHERE alert_id = ? AND channel = ?",
                (state, error, at, state, _now(), delivery.alert_id, delivery.channel),
            )

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery with its alert (for reports and tests), oldest first."""
        rows = self._db.execute(
            "SELECT a.difusor, a.event, d.channel, d.state, d.attempts, d.last_error"
            " FROM deliveries d JOIN alerts a ON a.id = d.alert_id ORDER BY a.id, d.channel"
        ).fetchall()
        keys = ("difusor", "evento", "canal", "estado", "intentos", "error")
        return [dict(zip(keys, row, strict=True)) for row in rows]


def _now() -> str:
    return datetime.now(UTC).isoformat()
