"""Run Locust headless in its own processes (never in ours: gevent patches the interpreter).

Contract: ``run_locust`` writes the plan (atomically), starts ``locust -f citizen.py --headless``
 (or a master and ``workers`` local worker processes, or a master bound to
``remote.bind_host:bind_port`` that waits up to ``remote.wait_seconds`` for ``remote.count``
workers started elsewhere with ``prepcheck load-worker``), samples every local generator
process's CPU use while it runs (remote workers report theirs to the master), and returns when
the run ends by itself or, at the latest, ``plan.total_seconds + HARD_MARGIN_SECONDS`` (plus the
wait for workers) later, when every process is killed. No process outlives the call: each is
stopped by its pid (process group included) in a ``finally``. Locust's CSV files, HTML report and
log stay in ``out_dir``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from prepcheck.load.plan import PLAN_ENV, LoadPlan
from prepcheck.load.stats import read_history
from prepcheck.reference.process import ManagedProcess, free_port

LOCUSTFILE = Path(__file__).resolve().parent / "locustfiles" / "citizen.py"
HARD_MARGIN_SECONDS = 45.0
WORKER_WAIT_SECONDS = 20
#: Seconds between the live lines a load run prints.
PROGRESS_SECONDS = 5.0
_SAMPLE_SECONDS = 0.5


@dataclass(frozen=True)
class CpuSample:
    """One generator process over the last sampling interval (100 = one core, all the time).

    ``busy`` counts time on a CPU *and* time runnable but waiting for one (Linux schedstat): a
    generator starved by a crowded machine is as saturated as one using a whole core.
    ``percent`` is the time on a CPU only.
    """

    at: float
    role: str
    busy: float
    percent: float


@dataclass(frozen=True)
class RemoteWorkers:
    """Workers on other machines: the master listens on ``bind_host:bind_port`` for them."""

    count: int
    bind_host: str
    bind_port: int
    wait_seconds: float


@dataclass(frozen=True)
class LocustRun:
    """What a run left behind; ``csv_prefix`` + ``_stats.csv`` etc. are Locust's own files."""

    out_dir: Path
    csv_prefix: Path
    html: Path
    log: Path
    summary: dict | None
    cpu: tuple[CpuSample, ...]
    workers: int
    timed_out: bool
    remote: bool = False

    @property
    def stats_csv(self) -> Path:
        return self.csv_prefix.with_name(self.csv_prefix.name + "_stats.csv")

    @property
    def history_csv(self) -> Path:
        return self.csv_prefix.with_name(self.csv_prefix.name + "_stats_history.csv")

    @property
    def failures_csv(self) -> Path:
        return self.csv_prefix.with_name(self.csv_prefix.name + "_failures.csv")

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


def locust_argv(
    plan_file: Path, *extra: str, environment: Mapping[str, str] | None = None
) -> list[str]:
    """``env PREPCHECK_LOAD_PLAN=… python -m locust -f citizen.py …`` (env keeps the pid);
    ``environment`` adds more variables."""
    env = shutil.which("env") or "/usr/bin/env"
    assignments = [f"{key}={value}" for key, value in (environment or {}).items()]
    return [
        env,
        f"{PLAN_ENV}={plan_file}",
        *assignments,
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        *extra,
    ]


