"""What an ingest rehearsal saw: the upload, then the difusor's site polled for its corte."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from prepcheck.sample.rehearsal import RehearsalCortes
from prepcheck.snapshots.files import ExpectedFile, FileOutcome
from prepcheck.snapshots.sftp import SftpOutcome


@dataclass(frozen=True)
class CorteReading:
    """One main.json read: the corte it names, or why none could be read."""

    corte: datetime | None
    problem: str | None = None


@dataclass(frozen=True)
class CorteWatch:
    """What polling saw. ``appeared_s``/``verified_s`` count from the start of the watch."""

    corte: datetime
    appeared_s: float | None = None
    verified_s: float | None = None
    waited_s: float = 0.0
    polls: int = 0
    last: CorteReading = CorteReading(None, "sin lecturas")
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def appeared(self) -> bool:
        return self.appeared_s is not None

    @property
    def verified(self) -> bool:
        return self.verified_s is not None

    def evidence(self) -> dict[str, object]:
        return {
            "corte_esperado": self.corte.isoformat(),
            "ultimo_corte_visto": self.last.corte.isoformat() if self.last.corte else None,
            "problema_de_lectura": self.last.problem,
            "segundos_hasta_main_json": _rounded(self.appeared_s),
            "segundos_hasta_verificado": _rounded(self.verified_s),
            "segundos_esperados": round(self.waited_s, 1),
            "consultas": self.polls,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


Phase = Literal["sin-corte", "sin-ensayo", "sin-valido", "carga", "observado"]


@dataclass(frozen=True)
class Rehearsal:
    """One rehearsal upload and what was observed. ``phase`` is how far it got:
    ``sin-corte`` (main.json unreadable), ``sin-ensayo`` (no room before the next official
    corte), ``sin-valido`` (the corrupt rehearsal needs a verified valid one first), ``carga``
    (upload failed), ``observado`` (uploaded and watched)."""

    phase: Phase
    reason: str
    package: str | None = None
    corte: datetime | None = None
    upload: SftpOutcome | None = None
    watch: CorteWatch | None = None
    cleanup: SftpOutcome | None = None
    cortes: RehearsalCortes | None = None
    files: list[ExpectedFile] = field(default_factory=list)
    baseline: list[FileOutcome] = field(default_factory=list)
