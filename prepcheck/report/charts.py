"""Geometry of the report's pictures, computed from evidence; the SVG is drawn by templates.

Contract: pure functions from a record's evidence to a picture's data (or None when the
evidence has no series to draw); never raising for odd evidence. Coordinates are in the
units of each picture's ``viewBox``; texts are plain (the templates escape them). Pictures:

- ``timeline``: the monitor's update periods (``serie_periodos``) as coloured runs, the
  interruption point marked, with start and end times in election time;
- ``load_chart``: p50/p95/p99 latency and throughput over time (``serie``) with the
  threshold lines (``umbrales``);
- ``grade``: the SSL-Labs-style letter (``tope_ssl_labs``) and the reasons that cap it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prepcheck.report import es

# -- timeline ---------------------------------------------------------------------------------

#: Period state letters of ``serie_periodos.estados`` → (css class, Spanish label), in legend
#: order.
PERIOD_STATES: dict[str, tuple[str, str]] = {
    "o": ("ok", "al día"),
    "r": ("late", "atrasado (corte viejo o ilegible)"),
    "c": ("down", "caído (sin respuesta 200)"),
    "d": ("unknown", "sin corte oficial para comparar"),
    "-": ("none", "sin sondeos"),
}


@dataclass(frozen=True)
class Run:
    x: int
    width: int
    css: str
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    runs: tuple[Run, ...]
    marker_x: float | None
    marker_label: str
    start: str
    end: str
    legend: tuple[tuple[str, str], ...]
    summary: str


def timeline(evidence: Mapping[str, Any], utc_offset: str) -> Timeline | None:
    """The update periods of ``serie_periodos`` (see the module contract); None without it."""
    series = evidence.get("serie_periodos")
    if not isinstance(series, Mapping):
        return None
    states = series.get("estados")
    seconds = _positive(series.get("periodo_segundos"))
    per_mark = _positive(series.get("periodos_por_marca")) or 1
    start = es.parse_moment(series.get("inicio"))
    if not isinstance(states, str) or not states or seconds is None or start is None:
        return None
    mark = timedelta(seconds=seconds * per_mark)
    runs = _runs(states)
    marker_x, marker_label = None, ""
    interruption = es.parse_moment(evidence.get("interrupcion"))
    if interruption is not None:
        marker_x = max(0.0, min(len(states), (interruption - start) / mark))
        marker_label = "interrupción: " + es.moment_text(
            evidence.get("interrupcion"), utc_offset, seconds=True
        )
    present = [letter for letter in PERIOD_STATES if letter in states]
    legend = tuple(PERIOD_STATES[letter] for letter in present)
    counted = ", ".join(f"{PERIOD_STATES[letter][1]}: {states.count(letter)}" for letter in present)
    unit = "periodo" if per_mark == 1 else f"grupo de {per_mark:g} periodos"
    summary = f"{len(states)} marcas (una por {unit}); {counted}"
    availability = _positive(evidence.get("disponibilidad_pct"))
    if availability is not None:
        target = _positive(evidence.get("meta_pct"))
        goal = f" (meta {target:g} %)" if target is not None else ""
        summary += f". Disponibilidad hasta ahora: {es.number(availability, 3)} %{goal}"
    return Timeline(
        width=len(states),
        runs=runs,
        marker_x=marker_x,
        marker_label=marker_label,
        start=es.moment_text(start.isoformat(), utc_offset, seconds=True),
        end=es.moment_text((start + mark * len(states)).isoformat(), utc_offset, seconds=True),
        legend=legend,
        summary=summary,
    )


def _runs(states: str) -> tuple[Run, ...]:
    runs: list[Run] = []
    begin = 0
    for index in range(1, len(states) + 1):
        if index == len(states) or states[index] != states[begin]:
            css, label = PERIOD_STATES.get(states[begin], ("none", "sin dato"))
            runs.append(Run(begin, index - begin, css, label))
            begin = index
    return tuple(runs)


def _positive(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value > 0 and math.isfinite(value) else None


# -- load chart -------------------------------------------------------------------------------

#: Plot area of each load panel inside its 400 × 150 viewBox.
LEFT, RIGHT, TOP, BOTTOM = 46.0, 392.0, 12.0, 122.0


@dataclass(frozen=True)
class Line:
    """A series as polyline segments (gaps where Locust had no value)."""

    label: str
    css: str
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A horizontal threshold line and its label; ``y`` None when off the scale."""

    label: str
    css: str
    y: float | None


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    lines: tuple[Line, ...]
    rules: tuple[Rule, ...]
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class LoadChart:
    panels: tuple[Panel, ...]
    summary: str


