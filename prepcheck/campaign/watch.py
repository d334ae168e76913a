"""The campaign's part of ``prepcheck monitor``: each round, the live board and the alerts.

Contract: :class:`CampaignWatch` is a ``Service`` the monitor enters around its loop and feeds
with each round's observations through :meth:`CampaignWatch.round` (called from the loop's
sink, after the monitor history stored them). A round rewrites ``OUT/en-vivo.json`` and
``OUT/en-vivo.html`` and, when alerts are configured (and not ``--no-alerts``), records the
difusores' states in the campaign outbox; it never sends anything itself and never raises
into the loop (a failure to write is printed, in Spanish, and the monitor goes on). With
``--serve`` the read-only server runs for as long as the monitor. ``stop`` flushes the
couriers within ``flush_seconds`` and stops the server.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from prepcheck.campaign.alerts.alerter import Alerter, channels_of
from prepcheck.campaign.db import CampaignDBError
from prepcheck.campaign.live.page import LIVE_HTML, Header, write_live
from prepcheck.campaign.live.server import LiveServer
from prepcheck.campaign.live.state import LiveRow, live_row
from prepcheck.checks.monitor.evaluate import Rules
from prepcheck.config import Config, Difusor
from prepcheck.config.settings.campaign import campaign_of
from prepcheck.lifecycle import Service
from prepcheck.snapshots.monitor import Observation


class CampaignWatch(Service):
    """See the module contract."""

    def __init__(
        self,
        config: Config,
        difusores: Sequence[Difusor],
        rules: Rules,
        out_dir: Path,
        *,
        every_s: float,
        serve: tuple[str, int] | None = None,
        alerts: bool = True,
    ) -> None:
        campaign = campaign_of(config.campaign)
        self.config = config
        self.difusores = list(difusores)
        self.rules = rules
        self.out_dir = out_dir
        self.refresh = campaign.live.refresh_seconds or max(1, math.ceil(every_s))
        self.server = LiveServer(out_dir, *serve) if serve else None
        self.seen: dict[str, list[Observation]] = {d.name: [] for d in difusores}
        self.rounds = 0
        self.since = datetime.now(UTC)
        self._warned: set[str] = set()
        channels = channels_of(campaign.alerts) if alerts else []
        self.alerter = (
            Alerter(
                campaign.history_path(out_dir),
                campaign.alerts,
                config.election,
                difusores,
                rules,
                channels,
            )
            if channels
            else None
        )

    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        print(f"Tablero en vivo: {self.out_dir / LIVE_HTML}", flush=True)
        if self.server is not None:
            self.server.start()
            print(f"Tablero en vivo servido (solo lectura) en {self.server.url}", flush=True)
        if self.alerter is not None:
            self.alerter.start()
            print(f"Alertas por: {', '.join(self.alerter.names)}", flush=True)

    def round(self, observations: Sequence[Observation]) -> list[LiveRow]:
        """This round's rows, after writing the board and recording the alert states."""
        for obs in observations:
            self.seen.setdefault(obs.difusor, []).append(obs)
        self.rounds += 1
        labels = {d.name: d.label for d in self.difusores}
        rows = [
            live_row(labels.get(name, name), seen, self.rules)
            for name, seen in self.seen.items()
            if seen
        ]
        try:
            header = Header(self.config.election.name, self.since, self.rounds, self.refresh)
            write_live(self.out_dir, header, rows, self.rules)
            if self.alerter is not None:
                for alert in self.alerter.observe(rows):
                    print(f"ALERTA en cola: {alert['titulo']}", flush=True)
        except (OSError, sqlite3.Error, CampaignDBError) as exc:
            self._warn(f"tablero en vivo o alertas: {exc}")
        return rows

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            print(f"prepcheck: aviso: {message}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        try:
            if self.alerter is not None:
                self.alerter.close()
                self.alerter = None
        finally:
            if self.server is not None:
                self.server.stop()


def campaign_watch(
    config: Config,
    difusores: Sequence[Difusor],
    rules: Rules,
    args: argparse.Namespace,
    every_s: float,
) -> CampaignWatch:
    """The monitor's campaign watch for the command-line ``args`` (``--serve``, ``--no-alerts``)."""
    return CampaignWatch(
        config,
        difusores,
        rules,
        args.out,
        every_s=every_s,
        serve=getattr(args, "serve", None),
        alerts=not getattr(args, "no_alerts", False),
    )
