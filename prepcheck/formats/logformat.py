"""Access-log line formats: named presets and Apache ``LogFormat`` / nginx ``log_format`` strings.

Contract: ``compile_format(spec)`` accepts ``combined`` (= ``apache-combined``,
``nginx-combined``), ``common``, an Apache LogFormat string (``%h %l %u %t "%r" %>s %b ...``) or
an nginx log_format string (``$remote_addr - $remote_user [$time_local] "$request" ...``) and
returns a ``LogFormat`` whose ``parse(line)`` gives a ``LogRecord`` or ``None`` for a line that
does not match (never raises on log content). An unknown directive raises ``ValueError`` naming
it. ``LogFormat.fields`` says which statistics fields the format carries; ``REQUIRED_FIELDS``
are those the memoria needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
COMMON = '%h %l %u %t "%r" %>s %b'
PRESETS: dict[str, str] = {
    "combined": COMBINED,
    "apache-combined": COMBINED,
    "nginx-combined": COMBINED,  # nginx's built-in combined prints the same shape
    "common": COMMON,
}
REQUIRED_FIELDS = frozenset(
    {"client", "time", "request", "status", "bytes", "referrer", "user_agent"}
)
FIELD_LABELS_ES: dict[str, str] = {
    "client": "dirección del cliente",
    "time": "fecha y hora",
    "request": "línea de solicitud",
    "status": "código de estado",
    "bytes": "bytes enviados",
    "referrer": "página de origen (Referer)",
    "user_agent": "agente de usuario (User-Agent)",
}

_QUOTED = r'(?:[^"\\]|\\.)*'
_TOKEN = r"\S+"
_TIME_CLF = r"\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}"
_TIME_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)"

# directive -> (field name or None, pattern). Quoted context is handled by the caller.
_APACHE: dict[str, tuple[str | None, str]] = {
    "h": ("client", _TOKEN),
    "a": ("client", _TOKEN),
    "l": (None, _TOKEN),
    "u": (None, _TOKEN),
    "t": ("time", r"\[" + _TIME_CLF + r"\]"),
    "r": ("request", _QUOTED),
    "s": ("status", r"\d{3}|-"),
    ">s": ("status", r"\d{3}|-"),
    "b": ("bytes", r"\d+|-"),
    "B": ("bytes", r"\d+"),
    "O": ("bytes", r"\d+|-"),
}
_APACHE_HEADERS: dict[str, str] = {"referer": "referrer", "user-agent": "user_agent"}
_NGINX: dict[str, tuple[str | None, str]] = {
    "remote_addr": ("client", _TOKEN),
    "time_local": ("time", _TIME_CLF),
    "time_iso8601": ("time", _TIME_ISO),
    "request": ("request", _QUOTED),
    "status": ("status", r"\d{3}"),
    "body_bytes_sent": ("bytes", r"\d+"),
    "bytes_sent": ("bytes", r"\d+"),
    "http_referer": ("referrer", _QUOTED),
    "http_user_agent": ("user_agent", _QUOTED),
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One access: ``time`` is timezone-aware; ``method``/``path`` are None for a garbled
    request line; ``user_agent``/``referrer`` None when the format lacks them or logged ``-``."""

    client: str
    time: datetime
    method: str | None
    path: str | None
    status: int | None
    bytes: int
    referrer: str | None
    user_agent: str | None


@dataclass(frozen=True)
class LogFormat:
    """A compiled line format; ``parse`` returns None for lines that do not match."""

    spec: str
    fields: frozenset[str]
    regex: re.Pattern[str]

    @property
    def missing(self) -> frozenset[str]:
        """Required statistics fields this format does not carry."""
        return REQUIRED_FIELDS - self.fields

    def parse(self, line: str) -> LogRecord | None:
        match = self.regex.fullmatch(line.rstrip("\r\n"))
        if match is None:
            return None
        groups = match.groupdict()
        moment = parse_time(groups.get("time") or "")
        if moment is None or not groups.get("client"):
            return None
        method, path = _request(groups.get("request"))
        return LogRecord(
            client=groups["client"],
            time=moment,
            method=method,
            path=path,
            status=_int_or_none(groups.get("status")),
            bytes=_int_or_none(groups.get("bytes")) or 0,
            referrer=_dash_none(groups.get("referrer")),
            user_agent=_dash_none(groups.get("user_agent")),
        )


