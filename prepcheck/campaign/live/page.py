"""The live board files: ``OUT/en-vivo.json`` and ``OUT/en-vivo.html``, rewritten each round.

Contract: :func:`write_live` writes both atomically (temporary file and rename, mode 0644), the
JSON first; the page is Spanish, self-contained (no external request, no script), reloads
itself every ``refresh`` seconds with ``<meta http-equiv="refresh">``, escapes every text a site
could influence (Jinja2 autoescape) and reads at 390 px (rows become cards).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from prepcheck.campaign.live.state import LiveRow
from prepcheck.checks.monitor.evaluate import Rules
from prepcheck.results import now_iso, write_json
from prepcheck.results.store import write_text
from prepcheck.spanish import duration_es, local_text, zone_text

LIVE_HTML = "en-vivo.html"
LIVE_JSON = "en-vivo.json"
LIVE_FILES = (LIVE_HTML, LIVE_JSON)
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Header:
    """What the page says about the monitoring session."""

    election: str
    since: datetime
    round: int
    refresh: int


def live_document(header: Header, rows: Sequence[LiveRow], rules: Rules) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "eleccion": header.election,
        "generado": now_iso(),
        "ronda": header.round,
        "desde": local_text(header.since, rules.tz),
        "periodo_segundos": rules.period.total_seconds(),
        "periodo_simulado": rules.simulated,
        "limite_periodos": rules.missed_limit,
        "recarga_segundos": header.refresh,
        "difusores": [row.to_json(rules) for row in rows],
    }


def write_live(out_dir: Path, header: Header, rows: Sequence[LiveRow], rules: Rules) -> Path:
    """Write both files (see the module contract); returns the page's path."""
    document = live_document(header, rows, rules)
    write_json(document, out_dir / LIVE_JSON)
    page = out_dir / LIVE_HTML
    write_text(page, render_page(document, rules))
    return page


def render_page(document: dict[str, Any], rules: Rules) -> str:
    environment = Environment(
        loader=PackageLoader("prepcheck.campaign", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    rows = [_display(row, rules) for row in document["difusores"]]
    return environment.get_template("en-vivo.html.j2").render(
        election=document["eleccion"],
        generated=local_text(datetime.fromisoformat(document["generado"]), rules.tz),
        round=document["ronda"],
        refresh=document["recarga_segundos"],
        since=document["desde"],
        period=duration_es(rules.period),
        simulated=rules.simulated,
        missed_limit=rules.missed_limit,
        zone=zone_text(rules.tz),
        rows=rows,
    )


def _display(row: dict[str, Any], rules: Rules) -> dict[str, Any]:
    left = row["minutos_para_interrupcion"]
    lag = row["atraso_periodos"]
    return {
        **row,
        "corte_texto": _clock(row["corte"]),
        "oficial_texto": _clock(row["corte_oficial"]),
        "atraso_texto": "—" if lag is None else f"{lag} periodo{'s' if lag != 1 else ''}",
        "restante_texto": _left(left),
        "urgente": left is not None,
        "disponibilidad_texto": f"{row['disponibilidad_pct']:.3f} %",
    }


def _clock(iso: str | None) -> str:
    if iso is None:
        return "—"
    return datetime.fromisoformat(iso).strftime("%d/%m %H:%M")


def _left(minutes: float | None) -> str:
    if minutes is None:
        return "al día"
    if minutes <= 0:
        return "interrupción alcanzada"
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    return f"{minutes:.0f} min"
