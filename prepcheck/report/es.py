"""es-MX text for what people read: moments in election time, numbers, sizes, durations.

Contract: pure functions, never raising for odd input (a report is rendered from whatever a
results.json holds): a value that cannot be read is returned as given, as text. Moments are
ISO 8601 texts (UTC as stored, or with any offset) shown in the election's local time, given
as ``utc_offset`` ``±HH:MM``: «1 de diciembre de 2026, 14:05 (UTC−06:00)».
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from prepcheck.spanish import agreeing

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
MINUS = "\u2212"  # the minus sign, not a hyphen, in «UTC−06:00»


def zone(utc_offset: str) -> timezone:
    """The fixed zone of ``±HH:MM``; UTC when the text is not an offset."""
    match = _OFFSET.match(utc_offset or "")
    if match is None:
        return UTC
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def zone_label(utc_offset: str) -> str:
    """``UTC−06:00`` (with a true minus sign) for ``-06:00``."""
    tz = zone(utc_offset)
    minutes = int((tz.utcoffset(None) or timedelta(0)).total_seconds() // 60)
    sign = MINUS if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_moment(value: Any) -> datetime | None:
    """An aware datetime from ISO text (naive text is taken as UTC); None if unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local(value: Any, utc_offset: str) -> datetime | None:
    """``value`` (ISO text) in election time; None if unreadable."""
    moment = parse_moment(value)
    return None if moment is None else moment.astimezone(zone(utc_offset))


def moment_text(
    value: Any, utc_offset: str, *, seconds: bool = False, zone_shown: bool = True
) -> str:
    """«1 de diciembre de 2026, 14:05 (UTC−06:00)»; ``value`` as text if unreadable."""
    moment = local(value, utc_offset)
    if moment is None:
        return "—" if value in (None, "") else str(value)
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    text = f"{moment.day} de {MONTHS[moment.month - 1]} de {moment.year}, {clock}"
    return f"{text} ({zone_label(utc_offset)})" if zone_shown else text


def span_text(start: Any, end: Any, utc_offset: str) -> str:
    """«1 de diciembre de 2026, de 14:05 a 14:09 (UTC−06:00)» (both ends dated when the days
    differ)."""
    first, last = local(start, utc_offset), local(end, utc_offset)
    if first is None or last is None:
        return f"{moment_text(start, utc_offset)} – {moment_text(end, utc_offset)}"
    if first.date() == last.date():
        day = moment_text(start, utc_offset, zone_shown=False).split(",")[0]
        return f"{day}, de {first:%H:%M} a {last:%H:%M} ({zone_label(utc_offset)})"
    return (
        f"del {moment_text(start, utc_offset, zone_shown=False)} al "
        f"{moment_text(end, utc_offset, zone_shown=False)} ({zone_label(utc_offset)})"
    )


def date_text(value: Any) -> str:
    """«1 de diciembre de 2026» for ``2026-12-01`` (a calendar date, no zone)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year, month, day = (int(part) for part in value.split("-"))
        if 1 <= month <= 12:
            return f"{day} de {MONTHS[month - 1]} de {year}"
    return "—" if value in (None, "") else str(value)


def clock_text(value: Any, utc_offset: str) -> str:
    """``14:05`` in election time (for picture axes); ``value`` as text if unreadable."""
    moment = local(value, utc_offset)
    return str(value) if moment is None else f"{moment:%H:%M}"


def number(value: Any, decimals: int | None = None) -> str:
    """es-MX grouping (``1,234,567.8``); integers without decimals; ``—`` for None."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if decimals is None:
        if isinstance(value, int) or float(value).is_integer():
            return f"{int(value):,}"
        decimals = 2 if abs(value) < 100 else 1
    return f"{value:,.{decimals}f}"


def percent(value: Any, decimals: int = 2) -> str:
    """``0.0123`` → «1.23 %» (a ratio, not a percentage)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else str(value)
    return f"{value * 100:,.{decimals}f} %"


def size(value: Any) -> str:
    """Bytes in kB, MB or GB (decimal units, as the checks count them)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else str(value)
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:,.2f} {unit}"
    return f"{int(value):,} bytes"


def duration(seconds: Any) -> str:
    """«2 h 05 min», «3 min 20 s», «45 s», «0.35 s»; ``—`` for None."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return "—" if seconds is None else str(seconds)
    if seconds < 10 and not float(seconds).is_integer():
        return f"{seconds:.2f} s"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def yes_no(value: Any) -> str:
    """«sí» / «no» for booleans; anything else as text."""
    if value is True:
        return "sí"
    if value is False:
        return "no"
    return "—" if value is None else str(value)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """«1 verificación», «3 verificaciones»."""
    return f"{number(count)} {agreeing(count, singular, plural_form or singular + 's')}"


def sentence(text: str) -> str:
    """``text`` with its first letter upper-cased and a closing period; unlike
    ``str.capitalize`` the rest is kept as written (CA, TLS, nginx)."""
    return text[:1].upper() + text[1:] + "."


#: The load test's shapes, as a reader calls them.
LOAD_SHAPES = {"steady": "carga sostenida", "spike": "pico de apertura"}
