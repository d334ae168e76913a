"""Bookkeeping across Locust processes: who sent how many requests, and how busy each was.

Contract (the listeners are registered by ``register``, once, from the locustfile):

- every process counts the requests it fires (successes and failures, as Locust's statistics);
- a worker adds to each report to the master the requests since its previous report and its
  CPU use since then: ``busy`` (on a CPU or runnable waiting for one, /proc/self/schedstat) and
  ``percent`` (on a CPU only), 100 = one core; on quitting, after its final report, it writes
  its own total to the JSON file named by ``WORKER_SUMMARY_ENV`` when that is set:
  ``{"generator": client_id, "requests": n}``;
- the master adds the reports up per worker and stamps each CPU figure with its own clock on
  receipt (a remote worker's clock may differ); on quitting it first lets Locust's CSV writer
  record the final reports, then writes ``summary_path``: ``{"generators": {id: n},
  "requests": total, "cpu": {id: [[epoch, busy, percent], ...]}}``; a single local process
  writes ``{"generators": {"local": n}, "requests": n, "cpu": {}}``.

No prepcheck import here: a worker machine needs only Locust, ``load/`` and the plan.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import CSV_STATS_INTERVAL_SEC

WORKER_SUMMARY_ENV = "PREPCHECK_LOAD_WORKER_SUMMARY"
#: Long enough for Locust's CSV writer (one pass every CSV_STATS_INTERVAL_SEC) to run again.
_CSV_CATCH_UP_SECONDS = CSV_STATS_INTERVAL_SEC + 0.5

_SENT = {"total": 0, "unreported": 0}
_PER_WORKER: dict[str, int] = defaultdict(int)
_CPU: dict[str, list[list[float]]] = defaultdict(list)
_CLIENT: dict[str, str] = {}


class _CpuClock:
    """This process's CPU time between calls: (busy %, on-CPU %) since the previous call."""

    def __init__(self) -> None:
        self.last: tuple[float, float, float] | None = None

    @staticmethod
    def _read() -> tuple[float, float, float]:
        """(wall, on-CPU, waiting-for-CPU) seconds."""
        wall = time.monotonic()
        try:
            fields = Path("/proc/self/schedstat").read_text().split()
            return wall, int(fields[0]) / 1e9, int(fields[1]) / 1e9
        except (OSError, ValueError, IndexError):
            times = os.times()
            return wall, times.user + times.system, 0.0

    def since_last(self) -> tuple[float, float] | None:
        now, before = self._read(), self.last
        self.last = now
        if before is None or now[0] <= before[0]:
            return None
        wall = now[0] - before[0]
        running, waiting = now[1] - before[1], now[2] - before[2]
        return 100 * (running + waiting) / wall, 100 * running / wall


_CLOCK = _CpuClock()


def _count(**_: Any) -> None:
    _SENT["total"] += 1
    _SENT["unreported"] += 1


def _report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    """Worker side: what this report adds (its first call only starts the CPU clock)."""
    _CLIENT["id"] = client_id
    data["prepcheck_requests"] = _SENT["unreported"]
    _SENT["unreported"] = 0
    cpu = _CLOCK.since_last()
    if cpu is not None:
        data["prepcheck_cpu"] = list(cpu)


def _collect(client_id: str, data: dict[str, Any], **_: Any) -> None:
    """Master side: one worker's report."""
    _PER_WORKER[client_id] += int(data.get("prepcheck_requests", 0))
    cpu = data.get("prepcheck_cpu")
    if cpu:
        _CPU[client_id].append([time.time(), float(cpu[0]), float(cpu[1])])


def _quitting(environment: Any, summary_path: str | None, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        target = os.environ.get(WORKER_SUMMARY_ENV)
        if target:
            client = _CLIENT.get("id") or runner.client_id or socket.gethostname()
            own = {"generator": client, "requests": _SENT["total"]}
            Path(target).write_text(json.dumps(own), encoding="utf-8")
        return
    if not summary_path:
        return
    if isinstance(runner, MasterRunner):
        gevent.sleep(_CSV_CATCH_UP_SECONDS)  # the final reports into Locust's CSV files
        generators, cpu = dict(_PER_WORKER), dict(_CPU)
    else:
        generators, cpu = {"local": _SENT["total"]}, {}
    summary = {"generators": generators, "requests": sum(generators.values()), "cpu": cpu}
    Path(summary_path).write_text(json.dumps(summary), encoding="utf-8")


def register(summary_path: str | None) -> None:
    """Attach the listeners (see the module contract); ``summary_path`` is the master's file."""
    events.request.add_listener(_count)
    events.report_to_master.add_listener(_report)
    events.worker_report.add_listener(_collect)
    events.quitting.add_listener(
        lambda environment, **kw: _quitting(environment, summary_path, **kw)
    )
