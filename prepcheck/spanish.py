"""Spanish (es-MX) renderings of counts, durations, moments and HTTP statuses for messages and
evidence."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """«1 página», «3 páginas» (``plural`` for nouns not made by adding an s)."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def agreeing(count: int, singular: str, plural: str) -> str:
    """The verb form agreeing with ``count``: «difiere» for 1, «difieren» otherwise."""
    return singular if count == 1 else plural


def duration_es(delta: timedelta) -> str:
    """``2 h 5 min``, ``6 días 4 h``, ``45 s``: the two largest non-zero units."""
    seconds = max(0, round(delta.total_seconds()))
    units = (("día", "días", 86400), ("h", "h", 3600), ("min", "min", 60), ("s", "s", 1))
    parts: list[str] = []
    for singular, plural, size in units:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount} {singular if amount == 1 else plural}")
    return " ".join(parts[:2]) or "0 s"


def local_iso(moment: datetime, tz: tzinfo) -> str:
    """ISO text in election time (seconds precision; milliseconds when under a second)."""
    local = moment.astimezone(tz)
    spec = "milliseconds" if local.microsecond else "seconds"
    return local.isoformat(timespec=spec)


def local_text(moment: datetime, tz: tzinfo) -> str:
    """``06/06/2021 21:15:03`` in election time."""
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S")


def zone_text(tz: tzinfo | None, at: datetime | None = None) -> str:
    """``UTC−06:00``: the offset ``tz`` has at ``at`` (now by default; None: this host's)."""
    offset = (at or datetime.now(tz)).astimezone(tz).strftime("%z")
    return f"UTC{'−' if offset.startswith('-') else '+'}{offset[1:3]}:{offset[3:5]}"


_STATUS_PHRASES = {
    400: "solicitud rechazada",
    401: "requiere autenticación",
    402: "requiere pago",
    403: "acceso prohibido",
    404: "no encontrada",
    407: "requiere autenticación de proxy",
    410: "ya no existe",
    429: "demasiadas solicitudes",
    500: "error interno del servidor",
    502: "puerta de enlace con error",
    503: "servicio no disponible",
    504: "la puerta de enlace no respondió a tiempo",
}


def status_phrase(status: int) -> str:
    """``HTTP 404 (no encontrada)``: a status with its meaning in Spanish."""
    meaning = _STATUS_PHRASES.get(status)
    if meaning is None and 200 <= status < 300:
        meaning = "respuesta correcta"
    elif meaning is None and 300 <= status < 400:
        meaning = "redirección"
    elif meaning is None:
        meaning = "error del cliente" if 400 <= status < 500 else "error del servidor"
    return f"HTTP {status} ({meaning})"
