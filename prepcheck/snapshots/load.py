"""What a Locust run measured: whole-run totals and the statistics over time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Totals:
    """The whole run, from the ``Aggregated`` row of ``_stats.csv``."""

    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rate: float

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class Point:
    """One second of the run, from ``_stats_history.csv`` (percentiles of the recent window)."""

    at: float
    users: int
    rate: float
    failure_rate: float
    p95_ms: float | None
    total_requests: int
    total_failures: int
    p50_ms: float | None = None
    p99_ms: float | None = None
