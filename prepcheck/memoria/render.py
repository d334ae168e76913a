"""Render ``memoria.html`` (Spanish, self-contained, printable) from ``memoria.json`` alone.

Contract: ``render_memoria(memoria_json, html_path)`` reads the JSON document and writes the
HTML through ``templates/memoria.html.j2``, which extends the report's page
(``prepcheck.report.environment``: same look, same Content-Security-Policy, readable at
390 px); no log text is ever read here. Numbers follow es-MX conventions (1,234,567.8);
durations read «1 h 02 min 03 s»; moments «1 de diciembre de 2026, 14:05 (UTC−06:00)».
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from prepcheck.report import es
from prepcheck.report.environment import environment
from prepcheck.report.facts.common import label, scalar
from prepcheck.results import write_text

_TEMPLATES = Path(__file__).with_name("templates")


def number(value: Any, decimals: int = 0) -> str:
    """es-MX grouping: comma thousands, point decimals; ``—`` for None."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def duration(seconds: Any) -> str:
    """``3723`` -> ``1 h 02 min 03 s``; ``None`` -> ``—``."""
    if seconds is None:
        return "—"
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def size(value: Any) -> str:
    """Bytes in MB or GB (decimal), es-MX grouping."""
    amount = float(value or 0)
    if amount >= 1e9:
        return f"{amount / 1e9:,.2f} GB"
    return f"{amount / 1e6:,.2f} MB"


def evidence_value(value: Any, utc_offset: str, key: str = "") -> str:
    """An evidence scalar as es-MX text; ISO moments in election time, ratios as percents,
    the load test's shape by its Spanish name."""
    if key.startswith("tasa_de_error"):
        return es.percent(value)
    if key == "forma":
        return es.LOAD_SHAPES.get(str(value), str(value))
    if isinstance(value, str) and "T" in value and es.parse_moment(value) is not None:
        return es.moment_text(value, utc_offset, seconds=True)
    return scalar(value)


@cache
def _environment() -> Environment:
    """The report's environment with the memoria's templates and number formats."""
    env = environment(_TEMPLATES).overlay()
    env.filters = {
        **env.filters,
        "number": number,
        "duration": duration,
        "size": size,
        "label": label,
        "evidence_value": evidence_value,
        "moment": lambda value, offset: es.moment_text(value, offset),
        "zone": es.zone_label,
    }
    return env


def render_memoria(memoria_json: Path, html_path: Path) -> Path:
    """Write ``html_path`` from ``memoria_json``; returns ``html_path``."""
    data = json.loads(memoria_json.read_text(encoding="utf-8"))
    days = data["estadisticas"]["por_dia"]
    peak = max((day["visitantes"] for day in days), default=0)
    html = (
        _environment()
        .get_template("memoria.html.j2")
        .render(m=data, peak=peak or 1, generated_day=_generated_day(data))
    )
    return write_text(html_path, html)


def _generated_day(data: dict[str, Any]) -> str:
    """The election-time date (ISO) the memoria was generated on; "" when unknown. Days of the
    period after it had not happened yet: their zeros are no measurement."""
    moment = es.local(data.get("generado"), data.get("periodo", {}).get("desfase_utc", "+00:00"))
    return moment.date().isoformat() if moment is not None else ""
