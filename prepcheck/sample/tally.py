"""What a set of captured actas adds up to: the figures shared by the JSON views and the CSV.

Contract: :meth:`Tally.of` counts only contabilizadas actas into votes, lista nominal and
participation (special casillas are left out of ``votos_s_cs``); percentages are truncated
to the package's precision by :func:`~prepcheck.formats.anexo13.truncated_percent`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from prepcheck.formats.anexo13 import truncated_percent
from prepcheck.sample.data import VOTE_COLUMNS, Acta


@dataclass(frozen=True)
class Tally:
    """What a set of captured actas adds up to, within a scope of ``esperadas`` actas."""

    esperadas: int
    registradas: int
    fuera_catalogo: int
    capturadas: int
    contabilizadas: int
    inconsistencias: int
    lista_nominal: int
    votos_c_cs: int
    votos_s_cs: int
    votes: tuple[int, ...]

    @classmethod
    def of(cls, actas: Iterable[Acta], esperadas: int) -> Tally:
        actas = list(actas)
        counted = [a for a in actas if a.contabilizada == 1]
        in_catalogue = [a for a in actas if a.contabilizada in (0, 1)]
        ordinary = [a for a in counted if a.casilla.tipo != "S"]
        return cls(
            esperadas=esperadas,
            registradas=len(actas),
            fuera_catalogo=len(actas) - len(in_catalogue),
            capturadas=len(in_catalogue),
            contabilizadas=len(counted),
            inconsistencias=sum(a.observaciones != "-" for a in in_catalogue),
            lista_nominal=sum(a.casilla.lista_nominal for a in counted),
            votos_c_cs=sum(a.total_calculado for a in counted),
            votos_s_cs=sum(a.total_calculado for a in ordinary),
            votes=tuple(sum(a.votes[i] or 0 for a in counted) for i in range(len(VOTE_COLUMNS))),
        )

    def percent(self, count: int) -> str:
        return truncated_percent(count, self.esperadas)

    @property
    def participacion(self) -> str:
        return truncated_percent(self.votos_s_cs, self.lista_nominal)

    def summary_row(self) -> list[str]:
        values = (
            self.esperadas,
            self.registradas,
            self.fuera_catalogo,
            self.capturadas,
            self.percent(self.capturadas),
            self.contabilizadas,
            self.percent(self.contabilizadas),
            self.percent(self.inconsistencias),
            self.capturadas - self.contabilizadas,
            self.lista_nominal,
            self.votos_c_cs,
            self.votos_s_cs,
            self.participacion,
        )
        return [str(v) for v in values]
