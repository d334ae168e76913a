"""Read Locust's CSV statistics (``<prefix>_stats.csv`` and ``<prefix>_stats_history.csv``).

Contract: pure readers; a missing or empty file raises ``FileNotFoundError``/``ValueError`` and
the caller turns it into an ``error`` record. Times are milliseconds, rates per second.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from prepcheck.snapshots.load import Point, Totals

AGGREGATED = "Aggregated"


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # Locust writes "N/A" before the first response


def read_totals(stats_csv: Path) -> Totals:
    """The ``Aggregated`` row; ``ValueError`` if the file has none."""
    with stats_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == AGGREGATED:
                return Totals(
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    p50_ms=_number(row["50%"]) or 0.0,
                    p95_ms=_number(row["95%"]) or 0.0,
                    p99_ms=_number(row["99%"]) or 0.0,
                    max_ms=_number(row["Max Response Time"]) or 0.0,
                    rate=_number(row["Requests/s"]) or 0.0,
                )
    raise ValueError(f"{stats_csv}: no Aggregated row")


def read_history(history_csv: Path) -> list[Point]:
    """The aggregated points, in time order (per-endpoint rows, if any, are skipped)."""
    points = []
    with history_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] != AGGREGATED:
                continue
            points.append(
                Point(
                    at=float(row["Timestamp"]),
                    users=int(row["User Count"]),
                    rate=_number(row["Requests/s"]) or 0.0,
                    failure_rate=_number(row["Failures/s"]) or 0.0,
                    p95_ms=_number(row["95%"]),
                    total_requests=int(row["Total Request Count"]),
                    total_failures=int(row["Total Failure Count"]),
                    p50_ms=_number(row.get("50%") or ""),
                    p99_ms=_number(row.get("99%") or ""),
                )
            )
    return points


def load_window(points: Sequence[Point]) -> tuple[float, float] | None:
    """(start, end) epoch seconds of the points with users running; ``None`` if there are none."""
    active = [p.at for p in points if p.users > 0]
    return (min(active), max(active)) if active else None


def rate_at_full_load(points: Sequence[Point], users: int) -> float | None:
    """Requests/s while all ``users`` ran: Δrequests/Δtime between the first and last such
    points; ``None`` when fewer than two points had every user (too short to tell)."""
    full = [p for p in points if p.users >= users]
    if len(full) < 2 or full[-1].at <= full[0].at:
        return None
    return (full[-1].total_requests - full[0].total_requests) / (full[-1].at - full[0].at)