def compile_format(spec: str) -> LogFormat:
    """Compile a preset name, an Apache LogFormat or an nginx log_format string."""
    text = PRESETS.get(spec.strip().lower(), spec)
    if "$" in text and "%" not in text:
        parts, fields = _compile_nginx(text)
    else:
        parts, fields = _compile_apache(text)
    return LogFormat(spec, frozenset(fields), re.compile("".join(parts)))


def _compile_apache(text: str) -> tuple[list[str], set[str]]:
    directive = re.compile(r"%(?:%|[<>]?(?:\{([^}]*)\})?([<>]?[a-zA-Z]))")
    parts: list[str] = []
    fields: set[str] = set()
    position = 0
    for match in directive.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        position = match.end()
        if match.group(0) == "%%":
            parts.append("%")
            continue
        argument, letter = match.group(1), match.group(2)
        field, pattern = _apache_directive(letter, argument)
        parts.append(_group(field, pattern, fields))
    parts.append(re.escape(text[position:]))
    return parts, fields


def _apache_directive(letter: str, argument: str | None) -> tuple[str | None, str]:
    if letter in ("i", "o", "e", "n", "C"):
        field = _APACHE_HEADERS.get((argument or "").lower()) if letter == "i" else None
        return field, _QUOTED
    if letter in _APACHE and argument is None:
        return _APACHE[letter]
    if letter in ("D", "T", "p", "P", "k", "I"):
        return None, r"\S+"
    if letter in ("v", "V", "m", "U", "q", "H", "f", "R", "X", "L"):
        return None, _QUOTED
    raise ValueError(
        f"la directiva %{'{' + argument + '}' if argument else ''}{letter} de LogFormat no se "
        "reconoce"
    )


def _compile_nginx(text: str) -> tuple[list[str], set[str]]:
    variable = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
    parts: list[str] = []
    fields: set[str] = set()
    position = 0
    for match in variable.finditer(text):
        parts.append(re.escape(text[position : match.start()]))
        position = match.end()
        name = match.group(1) or match.group(2)
        field, pattern = _NGINX.get(name, (None, _QUOTED))
        parts.append(_group(field, pattern, fields))
    parts.append(re.escape(text[position:]))
    return parts, fields


def _group(field: str | None, pattern: str, fields: set[str]) -> str:
    """A named group for the first occurrence of a field; later repeats only match."""
    if field is None or field in fields:
        return f"(?:{pattern})"
    fields.add(field)
    return f"(?P<{field}>{pattern})"


_TZ_CACHE: dict[str, timezone] = {}


_LAST_TIME: list[tuple[str, datetime | None]] = [("", None)]


def parse_time(text: str) -> datetime | None:
    """``[06/Jun/2021:19:00:00 -0500]`` (brackets optional) or ISO 8601; None if invalid."""
    last_text, last_value = _LAST_TIME[0]
    if text == last_text:  # consecutive lines mostly share their second
        return last_value
    value = _parse_time(text.strip("[]"))
    _LAST_TIME[0] = (text, value)
    return value


def _parse_time(text: str) -> datetime | None:
    try:
        if "/" in text:
            day, month, rest = text.split("/", 2)
            year, hour, minute, tail = rest.split(":", 3)
            second, offset = tail.split(" ")
            return datetime(
                int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second),
                tzinfo=_offset(offset),
            )  # fmt: skip
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, KeyError):
        return None
    return moment if moment.tzinfo else None


def _offset(text: str) -> timezone:
    zone = _TZ_CACHE.get(text)
    if zone is None:
        if len(text) != 5 or text[0] not in "+-" or not text[1:].isdigit():
            raise ValueError(text)
        minutes = int(text[1:3]) * 60 + int(text[3:5])
        zone = timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))
        _TZ_CACHE[text] = zone
    return zone


def _request(text: str | None) -> tuple[str | None, str | None]:
    """``GET /a?b HTTP/1.1`` -> ("GET", "/a?b"); garbled or ``-`` -> (None, None)."""
    if not text:
        return None, None
    parts = text.split(" ")
    if len(parts) not in (2, 3) or not parts[0].isalpha() or not parts[1].startswith(("/", "http")):
        return None, None
    return parts[0].upper(), parts[1]


def _dash_none(value: str | None) -> str | None:
    if value is None or value in ("", "-"):
        return None
    return value.replace('\\"', '"')


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
