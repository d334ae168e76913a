"""The site tree of a package: static site files plus the JSON documents of every election.

Contract: :func:`build_site_tree` returns archive path -> bytes, sorted by path, every path
under ``<folder>/``; the same (corte, scale, seed, folder, utc_offset, election_start) gives
identical bytes. JSON is UTF-8 with fixed separators; ``json/main.json`` is indented.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timezone
from importlib import resources
from typing import Any

from prepcheck.formats.anexo13 import truncated_percent
from prepcheck.sample.anexo13 import csv_document
from prepcheck.sample.corte import corte_text, default_election_start, localize
from prepcheck.sample.data import (
    COALITION,
    ELECTIONS,
    PARTIES,
    VOTE_COLUMNS,
    Acta,
    ElectionData,
    Model,
    Scale,
    ambito_id,
    ambito_name,
    captured,
    election_model,
)
from prepcheck.sample.tally import Tally

SITE_FILES = ("index.html", "assets/app.css", "assets/app.js")
REFRESH_SECONDS = 60
_FOLDER = re.compile(r"^[A-Za-z0-9_-]+$")
_ID_DIGITS = {"distrito": 2, "municipio": 3}


def build_site_tree(
    corte: datetime,
    *,
    scale: Scale = "small",
    seed: int = 2021,
    folder: str = "prepver2021",
    utc_offset: timezone | None = None,
    election_start: datetime | None = None,
) -> dict[str, bytes]:
    """Every file of the package: archive path -> bytes, sorted by path.

    ``utc_offset`` and ``election_start`` default by date (see ``build_corte``)."""
    if scale not in ("small", "full"):
        raise ValueError(f"unknown scale {scale!r}; expected 'small' or 'full'")
    if not _FOLDER.match(folder):
        raise ValueError(f"folder must be a single path segment of [A-Za-z0-9_-], got {folder!r}")
    local = localize(corte, utc_offset)
    start = election_start or default_election_start(local)
    model = election_model(scale, seed)
    files: dict[str, bytes] = {name: _site_file(name) for name in SITE_FILES}
    files["json/main.json"] = _json(_main_document(local), indent=2)
    for data in model.elections.values():
        files.update(_election_files(model, data, local, start))
    return {f"{folder}/{path}": files[path] for path in sorted(files)}


def _site_file(name: str) -> bytes:
    return resources.files("prepcheck.sample").joinpath("site", name).read_bytes()


def _json(document: Any, indent: int | None = None) -> bytes:
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(document, ensure_ascii=False, indent=indent, separators=separators)
    return (text + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# JSON documents


def _paths(election_id: str, ambito: str) -> dict[str, str]:
    return {
        "resumen": f"json/{election_id}/resumen.json",
        "detalle": f"json/{election_id}/{ambito}_{{id}}.json",
        "seccion": f"json/{election_id}/seccion/{{id}}.json",
        "csv": f"csv/{_csv_name(election_id)}",
    }


def _csv_name(election_id: str) -> str:
    return next(e.csv_name for e in ELECTIONS if e.id == election_id)


def _main_document(corte: datetime) -> dict[str, Any]:
    elecciones = {
        e.id: {
            "titulo": e.title,
            "ambito": e.ambito,
            "digitosId": _ID_DIGITS[e.ambito],
            **_paths(e.id, e.ambito),
        }
        for e in ELECTIONS
    }
    return {
        "sintetico": True,
        "aviso": "Datos sintéticos de prueba — no son resultados reales",
        "entidad": "Veracruz",
        "proceso": "Proceso Electoral Local Ordinario 2020-2021",
        "corte": corte.isoformat(),
        "horaCorte": corte_text(corte),
        "refrescoSegundos": REFRESH_SECONDS,
        "elecciones": elecciones,
    }


_PARTY_INFO = {p.code: p for p in (*PARTIES, COALITION)}


def _figures(tally: Tally) -> dict[str, Any]:
    """The 2018-style keys every view reads."""
    partidos = [
        {
            "partido": code,
            "nombre": _party_name(code),
            "color": _party_color(code),
            "total": total,
            "porcentaje": truncated_percent(total, tally.votos_c_cs),
        }
        for code, total in zip(VOTE_COLUMNS, tally.votes, strict=True)
    ]
    return {
        "totalActas": tally.esperadas,
        "actasCapturadas": {
            "total": tally.capturadas,
            "porcentaje": tally.percent(tally.capturadas),
        },
        "actasContabilizadas": {
            "total": tally.contabilizadas,
            "porcentaje": tally.percent(tally.contabilizadas),
        },
        "actasFueraCatalogo": tally.fuera_catalogo,
        "listaNominal": tally.lista_nominal,
        "participacionCiudadana": {"porcentaje": tally.participacion},
        "votosCandidatoPartidoCoalicion": partidos,
        "totalVotos": tally.votos_c_cs,
    }


def _party_name(code: str) -> str:
    named = {"NO_REGISTRADOS": "Candidaturas no registradas", "NULOS": "Votos nulos"}
    return named.get(code) or _PARTY_INFO[code].name


def _party_color(code: str) -> str:
    return _PARTY_INFO[code].color if code in _PARTY_INFO else "#9e9e9e"


def _election_files(
    model: Model, data: ElectionData, corte: datetime, start: datetime
) -> dict[str, bytes]:
    election = data.election
    paths = _paths(election.id, election.ambito)
    digits = _ID_DIGITS[election.ambito]
    done = captured(data, corte, start)
    head = {
        "sintetico": True,
        "eleccion": election.id,
        "titulo": election.title,
        "corte": corte.isoformat(),
        "horaCorte": corte_text(corte),
    }
    esperadas_by: dict[int, int] = defaultdict(int)
    secciones_by: dict[int, set[int]] = defaultdict(set)
    for casilla in model.casillas:
        number = ambito_id(election, casilla)
        esperadas_by[number] += 1
        secciones_by[number].add(casilla.seccion)
    actas_by: dict[int, list[Acta]] = defaultdict(list)
    for acta in done:
        actas_by[ambito_id(election, acta.casilla)].append(acta)
    files: dict[str, bytes] = {}
    ambitos = []
    for number in sorted(esperadas_by):
        tally = Tally.of(actas_by[number], esperadas_by[number])
        ident = f"{number:0{digits}d}"
        url = paths["detalle"].format(id=ident)
        secciones = sorted(secciones_by[number])
        files[url] = _json(
            {
                **head,
                "ambito": election.ambito,
                "id": number,
                "nombre": ambito_name(election, number),
                **_figures(tally),
                "secciones": secciones,
            }
        )
        ambitos.append(
            {
                "id": number,
                "nombre": ambito_name(election, number),
                "url": url,
                "totalActas": tally.esperadas,
                "actasContabilizadas": {
                    "total": tally.contabilizadas,
                    "porcentaje": tally.percent(tally.contabilizadas),
                },
            }
        )
    state = Tally.of(done, data.esperadas)
    files[paths["resumen"]] = _json(
        {**head, "ambito": "estatal", "nombre": "Veracruz", **_figures(state), "ambitos": ambitos}
    )
    files.update(_seccion_files(model, data, done, head, paths["seccion"]))
    files[paths["csv"]] = csv_document(data, done, state, corte, start)
    return files


def _seccion_files(
    model: Model, data: ElectionData, done: list[Acta], head: dict[str, Any], pattern: str
) -> dict[str, bytes]:
    by_clave = {a.casilla.clave: a for a in done}
    casillas_by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for casilla in model.casillas:
        acta = by_clave.get(casilla.clave)
        casillas_by[casilla.seccion].append(
            _casilla_record(casilla.clave, casilla.tipo, casilla.lista_nominal, acta)
        )
    return {
        pattern.format(id=f"{seccion:04d}"): _json(
            {**head, "seccion": seccion, "casillas": records}
        )
        for seccion, records in casillas_by.items()
    }


def _casilla_record(clave: str, tipo: str, lista: int, acta: Acta | None) -> dict[str, Any]:
    record: dict[str, Any] = {"clave": clave, "tipo": tipo, "listaNominal": lista}
    if acta is None:
        return {**record, "estado": "pendiente"}
    estado = "contabilizada" if acta.contabilizada == 1 else "no contabilizada"
    return {
        **record,
        "estado": estado,
        "observaciones": acta.observaciones,
        "votos": dict(zip(VOTE_COLUMNS, acta.votes, strict=True)),
        "totalVotos": acta.total_calculado,
    }
