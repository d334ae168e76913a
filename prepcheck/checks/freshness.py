"""Corte freshness: reading a corte from main.json, and the ``freshness.corte-current`` rule."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from prepcheck.config import parse_utc_offset
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.http import HttpSnapshot

_HORA_CORTE = re.compile(
    r"(\d{2})/(\d{2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::\d{2})?\s*(?:\((UTC[+-]\d{1,2}(?::?\d{2})?)\))?"
)


def parse_corte(main_json: bytes, default_tz: timezone) -> datetime:
    """The corte named by a main.json: ISO ``corte`` key, else the ``horaCorte`` text.

    ``horaCorte`` looks like ``06/06/2021 21:15 (UTC-5)``; without an offset the election's
    ``default_tz`` applies. Raises ``ValueError`` saying what was missing.
    """
    document = json.loads(main_json)
    if not isinstance(document, dict):
        raise ValueError("main.json is not a JSON object")
    if isinstance(document.get("corte"), str):
        moment = datetime.fromisoformat(document["corte"])
        return moment if moment.tzinfo else moment.replace(tzinfo=default_tz)
    text = document.get("horaCorte")
    match = _HORA_CORTE.search(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError("main.json has neither 'corte' (ISO) nor a readable 'horaCorte'")
    day, month, year, hour, minute, offset = match.groups()
    tz = parse_utc_offset(offset) if offset else default_tz
    return datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def evaluate_corte_current(
    snapshot: HttpSnapshot,
    official: datetime | None,
    official_source: str,
    interval: timedelta,
    default_tz: timezone,
) -> CheckResult:
    """``freshness.corte-current``: the difusor's corte lags the latest official one by less
    than one update interval.

    Outcomes: unreachable / not 200 / unreadable main.json → ``error`` (fix: serve main.json);
    no official corte known → ``error`` (fix: configure official_packages_dir or
    official_main_json_url); lag ≥ interval → fail (fix: automate publishing of every corte);
    a corte newer than the official one → fail (fix: publish only official packages); else pass.
    """
    check = "freshness.corte-current"
    evidence: dict[str, object] = {
        "solicitud": snapshot.summary(),
        "fuente_oficial": official_source,
    }
    if not snapshot.ok or snapshot.status != 200:
        reason = snapshot.error or f"HTTP {snapshot.status}"
        return error(check, f"No se pudo leer main.json del difusor: {reason}", **evidence)
    try:
        published = parse_corte(snapshot.body, default_tz)
    except (ValueError, UnicodeDecodeError) as exc:
        return error(check, f"main.json del difusor no indica un corte legible: {exc}", **evidence)
    evidence["corte_difusor"] = published.isoformat()
    if official is None:
        return error(check, "No se conoce el último corte oficial", **evidence)
    lag = official - published
    evidence.update(
        corte_oficial=official.isoformat(),
        retraso_minutos=_minutes(lag),
        intervalo_minutos=_minutes(interval),
    )
    if lag < timedelta(0):
        return outcome(
            check,
            False,
            f"El difusor publica un corte ({published:%d/%m/%Y %H:%M}) posterior al último oficial",
            **evidence,
        )
    if lag >= interval:
        return outcome(
            check,
            False,
            f"El difusor está {_minutes(lag):g} min atrás del último "
            f"corte oficial ({official:%d/%m/%Y %H:%M})",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"Corte publicado {published:%d/%m/%Y %H:%M}: al día (retraso {_minutes(lag):g} min)",
        **evidence,
    )
