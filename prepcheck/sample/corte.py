"""The corte in local election time: offsets, the election's opening, file name and stamp.

Contract: a naive corte is local election time; an aware one is converted. Without an explicit
``utc_offset`` the offset is the one Veracruz (``America/Mexico_City`` in the tz database) had
at that moment: −05:00 in the summer while Mexico kept daylight saving time (until October
2022), −06:00 otherwise and ever since. :func:`default_election_start` is the last 19:00 at or
before the corte, in the corte's offset (a simulacro held any day opens like election night).
:func:`package_name` is ``YYYYMMDD_HHMM_PREP_VER.<fmt>`` and raises ValueError for a format
other than zip or tar.gz; :func:`corte_text` is ``06/06/2021 21:15 (UTC-5)``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

#: Veracruz keeps central Mexico time; the tz database holds its daylight-saving history.
ELECTION_ZONE = ZoneInfo("America/Mexico_City")
#: The PREP opens at 19:00 local time of election day.
OPENING = time(19, 0)


def package_name(corte: datetime, fmt: str, *, utc_offset: timezone | None = None) -> str:
    """``YYYYMMDD_HHMM_PREP_VER.zip`` (or ``.tar.gz``) from the corte in local election time."""
    if fmt not in ("zip", "tar.gz"):
        raise ValueError(f"unknown package format {fmt!r}; expected 'zip' or 'tar.gz'")
    return f"{localize(corte, utc_offset):%Y%m%d_%H%M}_PREP_VER.{fmt}"


def default_utc_offset(moment: datetime) -> timezone:
    """The fixed offset local election time had at ``moment`` (naive = local wall time)."""
    if moment.tzinfo is None:
        offset = moment.replace(tzinfo=ELECTION_ZONE).utcoffset()
    else:
        offset = moment.astimezone(ELECTION_ZONE).utcoffset()
    return timezone(offset or timedelta(0))


def localize(corte: datetime, utc_offset: timezone | None = None) -> datetime:
    """Naive = local election time in ``utc_offset`` (default: by date); aware is converted."""
    tz = utc_offset or default_utc_offset(corte)
    return corte.replace(tzinfo=tz) if corte.tzinfo is None else corte.astimezone(tz)


def default_election_start(corte: datetime) -> datetime:
    """The last 19:00 at or before ``corte`` (aware, local), in the corte's own offset."""
    start = datetime.combine(corte.date(), OPENING, tzinfo=corte.tzinfo)
    return start if start <= corte else start - timedelta(days=1)


def corte_text(corte: datetime) -> str:
    """``06/06/2021 21:15 (UTC-5)`` for an aware local corte."""
    return f"{corte:%d/%m/%Y %H:%M} ({offset_label(corte)})"


def offset_label(moment: datetime) -> str:
    """``UTC-5`` or ``UTC+5:30`` for an aware moment (minutes only when not whole hours)."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
