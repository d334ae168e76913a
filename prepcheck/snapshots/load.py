"""What a load run measured: Locust's totals and statistics over time, the generator's own
state, the thresholds it is judged against, and the bandwidth download's tally."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Thresholds:
    """The k6-style limits of one run: latency percentiles, error rate and the share of the
    target request rate that must be achieved."""

    p95_ms: float
    p99_ms: float
    max_error_rate: float
    target_rate: float
    min_rate_ratio: float


@dataclass(frozen=True)
class Generator:
    """The load generator itself during a run: CPU samples ``(epoch, role, busy %)`` of every
    generator process, the window with users running (epoch seconds; None if none ran) and
    the text of Locust's logs (its own CPU warnings count)."""

    cpu: tuple[tuple[float, str, float], ...] = ()
    window: tuple[float, float] | None = None
    log_text: str = ""


@dataclass(frozen=True)
class LoadMeasurement:
    """One finished Locust run, as ``load.capacity`` / ``load.spike`` judge it.

    ``achieved_rate`` is the request rate while every user ran (req/s); ``evidence`` is what
    the record carries besides the figures (the plan, the generators, Locust's files, charts).
    """

    totals: Totals
    achieved_rate: float
    thresholds: Thresholds
    generator: Generator = field(default_factory=Generator)
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BandwidthMeasurement:
    """The bandwidth download: which files, how many bytes over how long and how many
    connections, complete downloads and failures (``"<url>: <reason>"``).

    ``unavailable`` says why nothing could be downloaded at all (no file list): then the
    figures are zero.
    """

    files: tuple[str, ...] = ()
    bytes: int = 0
    seconds: float = 0.0
    streams: int = 0
    downloads: int = 0
    failures: tuple[str, ...] = ()
    unavailable: str | None = None

    @property
    def mbps(self) -> float:
        """Megabits per second (10^6) over the whole download; 0 when nothing was timed."""
        return self.bytes * 8 / self.seconds / 1e6 if self.seconds > 0 else 0.0
