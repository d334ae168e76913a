"""The corte in local election time: the package file name and the human-readable stamp.

Contract: a naive corte is local election time in ``utc_offset`` (default UTC-5), an aware one
is converted; :func:`package_name` is ``YYYYMMDD_HHMM_PREP_VER.<fmt>`` and raises ValueError
for a format other than zip or tar.gz; :func:`corte_text` is ``06/06/2021 21:15 (UTC-5)``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prepcheck.sample.data import ELECTION_TZ


def package_name(corte: datetime, fmt: str, *, utc_offset: timezone | None = None) -> str:
    """``YYYYMMDD_HHMM_PREP_VER.zip`` (or ``.tar.gz``) from the corte in local election time."""
    if fmt not in ("zip", "tar.gz"):
        raise ValueError(f"unknown package format {fmt!r}; expected 'zip' or 'tar.gz'")
    return f"{localize(corte, utc_offset):%Y%m%d_%H%M}_PREP_VER.{fmt}"


def localize(corte: datetime, utc_offset: timezone | None = None) -> datetime:
    """Naive = local election time in ``utc_offset`` (default UTC-5); aware is converted."""
    tz = utc_offset or ELECTION_TZ
    return corte.replace(tzinfo=tz) if corte.tzinfo is None else corte.astimezone(tz)


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
