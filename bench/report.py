"""Benchmark rendering 40 difusores' reports and their board from results.json, in process.

Usage: ``python bench/report.py [--quick]``. Writes 40 results.json files (the test samples:
failing, passing, incomplete, unreachable, interrupted and hostile difusores, with images,
tables, monitoring timelines and load series in their evidence), then times
``render_report`` for each of them plus one ``render_board`` of the folder, as ``prepcheck
render`` would. Budget: 5 s for all 40. ``--quick`` renders the set once (a few seconds);
otherwise five times and takes the median. The last line is one JSON object (see
``bench/_common.py``) with the seconds for 40 reports and their ratio to the budget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find _common
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # and the samples
from _common import emit, peak_rss_mb
from report_samples import documents

from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import write_document

DIFUSORES = 40
BUDGET_S = 5.0


def write_samples(out: Path) -> list[Path]:
    """40 results.json files cycling through the sample documents, each its own difusor."""
    samples = list(documents().values())
    paths = []
    for index in range(DIFUSORES):
        name = f"difusor-{index:02d}"
        document = {**samples[index % len(samples)], "difusor": name}
        path = out / name / "results.json"
        write_document(document, path)
        paths.append(path)
    return paths


def render_all(out: Path, paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        render_report(path, path.with_name("report.html"))
    render_board(out)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="render the 40 reports once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prepcheck-bench-report-") as scratch:
        out = Path(scratch)
        paths = write_samples(out)
        render_all(out, paths[:2])  # warm-up: templates compiled once per process
        runs = [render_all(out, paths) for _ in range(1 if args.quick else 5)]
        seconds = statistics.median(runs)
        sizes = [p.with_name("report.html").stat().st_size for p in paths]
        print(f"{DIFUSORES} informes y el tablero: {seconds:.2f} s (mediana de {len(runs)})")
        largest, mean = max(sizes) / 1000, statistics.mean(sizes) / 1000
        print(f"Informe más grande: {largest:.0f} kB; promedio {mean:.0f} kB")
    emit(
        {
            "benchmark": "report",
            "reports": DIFUSORES,
            "seconds_for_40_reports": round(seconds, 3),
            "ratio_to_5s_budget": round(seconds / BUDGET_S, 3),
            "per_report_ms": round(1000 * seconds / DIFUSORES, 1),
            "largest_report_kb": round(max(sizes) / 1000),
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
