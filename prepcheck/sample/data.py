"""Deterministic synthetic PREP data for Veracruz 2021 (no real vote counts).

Contract: ``election_model(scale, seed)`` is a pure function of its arguments (only
``random.Random(seed)`` is used). Every acta gets a fixed capture instant, in seconds after the
election's opening, from a seeded permutation and a progress curve (0 % at the opening, about
95 % twenty hours later), so ``captured(model, corte)`` of a later corte is a superset of an
earlier one and an acta's values never change between cortes. The PREP publishes for at most
``PUBLICATION_HOURS``; within them every 15-minute slot publishes at least one acta of each
election, so two cortes 30 minutes apart always differ in figures (also at small scale, where
the exponential curve alone thins out to less than one acta an hour). After that the figures
are final.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Literal

Scale = Literal["small", "full"]

ENTIDAD_ID = 30
ENTIDAD = "VERACRUZ"
ELECTION_TZ = timezone(timedelta(hours=-5))
ELECTION_START = datetime(2021, 6, 6, 19, 0, tzinfo=ELECTION_TZ)

N_DISTRITOS = 30
N_MUNICIPIOS = 212
_FULL_SECCIONES = 4_800
_PROGRESS_CAP = 0.96  # share of the curve's actas captured when it flattens
#: The PREP closes at most this many hours after it opens (its figures are then final).
PUBLICATION_HOURS = 24
_SLOT_S = 15 * 60  # one acta of each election is published in every slot this long


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    color: str


PARTIES: tuple[Party, ...] = (
    Party("PAN", "Partido Acción Nacional", "#0a4da2"),
    Party("PRI", "Partido Revolucionario Institucional", "#d2232a"),
    Party("PRD", "Partido de la Revolución Democrática", "#f7d117"),
    Party("PVEM", "Partido Verde Ecologista de México", "#4aa546"),
    Party("PT", "Partido del Trabajo", "#c8102e"),
    Party("MC", "Movimiento Ciudadano", "#f58025"),
    Party("MORENA", "Morena", "#8a1538"),
    Party("PES", "Partido Encuentro Solidario", "#5b2c83"),
    Party("RSP", "Redes Sociales Progresistas", "#1d3f6e"),
    Party("FXM", "Fuerza por México", "#e5007e"),
    Party("PLS", "Partido Local Sintético (ficticio)", "#2b8c8c"),
    Party("MRV", "Movimiento Ribereño Veracruzano (ficticio)", "#7a6a3a"),
)
COALITION = Party("PAN_PRI_PRD", "Coalición PAN-PRI-PRD (ficticia)", "#777777")
VOTE_COLUMNS: tuple[str, ...] = (
    *(p.code for p in PARTIES),
    COALITION.code,
    "NO_REGISTRADOS",
    "NULOS",
)
# Mean vote share weights; synthetic, chosen only to give a plausible-looking spread.
_PARTY_WEIGHT = (6.0, 4.5, 1.2, 2.0, 1.8, 2.2, 9.0, 0.9, 0.7, 0.8, 0.6, 0.5)


@dataclass(frozen=True)
class Election:
    id: str  # URL-safe id used in routes and paths
    title: str
    csv_name: str
    ambito: Literal["distrito", "municipio"]
    tipo_acta: str
    progress_tau_s: int  # e-folding time of the capture curve


ELECTIONS: tuple[Election, ...] = (
    Election(
        "diputaciones", "Diputaciones Locales", "VER_DIP_LOC_2021.csv", "distrito", "2", 250 * 60
    ),
    Election("ayuntamientos", "Ayuntamientos", "VER_AYUN_2021.csv", "municipio", "3", 270 * 60),
)


@dataclass(frozen=True)
class Casilla:
    seccion: int
    tipo: str  # B básica, C contigua, E extraordinaria, S especial
    numero: int
    ext: int
    distrito: int
    municipio: int
    lista_nominal: int  # 0 for special casillas: they have no lista nominal
    urbana: bool

    @property
    def clave(self) -> str:
        return f"{ENTIDAD_ID:02d}{self.seccion:04d}{self.tipo}{self.numero:02d}{self.ext:02d}"


@dataclass(frozen=True)
class Acta:
    """One acta as the CSV shows it once captured. ``None`` vote values print as ``-``."""

    casilla: Casilla
    clave: str
    votes: tuple[int | None, ...]  # aligned with VOTE_COLUMNS
    total_asentado: int | None
    representantes: int
    observaciones: str
    contabilizada: int  # 0 no contabilizada, 1 contabilizada, 2 fuera de catálogo
    traslado: str
    codigo: str
    acopio_s: int  # seconds after ELECTION_START
    captura_s: int
    verificacion_s: int | None

    @property
    def total_calculado(self) -> int:
        return sum(v for v in self.votes if v is not None)


@dataclass(frozen=True)
class ElectionData:
    """All actas of one election in capture order (``actas[k].verificacion/captura`` rises)."""

    election: Election
    esperadas: int
    actas: tuple[Acta, ...]
    published_s: tuple[int, ...]  # instant each acta enters the cortes, non-decreasing


@dataclass(frozen=True)
class Model:
    scale: Scale
    seed: int
    casillas: tuple[Casilla, ...]
    distrito_of_municipio: dict[int, int]
    elections: dict[str, ElectionData]


@lru_cache(maxsize=4)
def election_model(scale: Scale, seed: int) -> Model:
    """The whole synthetic election for ``scale`` and ``seed`` (cached; treat as read-only)."""
    rng = random.Random(seed)
    distrito_of = {m: (m - 1) * N_DISTRITOS // N_MUNICIPIOS + 1 for m in range(1, 213)}
    casillas = tuple(_casillas(rng, scale, distrito_of))
    elections = {e.id: _election_data(rng, e, casillas, seed) for e in ELECTIONS}
    return Model(scale, seed, casillas, distrito_of, elections)


def captured(data: ElectionData, corte: datetime, start: datetime = ELECTION_START) -> list[Acta]:
    """The actas published at ``corte`` (aware) when publication opened at ``start``."""
    seconds = math.floor((corte - start).total_seconds())
    return list(data.actas[: bisect_right(data.published_s, seconds)])


def ambito_id(election: Election, casilla: Casilla) -> int:
    return casilla.distrito if election.ambito == "distrito" else casilla.municipio


def ambito_name(election: Election, number: int) -> str:
    if election.ambito == "distrito":
        return f"Distrito {number:02d}"
    return f"Municipio {number:03d}"


# ---------------------------------------------------------------------------------------------
# Geography


def _casillas(rng: random.Random, scale: Scale, distrito_of: dict[int, int]) -> list[Casilla]:
    per_municipio = _secciones_per_municipio(rng, scale)
    casillas: list[Casilla] = []
    seccion = 0
    special_done: set[int] = set()
    for municipio in range(1, N_MUNICIPIOS + 1):
        distrito = distrito_of[municipio]
        urbana = rng.random() < 0.4
        for _ in range(per_municipio[municipio - 1]):
            seccion += 1
            casillas += _seccion_casillas(rng, scale, seccion, distrito, municipio, urbana)
            if distrito not in special_done:
                special_done.add(distrito)
                casillas.append(Casilla(seccion, "S", 1, 0, distrito, municipio, 0, True))
    return casillas


def _secciones_per_municipio(rng: random.Random, scale: Scale) -> list[int]:
    if scale == "small":
        return [1 + (rng.random() < 0.2) for _ in range(N_MUNICIPIOS)]
    weights = [rng.lognormvariate(0.0, 1.0) for _ in range(N_MUNICIPIOS)]
    total = sum(weights)
    return [max(1, round(_FULL_SECCIONES * w / total)) for w in weights]


def _seccion_casillas(
    rng: random.Random, scale: Scale, seccion: int, distrito: int, municipio: int, urbana: bool
) -> list[Casilla]:
    if scale == "small":
        contiguas = int(rng.random() < 0.5)
    else:
        contiguas = rng.choices((0, 1, 2, 3, 4), weights=(30, 36, 20, 9, 5))[0]
    kinds = [("B", 1, 0)] + [("C", n, 0) for n in range(1, contiguas + 1)]
    if rng.random() < 0.02:
        kinds.append(("E", 1, 0))
    return [
        Casilla(seccion, tipo, numero, ext, distrito, municipio, rng.randint(250, 750), urbana)
        for tipo, numero, ext in kinds
    ]


# ---------------------------------------------------------------------------------------------
# Actas


def _election_data(
    rng: random.Random, election: Election, casillas: tuple[Casilla, ...], seed: int
) -> ElectionData:
    preferences = _preferences(rng)
    actas_in = [(c, preferences[ambito_id(election, c)], 1) for c in casillas]
    extra = max(1, len(casillas) // 400)  # actas fuera de catálogo
    for index in range(extra):
        base = casillas[rng.randrange(len(casillas))]
        ghost = Casilla(
            base.seccion,
            "C",
            99,
            index + 1,
            base.distrito,
            base.municipio,
            rng.randint(250, 750),
            base.urbana,
        )
        actas_in.append((ghost, preferences[ambito_id(election, ghost)], 2))
    rng.shuffle(actas_in)
    times = _publication_times(len(actas_in), election.progress_tau_s)
    actas = tuple(
        _acta(rng, election, casilla, prefs, status, when, seed)
        for (casilla, prefs, status), when in zip(actas_in, times, strict=True)
    )
    return ElectionData(election, len(casillas), actas, tuple(times))


def _preferences(rng: random.Random) -> dict[int, list[float]]:
    """A vote-share vector per ámbito (distrito or municipio id)."""
    return {
        number: [rng.gammavariate(weight * 3, 1.0) for weight in _PARTY_WEIGHT]
        for number in range(1, N_MUNICIPIOS + 1)
    }


def _publication_times(count: int, tau_s: int) -> list[int]:
    """Seconds after the opening at which the k-th acta of the permutation is published
    (non-decreasing): one acta at the middle of every ``_SLOT_S`` slot of the publication
    hours, the rest along the exponential curve."""
    slots = min(PUBLICATION_HOURS * 3600 // _SLOT_S, count // 2)
    steady = [_SLOT_S // 2 + _SLOT_S * j for j in range(slots)]
    return sorted(steady + _curve_times(count - slots, tau_s))


def _curve_times(count: int, tau_s: int) -> list[int]:
    """``count`` instants along 1 − e^(−t/τ), capped at ``_PROGRESS_CAP``; the rest never."""
    times = []
    for k in range(count):
        share = (k + 1) / (count * _PROGRESS_CAP)
        if share >= 1.0:
            times.append(10**9)  # never, within any plausible corte
        else:
            times.append(math.ceil(-tau_s * math.log1p(-share)))
    return times


_NOT_COUNTED = (
    "Excede lista nominal",
    "Ilegible",
    "Sin dato",
    "Todos los campos ilegibles o sin dato",
)


def _acta(
    rng: random.Random,
    election: Election,
    casilla: Casilla,
    prefs: list[float],
    status: int,
    published: int,
    seed: int,
) -> Acta:
    votes: list[int | None] = list(_votes(rng, casilla, prefs))
    total = sum(v for v in votes if v is not None)
    asentado: int | None = total
    observaciones = "-"
    if status == 2:
        observaciones = "Fuera de catálogo"
    elif rng.random() < 0.03:
        status, observaciones = 0, rng.choice(_NOT_COUNTED)
        if observaciones != "Excede lista nominal":
            for index in rng.sample(range(len(votes)), 3):
                votes[index] = None
            asentado = None
        else:
            asentado = total + casilla.lista_nominal + 1
    elif rng.random() < 0.04:
        observaciones = "Total de votos asentado no coincide"
        asentado = total + rng.randint(1, 5)
    clave = f"{casilla.clave}{election.tipo_acta}"
    acopio = published - rng.randint(300, 2400)
    captura = published - rng.randint(0, 240)
    return Acta(
        casilla=casilla,
        clave=clave,
        votes=tuple(votes),
        total_asentado=asentado,
        representantes=rng.randint(0, 12),
        observaciones=observaciones,
        contabilizada=status,
        traslado=rng.choice(("D", "F", "C")),
        codigo=hashlib.sha256(f"{clave}_{seed}.jpg".encode()).hexdigest(),
        acopio_s=acopio,
        captura_s=captura,
        verificacion_s=None if status == 2 else published,
    )


def _votes(rng: random.Random, casilla: Casilla, prefs: list[float]) -> list[int]:
    if casilla.tipo == "S":
        emitted = rng.randint(200, 700)
    else:
        emitted = round(casilla.lista_nominal * rng.uniform(0.40, 0.68))
    nulos = round(emitted * rng.uniform(0.01, 0.05))
    no_registrados = rng.randint(0, 3)
    coalicion = rng.randint(0, max(1, emitted // 60))
    valid = max(0, emitted - nulos - no_registrados - coalicion)
    weights = [p * rng.uniform(0.7, 1.3) for p in prefs]
    scale = valid / sum(weights)
    parties = [math.floor(w * scale) for w in weights]
    parties[weights.index(max(weights))] += valid - sum(parties)
    return [*parties, coalicion, no_registrados, nulos]