def load_chart(evidence: Mapping[str, Any]) -> LoadChart | None:
    """Latency and throughput panels of ``serie`` with ``umbrales`` (see the module contract)."""
    series = evidence.get("serie")
    if not isinstance(series, Mapping):
        return None
    times = _numbers(series.get("segundos"))
    if len([t for t in times if t is not None]) < 2:
        return None
    xs = [t if t is not None else 0.0 for t in times]
    limits = evidence.get("umbrales") if isinstance(evidence.get("umbrales"), Mapping) else {}
    assert isinstance(limits, Mapping)
    # The opening spike is judged on its error rate and p99 only: no other line is drawn.
    judged_on_all = evidence.get("forma") != "spike"
    latency = _panel(
        "Latencia",
        "ms",
        xs,
        [
            ("p50", "p50", _numbers(series.get("p50_ms"))),
            ("p95", "p95", _numbers(series.get("p95_ms"))),
            ("p99", "p99", _numbers(series.get("p99_ms"))),
        ],
        [
            ("umbral p95", "rule-p95", _positive(limits.get("p95_ms")) if judged_on_all else None),
            ("umbral p99", "rule-p99", _positive(limits.get("p99_ms"))),
        ],
    )
    target = _positive(limits.get("sol_por_segundo_objetivo")) if judged_on_all else None
    ratio = _positive(limits.get("proporcion_minima_del_objetivo"))
    throughput = _panel(
        "Solicitudes por segundo",
        "sol/s",
        xs,
        [
            ("logradas", "rate", _numbers(series.get("sol_por_segundo"))),
            ("fallidas", "failures", _numbers(series.get("fallas_por_segundo"))),
        ],
        [
            ("objetivo", "rule-target", target),
            ("mínimo aceptable", "rule-floor", target * ratio if target and ratio else None),
        ],
    )
    duration = xs[-1] - xs[0]
    summary = (
        f"{len(xs)} puntos en {es.duration(duration)}: latencia p50, p95 y p99 y "
        "solicitudes por segundo, con sus umbrales"
    )
    return LoadChart((latency, throughput), summary)


def _numbers(values: Any) -> list[float | None]:
    if not isinstance(values, Sequence) or isinstance(values, str):
        return []
    return [
        float(v)
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        else None
        for v in values
    ]


def _panel(
    title: str,
    unit: str,
    xs: Sequence[float],
    series: Sequence[tuple[str, str, list[float | None]]],
    rules: Sequence[tuple[str, str, float | None]],
) -> Panel:
    peak = max((v for _, _, values in series for v in values if v is not None), default=0.0)
    top = nice(max(peak * 1.1, 1.0))
    for _, _, value in rules:
        # A threshold near the data is drawn (the scale grows to hold it); one far above it
        # would squash the data into the floor, so it is named in the legend instead.
        if value is not None and top < value <= max(3 * peak, 1.0):
            top = nice(value * 1.05)
    x0, x1 = xs[0], max(xs[-1], xs[0] + 1e-9)

    def sx(x: float) -> float:
        return LEFT + (RIGHT - LEFT) * (x - x0) / (x1 - x0)

    def sy(y: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * min(y, top) / top

    lines = tuple(
        Line(label, css, _segments(xs, values, sx, sy)) for label, css, values in series if values
    )
    drawn = tuple(
        Rule(
            _rule_label(label, value, unit, top),
            css,
            round(sy(value), 2) if value is not None and value <= top else None,
        )
        for label, css, value in rules
        if value is not None
    )
    y_ticks = tuple((round(sy(v), 2), es.number(v)) for v in (0.0, top / 2, top))
    x_ticks = tuple(
        (round(sx(x0 + f * (x1 - x0)), 2), f"{(f * (x1 - x0)):.0f} s") for f in (0.0, 0.5, 1.0)
    )
    return Panel(title, unit, lines, drawn, y_ticks, x_ticks)


def _rule_label(label: str, value: float, unit: str, top: float) -> str:
    text = f"{label}: {es.number(value)} {unit}"
    return text if value <= top else f"{text} (por encima de la escala)"


def _segments(
    xs: Sequence[float], values: Sequence[float | None], sx: Any, sy: Any
) -> tuple[str, ...]:
    segments: list[str] = []
    current: list[str] = []
    for x, y in zip(xs, values, strict=False):
        if y is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        current.append(f"{sx(x):.1f},{sy(y):.1f}")
    if current:
        segments.append(" ".join(current))
    # A lone point is drawn as a tiny segment so that it shows.
    return tuple(s if " " in s else f"{s} {s}" for s in segments)


def nice(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (a readable axis top)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        candidate = step * 10**exponent
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10.0 ** (exponent + 1)


# -- TLS grade --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    letter: str
    css: str
    reasons: tuple[str, ...]
    summary: str


_GRADE_CSS = {"A": "grade-a", "B": "grade-b", "C": "grade-c"}


def grade(evidence: Mapping[str, Any]) -> Grade | None:
    """The grade of ``tope_ssl_labs``: its ``letra`` (or the cap, or A when nothing caps it)."""
    cap = evidence.get("tope_ssl_labs")
    if not isinstance(cap, Mapping):
        return None
    letter = cap.get("letra") or cap.get("tope") or "A"
    if not isinstance(letter, str) or len(letter) > 2:
        return None
    reasons = cap.get("motivos") if isinstance(cap.get("motivos"), list) else []
    assert isinstance(reasons, list)
    texts = tuple(str(reason) for reason in reasons)
    summary = f"Calificación TLS al estilo SSL Labs: {letter}" + (
        f", limitada por: {'; '.join(texts)}" if texts else ", sin topes"
    )
    return Grade(letter, _GRADE_CSS.get(letter, "grade-f"), texts, summary)
