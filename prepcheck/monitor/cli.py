"""``prepcheck monitor``: watch the difusores for a bounded time, then record the verdicts.

Contract of ``run_monitor``: the loop always stops by itself (``--for``, ``--until`` or
``--max-probes``; at least one is required) or on SIGINT/SIGTERM, and the records are written
either way. ``--report-only`` re-evaluates an existing database without probing. The exit code
is the verdict of the difusores' documents after landing (the one policy of
``prepcheck.results.status``); 1 when there was nothing to record, 2 for usage errors (and a
database another monitor holds).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from datetime import datetime

from prepcheck.campaign.watch import campaign_watch
from prepcheck.checklist.sources import corte_source_package
from prepcheck.checks.monitor.evaluate import Rules
from prepcheck.config import Config, Difusor, Election, load_config
from prepcheck.lifecycle import stop_requested
from prepcheck.monitor.history import History, HistoryError, open_history
from prepcheck.monitor.landing import incidents_path, record_monitoring
from prepcheck.monitor.loop import Bounds, Watch, watch
from prepcheck.results import (
    EXIT_FAILED,
    EXIT_USAGE,
    STATUS_LABELS,
    Verdict,
    exit_code,
    now_iso,
)
from prepcheck.snapshots.monitor import Observation
from prepcheck.spanish import duration_es

_UNITS = {"": 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?\s*$")


class UsageError(Exception):
    """A command-line value that cannot be used (message in Spanish)."""


def run_monitor(args: argparse.Namespace) -> int:
    """Run what ``args`` asks (see the module contract); returns the exit code."""
    config = load_config(args.config)
    try:
        difusores = [config.find(name) for name in args.difusor] if args.difusor else config.difusor
        if args.period_seconds is not None and args.period_seconds <= 0:
            raise UsageError("--period-seconds debe ser positivo")
        db = args.db or args.out / "monitor.sqlite"
        history = open_history(db)
        try:
            if args.report_only:
                return _report(history, config, difusores, args, now_iso())
            bounds = _bounds(args, config.election)
            return _monitor(history, config, difusores, bounds, args)
        finally:
            history.close()
    except (UsageError, HistoryError) as exc:
        print(f"prepcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``15m``, ``2h``, ``1d`` → seconds."""
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise UsageError(f"duración no válida: {text!r} (ejemplos: 90s, 15m, 2h, 1d)")
    return float(match.group(1)) * _UNITS[match.group(2) or ""]


def _bounds(args: argparse.Namespace, election: Election) -> Bounds:
    every = args.every if args.every is not None else election.monitor.every_seconds
    if every <= 0:
        raise UsageError("--every debe ser positivo")
    if args.max_probes is not None and args.max_probes <= 0:
        raise UsageError("--max-probes debe ser positivo")
    seconds: float | None = None
    if args.for_ is not None:
        seconds = parse_duration(args.for_)
    elif args.until is not None:
        try:
            until = election.localize(datetime.fromisoformat(args.until))
        except ValueError:
            raise UsageError(f"--until no es una fecha ISO: {args.until!r}") from None
        seconds = (until - datetime.now(until.tzinfo)).total_seconds()
        if seconds <= 0:
            raise UsageError(f"--until {args.until} ya pasó")
    elif args.max_probes is None:
        raise UsageError("indique cuándo terminar: --for, --until o --max-probes")
    deadline = time.monotonic() + seconds if seconds is not None else None
    return Bounds(every_s=every, deadline=deadline, max_cycles=args.max_probes)


def _monitor(
    history: History,
    config: Config,
    difusores: Sequence[Difusor],
    bounds: Bounds,
    args: argparse.Namespace,
) -> int:
    started = now_iso()
    election = config.election
    rules = Rules.for_election(election, args.period_seconds)
    names = [d.name for d in difusores]
    with history.writer():
        run_id = history.start_run(args.config, rules.period.total_seconds(), bounds.every_s, names)
        print(_banner(names, bounds, rules), flush=True)
        states = _StateLog()
        target = Watch(difusores, election, corte_source_package(election))
        campaign = campaign_watch(config, difusores, rules, args, bounds.every_s)

        def sink(observations: list[Observation]) -> None:
            history.add(run_id, observations)
            states.show(observations, rules)
            campaign.round(observations)  # the live board and the alerts

        with stop_requested() as stop, campaign:
            cycles = watch(target, bounds, sink, stop)
        history.finish_run(run_id)
    print(f"Monitoreo terminado: {cycles} ronda(s) de sondeos en {history.path}")
    return _report(history, config, difusores, args, started)


def _banner(names: Sequence[str], bounds: Bounds, rules: Rules) -> str:
    period = duration_es(rules.period)
    simulated = " (SIMULADO con --period-seconds)" if rules.simulated else ""
    return (
        f"Monitoreando {', '.join(names)}: un sondeo cada {bounds.every_s:g} s; "
        f"periodo de actualización {period}{simulated}. Ctrl-C para terminar antes."
    )


def _report(
    history: History,
    config: Config,
    difusores: Sequence[Difusor],
    args: argparse.Namespace,
    started: str,
) -> int:
    period = args.period_seconds
    runs = history.runs()
    if period is None and runs:
        period = runs[-1].period_seconds
    rules = Rules.for_election(config.election, period)
    verdicts: list[Verdict] = []
    for difusor in difusores:
        observations = history.observations(difusor.name)
        if not observations:
            print(f"{difusor.name}: sin sondeos en {history.path}; no se registra nada")
            continue
        results, landed = record_monitoring(args.out, config, difusor, observations, rules, started)
        verdicts.append(landed.verdict)
        print(f"{difusor.name}: {len(observations)} sondeos")
        for result in results:
            print(f"  {result.id}: {STATUS_LABELS[result.status]} — {result.message}")
        print(f"  Informe: {landed.report}\n  Incidentes: {incidents_path(landed.path)}")
    return exit_code(verdicts) if verdicts else EXIT_FAILED


class _StateLog:
    """One line per round: how many difusores are up to date, who is not and why; a
    difusor that changes state is named even when the round is otherwise unremarkable."""

    def __init__(self) -> None:
        self._up: dict[str, bool] = {}
        self._round = 0

    def show(self, observations: Sequence[Observation], rules: Rules) -> None:
        if not observations:
            return
        self._round += 1
        down = [obs for obs in observations if not obs.fresh(rules.interval)]
        changed = [
            obs.difusor
            for obs in observations
            if self._up.get(obs.difusor, True) != obs.fresh(rules.interval)
        ]
        when = observations[0].at.astimezone(rules.tz).strftime("%H:%M:%S")
        line = f"{when} ronda {self._round}: {len(observations) - len(down)} de "
        line += f"{len(observations)} al día"
        if down:
            line += "; fallan: " + "; ".join(
                f"{obs.difusor} ({obs.reason(rules.interval)})" for obs in down
            )
        if changed:
            line += " · cambiaron: " + ", ".join(changed)
        print(line, flush=True)
        for obs in observations:
            self._up[obs.difusor] = obs.fresh(rules.interval)
