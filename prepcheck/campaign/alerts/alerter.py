"""The alerts of one monitoring session: states in, alerts queued, couriers woken.

Contract: an :class:`Alerter` is built only when ``[campaign.alerts]`` names a channel. Each
round, :meth:`Alerter.observe` records every difusor's health level (and its certificate
state once known) in the outbox, which queues one alert per confirmed transition; the
couriers (one thread per channel) deliver them. It does only local SQLite writes on the
monitor's thread. :meth:`Alerter.close` stops the certificate reader and flushes the couriers
(bounded by ``flush_seconds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from prepcheck.campaign.alerts.certificate import CertificateWatch
from prepcheck.campaign.alerts.channels import Channel
from prepcheck.campaign.alerts.courier import Courier
from prepcheck.campaign.alerts.email import Email
from prepcheck.campaign.alerts.messages import certificate_payload, health_payload
from prepcheck.campaign.alerts.outbox import Outbox
from prepcheck.campaign.alerts.transitions import CERTIFICATE, HEALTH, Transition
from prepcheck.campaign.alerts.webhook import Webhook
from prepcheck.campaign.live.state import LiveRow
from prepcheck.checks.monitor.evaluate import Rules
from prepcheck.config import Difusor, Election
from prepcheck.config.settings.campaign import AlertSettings


def channels_of(settings: AlertSettings) -> list[Channel]:
    """The configured channels (webhook, email), possibly none."""
    found: list[Channel] = []
    if settings.webhook is not None:
        found.append(Webhook(settings.webhook))
    if settings.email is not None:
        found.append(Email(settings.email))
    return found


class Alerter:
    """See the module contract."""

    def __init__(
        self,
        db_path: Path,
        settings: AlertSettings,
        election: Election,
        difusores: Sequence[Difusor],
        rules: Rules,
        channels: Sequence[Channel],
    ) -> None:
        self.settings = settings
        self.election = election
        self.difusores = {d.name: d for d in difusores}
        self.rules = rules
        self.names = [channel.name for channel in channels]
        self.outbox = Outbox(db_path)
        self.couriers = [Courier(db_path, channel, settings) for channel in channels]
        self.certificates = CertificateWatch(difusores, settings.certificate_check_minutes * 60)
        self.expiry_limit = election.localize(election.window_end) + timedelta(
            days=election.certificate_margin_days
        )

    def start(self) -> None:
        for courier in self.couriers:
            courier.start()
        self.certificates.start()

    def observe(self, rows: Sequence[LiveRow]) -> list[dict[str, Any]]:
        """Record this round's states; returns the alerts queued."""
        queued = [alert for row in rows if (alert := self._health(row)) is not None]
        for name, expiry in self.certificates.expiries().items():
            alert = self._certificate(name, expiry)
            if alert is not None:
                queued.append(alert)
        if queued:
            for courier in self.couriers:
                courier.wake()
        return queued

    def _health(self, row: LiveRow) -> dict[str, Any] | None:
        def payload(transition: Transition, event: str) -> dict[str, Any]:
            return health_payload(row, event, self.election.name, self.rules)

        return self.outbox.observe(
            row.difusor,
            HEALTH,
            row.level,
            confirm=self.settings.confirm_rounds,
            channels=self.names,
            payload_of=payload,
        )

    def _certificate(self, name: str, expiry: Any) -> dict[str, Any] | None:
        difusor = self.difusores[name]
        state = "por-vencer" if expiry < self.expiry_limit else "vigente"
        make = partial(
            certificate_payload,
            name,
            difusor.label,
            expiry,
            self.expiry_limit,
            self.election.name,
            self.rules,
        )
        return self.outbox.observe(
            name,
            CERTIFICATE,
            state,
            confirm=1,
            channels=self.names,
            payload_of=lambda _transition, _event: make(),
        )

    def close(self) -> None:
        self.certificates.stop()
        for courier in self.couriers:
            courier.request_stop()
        for courier in self.couriers:
            courier.join()
        self.outbox.close()
