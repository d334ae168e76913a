"""Couriers: one thread per channel delivering the outbox with retries and backoff.

Contract: a :class:`Courier` owns its own database connection and sends only from the outbox,
so the monitor never waits for a channel: it records an alert and calls :meth:`wake`. Each
failed attempt is retried after ``backoff_seconds × 2^(attempts-1)`` (capped at
``max_backoff_seconds``) until ``max_attempts``, then the delivery is ``failed`` and a Spanish
line says so. A hanging channel delays only its own courier, at most its own timeout per
attempt. :meth:`stop` asks the courier to finish: it keeps delivering what is due for up to
``flush_seconds``, then returns; whatever is still pending stays in the outbox for the next
monitor.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from prepcheck.campaign.alerts.channels import Channel, SendError
from prepcheck.campaign.alerts.outbox import Delivery, Outbox
from prepcheck.config.settings.campaign import AlertSettings

IDLE_WAIT_S = 1.0


def backoff(settings: AlertSettings, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    return float(min(settings.max_backoff_seconds, settings.backoff_seconds * 2 ** (attempts - 1)))


class Courier:
    """Delivers one channel's alerts in a daemon thread (see the module contract)."""

    def __init__(self, db_path: Path, channel: Channel, settings: AlertSettings) -> None:
        self.db_path = db_path
        self.channel = channel
        self.settings = settings
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._flush_until = 0.0
        self._thread = threading.Thread(
            target=self._run, name=f"prepcheck-alertas-{channel.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Flush for up to ``flush_seconds`` (plus one attempt in flight), then return."""
        self.request_stop()
        self.join()

    def request_stop(self) -> None:
        self._flush_until = time.monotonic() + self.settings.flush_seconds
        self._stopping.set()
        self._wake.set()

    def join(self) -> None:
        self._thread.join(timeout=max(0.0, self._flush_until - time.monotonic()) + 1.0)

    def _run(self) -> None:
        outbox = Outbox(self.db_path)
        try:
            while True:
                sent_any = self._deliver_due(outbox)
                if self._stopping.is_set() and (
                    not sent_any or time.monotonic() >= self._flush_until
                ):
                    return
                self._wake.wait(self._idle(outbox))
                self._wake.clear()
        finally:
            outbox.close()

    def _idle(self, outbox: Outbox) -> float:
        due = outbox.next_due(self.channel.name)
        if due is None:
            return IDLE_WAIT_S
        return max(0.05, min(IDLE_WAIT_S, due - time.time()))

    def _deliver_due(self, outbox: Outbox) -> bool:
        due = outbox.due(self.channel.name)
        for delivery in due:
            if self._stopping.is_set() and time.monotonic() >= self._flush_until:
                return False
            self._attempt(outbox, delivery)
        return bool(due)

    def _attempt(self, outbox: Outbox, delivery: Delivery) -> None:
        try:
            self.channel.send(delivery.payload)
        except SendError as exc:
            attempts = delivery.attempts + 1
            if attempts >= self.settings.max_attempts:
                outbox.failed(delivery, str(exc))
                print(
                    f"prepcheck: alerta «{delivery.payload['titulo']}» NO entregada por "
                    f"{self.channel.name} tras {attempts} intentos: {exc}",
                    file=sys.stderr,
                    flush=True,
                )
            else:
                outbox.retry(delivery, str(exc), time.time() + backoff(self.settings, attempts))
            return
        outbox.sent(delivery)
