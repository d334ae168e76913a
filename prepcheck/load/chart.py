"""A load run over time as data the report draws: latency percentiles and throughput.

Contract: ``series(points)`` returns ``{"segundos", "usuarios", "sol_por_segundo",
"fallas_por_segundo", "p50_ms", "p95_ms", "p99_ms"}``, parallel lists of at most
``MAX_POINTS`` items (seconds since the first point; ``None`` where Locust had no value yet).
A longer run is grouped into consecutive buckets: the time is the bucket's last second, users
and latency percentiles its maximum (a slow second is never averaged away), rates its mean.
Pure: it never reads files; any number of points, including none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from prepcheck.snapshots.load import Point

#: At most this many points per series (a 30-minute run has 1,800 seconds).
MAX_POINTS = 300


def series(points: Sequence[Point], max_points: int = MAX_POINTS) -> dict[str, list[Any]]:
    """The over-time series of ``points`` (see the module contract)."""
    size = max(1, -(-len(points) // max_points))
    buckets = [points[i : i + size] for i in range(0, len(points), size)]
    start = points[0].at if points else 0.0
    return {
        "segundos": [round(b[-1].at - start, 1) for b in buckets],
        "usuarios": [max(p.users for p in b) for b in buckets],
        "sol_por_segundo": [_mean(b, lambda p: p.rate) for b in buckets],
        "fallas_por_segundo": [_mean(b, lambda p: p.failure_rate) for b in buckets],
        "p50_ms": [_peak(b, lambda p: p.p50_ms) for b in buckets],
        "p95_ms": [_peak(b, lambda p: p.p95_ms) for b in buckets],
        "p99_ms": [_peak(b, lambda p: p.p99_ms) for b in buckets],
    }


def _mean(bucket: Sequence[Point], value: Callable[[Point], float]) -> float:
    return round(sum(value(p) for p in bucket) / len(bucket), 2)


def _peak(bucket: Sequence[Point], value: Callable[[Point], float | None]) -> float | None:
    found = [v for v in map(value, bucket) if v is not None]
    return round(max(found), 1) if found else None
