"""Pure helpers over a difusor's observations: update periods, failed-period runs, incidents.

Periods are aligned to the epoch in multiples of the period length, so 15-minute periods start at
:00, :15, :30 and :45 like the cortes. Every function takes observations oldest first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from prepcheck.snapshots.monitor import Observation


class PeriodState(StrEnum):
    """``ok``: some probe saw a fresh corte; ``failed``: probes, none fresh; ``unknown``: none
    fresh only because the official corte was unknown; ``unobserved``: no probe at all."""

    OK = "ok"
    FAILED = "failed"
    UNKNOWN = "unknown"
    UNOBSERVED = "unobserved"


@dataclass(frozen=True)
class Period:
    index: int
    start: datetime
    state: PeriodState
    probes: int
    reason: str  # the most frequent reason of the failed probes, or ""


@dataclass(frozen=True)
class FailedRun:
    """Consecutive failed periods ``[first, last]`` (inclusive)."""

    first: Period
    last: Period

    @property
    def length(self) -> int:
        return self.last.index - self.first.index + 1


@dataclass(frozen=True)
class Incident:
    """Consecutive unsuccessful probes: from the first to the next success (``end`` None while
    it lasted to the end of the history)."""

    start: datetime
    end: datetime | None
    last_failure: datetime
    probes: int
    reason: str

    def duration(self) -> timedelta:
        return (self.end or self.last_failure) - self.start


def period_index(moment: datetime, period: timedelta) -> int:
    return math.floor(moment.timestamp() / period.total_seconds())


def period_start(index: int, period: timedelta) -> datetime:
    return datetime.fromtimestamp(index * period.total_seconds(), UTC)


def periods(
    observations: Sequence[Observation], period: timedelta, interval: timedelta
) -> list[Period]:
    """Every period from the first probe's to the last's, unobserved ones included."""
    if not observations:
        return []
    buckets: dict[int, list[Observation]] = {}
    for obs in observations:
        buckets.setdefault(period_index(obs.at, period), []).append(obs)
    first, last = min(buckets), max(buckets)
    return [_judge(i, buckets.get(i, []), period, interval) for i in range(first, last + 1)]


def _judge(index: int, probes: list[Observation], period: timedelta, interval: timedelta) -> Period:
    start = period_start(index, period)
    if not probes:
        return Period(index, start, PeriodState.UNOBSERVED, 0, "")
    if any(obs.fresh(interval) for obs in probes):
        return Period(index, start, PeriodState.OK, len(probes), "")
    reason = _most_common(obs.reason(interval) for obs in probes)
    unknown = any(obs.published and obs.official_corte is None for obs in probes)
    state = PeriodState.UNKNOWN if unknown else PeriodState.FAILED
    return Period(index, start, state, len(probes), reason)


def failed_runs(judged: Sequence[Period]) -> list[FailedRun]:
    """Maximal runs of consecutive ``failed`` periods (any other state breaks a run: an
    unobserved or unknown period cannot be counted against the difusor)."""
    runs: list[FailedRun] = []
    current: list[Period] = []
    for item in [*judged, None]:
        if item is not None and item.state is PeriodState.FAILED:
            current.append(item)
        elif current:
            runs.append(FailedRun(current[0], current[-1]))
            current = []
    return runs


def incidents(observations: Sequence[Observation]) -> list[Incident]:
    """Runs of consecutive unreachable probes (availability incidents)."""
    found: list[Incident] = []
    failing: list[Observation] = []
    for obs in observations:
        if not obs.reachable:
            failing.append(obs)
        elif failing:
            found.append(_incident(failing, obs.at))
            failing = []
    if failing:
        found.append(_incident(failing, None))
    return found


def _incident(failing: list[Observation], end: datetime | None) -> Incident:
    reason = _most_common(obs.reason(timedelta.max) for obs in failing)
    return Incident(failing[0].at, end, failing[-1].at, len(failing), reason)


def _most_common(reasons: Iterable[str]) -> str:
    counts = Counter(r for r in reasons if r)
    return counts.most_common(1)[0][0] if counts else ""
