"""What the live board shows for each difusor, computed from the probes seen so far.

Contract (pure): :func:`live_row` takes a difusor's observations of this monitoring session
(oldest first) and the rules; ``up`` is the latest probe reachable (HTTP 200 in time);
``lag_periods`` is how many update intervals the difusor's corte is behind the official one;
``minutes_left`` is the time until the OPLE's interruption (the start of the
``missed_limit``-th consecutive failed period, as ``freshness.missed-periods`` judges), None
while the current period has a fresh probe, ≤ 0 once reached; ``level`` is what alerts track:
``caido`` (down), ``atrasado`` (up but ``missed_limit - 1`` periods behind or more, or no corte)
or ``ok``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from prepcheck.checks.monitor.evaluate import Rules
from prepcheck.checks.monitor.periods import PeriodState, periods
from prepcheck.snapshots.monitor import Observation
from prepcheck.spanish import local_iso

Level = Literal["ok", "atrasado", "caido"]
LEVEL_LABELS: dict[str, str] = {"ok": "En línea", "atrasado": "Atrasado", "caido": "Caído"}


@dataclass(frozen=True)
class LiveRow:
    """One difusor on the live board."""

    difusor: str
    label: str
    url: str
    at: datetime
    up: bool
    reason: str
    corte: datetime | None
    official: datetime | None
    lag_periods: int | None
    minutes_left: float | None
    availability_pct: float
    probes: int
    level: Level

    def to_json(self, rules: Rules) -> dict[str, Any]:
        tz = rules.tz
        return {
            "difusor": self.difusor,
            "nombre": self.label,
            "url": self.url,
            "sondeo": local_iso(self.at, tz),
            "en_linea": self.up,
            "nivel": self.level,
            "estado": LEVEL_LABELS[self.level],
            "motivo": self.reason,
            "corte": local_iso(self.corte, tz) if self.corte else None,
            "corte_oficial": local_iso(self.official, tz) if self.official else None,
            "atraso_periodos": self.lag_periods,
            "minutos_para_interrupcion": (
                None if self.minutes_left is None else round(self.minutes_left, 1)
            ),
            "disponibilidad_pct": round(self.availability_pct, 3),
            "sondeos": self.probes,
        }


def live_row(label: str, observations: Sequence[Observation], rules: Rules) -> LiveRow:
    """The board row of one difusor (see the module contract); ``observations`` not empty."""
    last = observations[-1]
    lag = last.lag()
    lag_periods = None if lag is None or not last.published else _periods_behind(lag, rules)
    reachable = sum(obs.reachable for obs in observations)
    return LiveRow(
        difusor=last.difusor,
        label=label,
        url=last.url,
        at=last.at,
        up=last.reachable,
        reason=last.reason(rules.interval),
        corte=last.corte if last.reachable else None,
        official=last.official_corte,
        lag_periods=lag_periods,
        minutes_left=minutes_left(observations, rules, last.at),
        availability_pct=100.0 * reachable / len(observations),
        probes=len(observations),
        level=_level(last, lag_periods, rules),
    )


def minutes_left(observations: Sequence[Observation], rules: Rules, now: datetime) -> float | None:
    """Minutes until the interruption point of the failed periods ending now (None: none)."""
    judged = periods(observations, rules.period, rules.interval)
    first = None
    for period in reversed(judged):
        if period.state is not PeriodState.FAILED:
            break
        first = period
    if first is None:
        return None
    interruption = first.start + rules.period * (rules.missed_limit - 1)
    return (interruption - now) / timedelta(minutes=1)


def _periods_behind(lag: timedelta, rules: Rules) -> int:
    return max(0, int(lag // rules.interval))


def _level(last: Observation, lag_periods: int | None, rules: Rules) -> Level:
    if not last.reachable:
        return "caido"
    behind = lag_periods is not None and lag_periods >= max(1, rules.missed_limit - 1)
    return "atrasado" if behind or not last.published else "ok"
