"""The payload of each alert: JSON for the webhook, and the Spanish title and text for people.

Contract (pure): :func:`health_payload` and :func:`certificate_payload` return a JSON-ready
dict with ``tipo`` (``prepcheck-alerta``), ``version``, ``evento``, ``titulo``, ``mensaje``
(Spanish, one sentence or two), ``difusor``, ``nombre``, ``eleccion``, ``momento`` (election
time, ISO) and ``detalle`` (the facts behind it). The outbox adds the unique ``id``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prepcheck.campaign.alerts.transitions import BEHIND, DOWN, RECOVERED
from prepcheck.campaign.live.state import LiveRow
from prepcheck.checks.monitor.evaluate import Rules
from prepcheck.spanish import local_iso, local_text

PAYLOAD_VERSION = 1


def health_payload(row: LiveRow, event: str, election: str, rules: Rules) -> dict[str, Any]:
    """The alert of a health transition (``caido``, ``atrasado``, ``recuperado``)."""
    title, text = _health_text(row, event, rules)
    return _payload(event, title, text, row.difusor, row.label, election, row.at, rules) | {
        "detalle": row.to_json(rules)
    }


def certificate_payload(
    name: str, label: str, expiry: datetime, limit: datetime, election: str, rules: Rules
) -> dict[str, Any]:
    """The alert of a certificate that expires before ``limit`` (window end plus margin)."""
    text = (
        f"El certificado de {label} vence el {local_text(expiry, rules.tz)}, antes del "
        f"{local_text(limit, rules.tz)} (fin de la ventana de publicación más el margen). "
        "Renuévelo e instálelo antes de la jornada."
    )
    now = datetime.now(expiry.tzinfo)
    payload = _payload(
        "certificado-por-vencer",
        f"{label}: certificado por vencer",
        text,
        name,
        label,
        election,
        now,
        rules,
    )
    return payload | {"detalle": {"vence": local_iso(expiry, rules.tz)}}


def _health_text(row: LiveRow, event: str, rules: Rules) -> tuple[str, str]:
    when = row.at.astimezone(rules.tz).strftime("%H:%M:%S")
    left = _left(row.minutes_left)
    limit = f"el OPLE interrumpe la difusión al {rules.missed_limit}.º periodo fallido seguido"
    if event == DOWN:
        return (
            f"{row.label}: CAÍDO",
            f"{row.label} no responde desde las {when} ({row.reason}); {limit}{left}.",
        )
    if event == BEHIND:
        behind = (
            "sin corte legible"
            if row.lag_periods is None
            else f"{row.lag_periods} periodos detrás del oficial"
        )
        return (
            f"{row.label}: ATRASADO",
            f"{row.label} muestra el corte {_clock(row.corte, rules)} y el oficial es "
            f"{_clock(row.official, rules)} ({behind}) desde las {when}; {limit}{left}.",
        )
    assert event == RECOVERED
    return (
        f"{row.label}: recuperado",
        f"{row.label} está de nuevo en línea y al día (corte {_clock(row.corte, rules)}) "
        f"desde las {when}.",
    )


def _payload(
    event: str,
    title: str,
    text: str,
    name: str,
    label: str,
    election: str,
    at: datetime,
    rules: Rules,
) -> dict[str, Any]:
    return {
        "tipo": "prepcheck-alerta",
        "version": PAYLOAD_VERSION,
        "evento": event,
        "titulo": title,
        "mensaje": text,
        "difusor": name,
        "nombre": label,
        "eleccion": election,
        "momento": local_iso(at, rules.tz),
    }


def _clock(moment: datetime | None, rules: Rules) -> str:
    return "—" if moment is None else moment.astimezone(rules.tz).strftime("%d/%m %H:%M")


def _left(minutes: float | None) -> str:
    if minutes is None:
        return ""
    if minutes <= 0:
        return " (ya se alcanzó)"
    return f" (faltan {timedelta(minutes=minutes).total_seconds() / 60:.0f} min)"