def run_locust(
    plan: LoadPlan,
    out_dir: Path,
    *,
    tag: str,
    workers: int = 0,
    remote: RemoteWorkers | None = None,
) -> LocustRun:
    """Run ``plan`` (see the module contract); ``tag`` names the files (``steady``, ``spike``).
    ``workers`` (local) and ``remote`` exclude each other."""
    if workers and remote is not None:
        raise ValueError("local workers and remote workers exclude each other")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary_path = out_dir / f"{tag}_summary.json"
    summary_path.unlink(missing_ok=True)
    plan = dataclasses.replace(plan, summary_path=str(summary_path))
    plan_file = plan.write(out_dir / f"{tag}_plan.json")
    prefix, html, log = out_dir / tag, out_dir / f"{tag}.html", out_dir / f"{tag}.log"
    log.unlink(missing_ok=True)
    main_args = [
        "--headless",
        "--host",
        plan.host,
        "--csv",
        str(prefix),
        "--html",
        str(html),
        "--stop-timeout",
        "0",
    ]
    port = free_port()
    wait: float = WORKER_WAIT_SECONDS
    if remote is not None:
        wait = remote.wait_seconds
        main_args += ["--master", "--master-bind-host", remote.bind_host]
        main_args += ["--master-bind-port", str(remote.bind_port)]
        main_args += ["--expect-workers", str(remote.count)]
        main_args += ["--expect-workers-max-wait", f"{wait:g}"]
    elif workers:
        main_args += ["--master", "--master-bind-host", "127.0.0.1"]
        main_args += ["--master-bind-port", str(port), "--expect-workers", str(workers)]
        main_args += ["--expect-workers-max-wait", str(WORKER_WAIT_SECONDS)]
    master = ManagedProcess(locust_argv(plan_file, *main_args), output=log, cwd=out_dir)
    worker_args = ["--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
    others = [
        ManagedProcess(
            locust_argv(plan_file, *worker_args),
            output=out_dir / f"{tag}-worker{i}.log",
            cwd=out_dir,
        )
        for i in range(1, workers + 1)
    ]
    deadline = time.monotonic() + plan.total_seconds + HARD_MARGIN_SECONDS
    if workers or remote is not None:
        deadline += wait
    processes = [("master" if workers or remote is not None else "local", master)]
    processes += [(f"worker{i}", w) for i, w in enumerate(others, 1)]
    try:
        for _, process in processes:
            process.start()
        started = time.monotonic()

        def show() -> None:
            line = live_line(Path(f"{prefix}_stats_history.csv"), started)
            if line is not None:
                print(line, flush=True)

        samples, timed_out = _watch(processes, deadline, show)
        _wait_exit([p for _, p in processes[1:]], 10.0)
    finally:
        for _, process in processes:
            process.stop()
    summary = _read_json(summary_path)
    if remote is not None:
        samples += reported_cpu(summary)
    return LocustRun(
        out_dir=out_dir,
        csv_prefix=prefix,
        html=html,
        log=log,
        summary=summary,
        cpu=tuple(samples),
        workers=remote.count if remote is not None else workers,
        timed_out=timed_out,
        remote=remote is not None,
    )


def reported_cpu(summary: dict | None) -> list[CpuSample]:
    """The CPU figures remote workers reported to the master (role = the worker's Locust id)."""
    samples = []
    for client, rows in ((summary or {}).get("cpu") or {}).items():
        for at, busy, percent in rows:
            samples.append(CpuSample(float(at), str(client), float(busy), float(percent)))
    return samples


def _watch(
    processes: list[tuple[str, ManagedProcess]],
    deadline: float,
    progress: Callable[[], None] = lambda: None,
) -> tuple[list[CpuSample], bool]:
    """Sample CPU use until the first process (local or master) exits or ``deadline`` passes;
    ``progress`` is called every ``PROGRESS_SECONDS`` (the live line)."""
    meters = [(role, _Meter(process.pid)) for role, process in processes]
    samples: list[CpuSample] = []
    leader = processes[0][1]
    shown = time.monotonic()
    while leader.alive():
        if time.monotonic() > deadline:
            return samples, True
        time.sleep(_SAMPLE_SECONDS)
        for role, meter in meters:
            sample = meter.sample(role)
            if sample is not None:
                samples.append(sample)
        if time.monotonic() - shown >= PROGRESS_SECONDS:
            shown = time.monotonic()
            progress()
    return samples, False


def live_line(history_csv: Path, started: float) -> str | None:
    """The run so far, in one Spanish line (None before Locust's first statistics row)."""
    try:
        points = read_history(history_csv)
    except (OSError, ValueError, KeyError):
        return None
    if not points or points[-1].total_requests == 0:
        return None
    last = points[-1]
    p95 = f"{last.p95_ms:g} ms" if last.p95_ms is not None else "—"
    return (
        f"  {time.monotonic() - started:4.0f} s: {last.users} usuarios, "
        f"{last.rate:.1f} sol/s, p95 {p95}, {last.total_failures} fallas de "
        f"{last.total_requests} solicitudes"
    )


class _Meter:
    """CPU and runnable time of one process between calls (schedstat; psutil as fallback)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.last = self._read()

    def _read(self) -> tuple[float, float, float] | None:
        """(wall, on-CPU, waiting-for-CPU) seconds, or ``None`` once the process is gone."""
        wall = time.monotonic()
        try:
            fields = Path(f"/proc/{self.pid}/schedstat").read_text().split()
            return wall, int(fields[0]) / 1e9, int(fields[1]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
        try:
            times = psutil.Process(self.pid).cpu_times()
        except psutil.Error:
            return None
        return wall, times.user + times.system, 0.0

    def sample(self, role: str) -> CpuSample | None:
        now = self._read()
        before, self.last = self.last, now
        if before is None or now is None or now[0] <= before[0]:
            return None
        wall = now[0] - before[0]
        running, waiting = now[1] - before[1], now[2] - before[2]
        return CpuSample(time.time(), role, 100 * (running + waiting) / wall, 100 * running / wall)


def _wait_exit(processes: list[ManagedProcess], timeout: float) -> None:
    end = time.monotonic() + timeout
    while any(p.alive() for p in processes) and time.monotonic() < end:
        time.sleep(0.1)


def _read_json(path: Path) -> dict | None:
    try:
        document: dict = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document
