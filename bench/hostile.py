"""Benchmark a checklist run against hostile sites: time and memory as ratios to a sound site.

Usage: ``python bench/hostile.py [--quick] [--only NAME ...] [--limit SECONDS]``. Starts the
hostile server of ``tests/e2e/hostile`` (a sound copy of a sample package, misbehaving per path
prefix) and, for the sound site and then for each behaviour, runs ``prepcheck run`` against one
difusor in a fresh process. Each run is measured from outside: wall time, and the peak of the
whole process tree's PSS (harness, pytest session, chromium), sampled from /proc every 0.2 s.
A run still going at ``--limit`` seconds is killed and reported as such (its time is then a
lower bound).

Full mode renders the default pages and viewports (5 × 2); ``--quick`` narrows the browser
checks to one page on the desktop viewport and runs a subset, in under a minute. The last
stdout line is one JSON object with ``worst_time_ratio`` and ``worst_memory_ratio`` (goals:
≤ 3 and ≤ 1.5).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find _common
sys.path.insert(0, str(ROOT))  # and the hostile server under tests/
from _common import emit  # noqa: E402

from tests.e2e.hostile.behaviours import BEHAVIOURS  # noqa: E402
from tests.e2e.hostile.runs import ONE_PAGE, RunMeasure, measure_run, write_config  # noqa: E402
from tests.e2e.hostile.server import HostileServer, prepare_site  # noqa: E402

SOUND = "sano"
QUICK = ("carpeta-404",)
QUICK_LIMIT_S = 60.0
FULL_LIMIT_S = 900.0
TIME_GOAL, MEMORY_GOAL = 3.0, 1.5
#: A run past this peak is killed: the machine is shared and has no swap.
MEMORY_LIMIT_MB = 8000.0


def measure_all(workdir: Path, names: list[str], quick: bool, limit_s: float) -> list[RunMeasure]:
    """The sound run first, then one run per behaviour of ``names``."""
    package, root, ca = prepare_site(workdir)
    measures = []
    with HostileServer(root, ca, workdir) as server:
        config = write_config(
            workdir / "prepcheck.toml",
            package,
            server,
            [SOUND, *names],
            pages=ONE_PAGE if quick else None,
        )
        for name in [SOUND, *names]:
            measure = measure_run(
                config,
                workdir / "reports" / name,
                name,
                limit_s=limit_s,
                memory_limit_mb=MEMORY_LIMIT_MB,
            )
            print(_line(measure), flush=True)
            measures.append(measure)
    return measures


def _line(measure: RunMeasure) -> str:
    ended = f"killed: {measure.killed_for} limit" if measure.killed else f"exit {measure.exit_code}"
    return f"{measure.behaviour:<22} {measure.seconds:7.1f} s {measure.peak_mb:8.0f} MB  ({ended})"


def summary(measures: list[RunMeasure], quick: bool, limit_s: float) -> dict[str, Any]:
    """Ratios to the sound run and the worst of each."""
    sound = measures[0]
    rows: dict[str, Any] = {}
    for measure in measures[1:]:
        rows[measure.behaviour] = {
            "seconds": round(measure.seconds, 1),
            "peak_mb": measure.peak_mb,
            "time_ratio": round(measure.seconds / sound.seconds, 2),
            "memory_ratio": round(measure.peak_mb / sound.peak_mb, 2),
            "killed_for": measure.killed_for,
        }
    worst_time = max(rows.items(), key=lambda item: item[1]["time_ratio"], default=None)
    worst_memory = max(rows.items(), key=lambda item: item[1]["memory_ratio"], default=None)
    print(f"sound site: {sound.seconds:.1f} s, {sound.peak_mb:.0f} MB peak PSS")
    for name, row in rows.items():
        killed = row["killed_for"]
        flag = f" (killed at the {killed} limit: a lower bound)" if killed else ""
        print(f"  {name:<22} time ×{row['time_ratio']:<6} memory ×{row['memory_ratio']}{flag}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min)")
    return {
        "bench": "hostile",
        "quick": quick,
        "limit_s": limit_s,
        "sound_s": round(sound.seconds, 1),
        "sound_peak_mb": sound.peak_mb,
        "behaviours": rows,
        "worst_time_behaviour": worst_time[0] if worst_time else None,
        "worst_time_ratio": worst_time[1]["time_ratio"] if worst_time else None,
        "worst_memory_behaviour": worst_memory[0] if worst_memory else None,
        "worst_memory_ratio": worst_memory[1]["memory_ratio"] if worst_memory else None,
        "time_goal": TIME_GOAL,
        "memory_goal": MEMORY_GOAL,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one page, a subset, under a minute")
    parser.add_argument("--only", nargs="+", choices=sorted(BEHAVIOURS), help="these behaviours")
    parser.add_argument("--limit", type=float, help="seconds before a run is killed")
    args = parser.parse_args()
    names = args.only or (list(QUICK) if args.quick else [b for b in BEHAVIOURS if b != SOUND])
    limit = args.limit or (QUICK_LIMIT_S if args.quick else FULL_LIMIT_S)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="prepcheck-bench-hostile-") as tmp:
        result = summary(measure_all(Path(tmp), names, args.quick, limit), args.quick, limit)
    result["total_s"] = round(time.perf_counter() - began, 1)
    print(f"total wall time: {result['total_s']} s")
    emit(result)


if __name__ == "__main__":
    main()
