"""``Observation``: one probe of one difusor's main.json, as stored in the history.

Contract: an observation is plain data (no I/O). ``reachable`` means HTTP 200 within the bound;
``published`` adds a readable corte; ``fresh`` adds a known official corte that the difusor's
corte lags by less than one update interval (never ahead of it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prepcheck.spanish import status_phrase


@dataclass(frozen=True)
class Phases:
    """Per-phase timings in milliseconds (blackbox-style), None where httpx gave no event."""

    connect_ms: float | None = None
    tls_ms: float | None = None
    processing_ms: float | None = None
    transfer_ms: float | None = None


@dataclass(frozen=True)
class Observation:
    """What one attempt at a difusor's main.json saw, with the official corte at that moment."""

    difusor: str
    at: datetime  # aware, UTC
    url: str
    status: int | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    phases: Phases = field(default_factory=Phases)
    http_version: str = ""
    body_bytes: int = 0
    corte: datetime | None = None
    corte_error: str | None = None
    official_corte: datetime | None = None
    official_source: str = ""

    @property
    def reachable(self) -> bool:
        return self.error is None and self.status == 200

    @property
    def published(self) -> bool:
        return self.reachable and self.corte is not None

    def lag(self) -> timedelta | None:
        """Official corte minus the difusor's, when both are known."""
        if self.corte is None or self.official_corte is None:
            return None
        return self.official_corte - self.corte

    def fresh(self, interval: timedelta) -> bool:
        lag = self.lag()
        return self.published and lag is not None and timedelta(0) <= lag < interval

    def reason(self, interval: timedelta) -> str:
        """Why this probe is not fresh (Spanish, short); empty when it is."""
        if self.error is not None:
            return self.error
        if self.status != 200:
            return status_phrase(self.status or 0)
        if self.corte is None:
            return f"main.json sin corte legible ({self.corte_error or 'sin detalle'})"
        lag = self.lag()
        if lag is None:
            return "corte oficial desconocido"
        if lag < timedelta(0):
            return "corte posterior al oficial"
        if lag >= interval:
            return f"corte atrasado {lag.total_seconds() / 60:g} min"
        return ""
