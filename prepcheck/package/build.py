"""Write a synthetic *Paquete de difusión PREP* for one corte (zip or tar.gz plus sha256 sidecar).

Contract: the same (corte, scale, seed, folder, fmt, utc_offset) always gives identical bytes:
entries are sorted, zip timestamps equal the corte, tar members carry the corte as mtime with
fixed owner, and the gzip header has mtime 0. Every archive path starts with ``<folder>/``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from prepcheck.package.csvdb import SUMMARY_FIELDS, truncated_percent
from prepcheck.package.sample import (
    COALITION,
    ELECTION_START,
    ELECTION_TZ,
    ELECTIONS,
    ENTIDAD,
    ENTIDAD_ID,
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

Format = Literal["zip", "tar.gz"]
SITE_FILES = ("index.html", "assets/app.css", "assets/app.js")
REFRESH_SECONDS = 60
_FOLDER = re.compile(r"^[A-Za-z0-9_-]+$")
_ID_DIGITS = {"distrito": 2, "municipio": 3}


@dataclass(frozen=True)
class BuiltPackage:
    archive: Path
    digest_file: Path
    sha256: str
    corte: datetime
    files: int


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
    return f"{corte:%d/%m/%Y %H:%M} ({_offset_label(corte)})"


def _offset_label(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def build_package(
    corte: datetime,
    out_dir: Path,
    *,
    scale: Scale = "small",
    fmt: Format = "zip",
    seed: int = 2021,
    folder: str = "prepver2021",
    utc_offset: timezone | None = None,
    election_start: datetime | None = None,
) -> BuiltPackage:
    """Write ``out_dir/<package_name>`` and its ``.sha256`` sidecar, each atomically.

    ``election_start`` (aware; default 6 June 2021 19:00 UTC-5) is when publication opened:
    the share of actas counted at ``corte`` grows with the time since then.
    """
    local = localize(corte, utc_offset)
    tree = build_site_tree(
        local,
        scale=scale,
        seed=seed,
        folder=folder,
        utc_offset=utc_offset,
        election_start=election_start,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / package_name(local, fmt, utc_offset=utc_offset)
    _write_atomically(archive, lambda handle: _write_archive(handle, tree, local, fmt))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    digest_file = archive.with_name(archive.name + ".sha256")
    line = f"{digest}  {archive.name}\n".encode()
    _write_atomically(digest_file, lambda handle: handle.write(line))
    return BuiltPackage(archive, digest_file, digest, local, len(tree))


def build_site_tree(
    corte: datetime,
    *,
    scale: Scale = "small",
    seed: int = 2021,
    folder: str = "prepver2021",
    utc_offset: timezone | None = None,
    election_start: datetime | None = None,
) -> dict[str, bytes]:
    """Every file of the package: archive path -> bytes, sorted by path."""
    if scale not in ("small", "full"):
        raise ValueError(f"unknown scale {scale!r}; expected 'small' or 'full'")
    if not _FOLDER.match(folder):
        raise ValueError(f"folder must be a single path segment of [A-Za-z0-9_-], got {folder!r}")
    local = localize(corte, utc_offset)
    model = election_model(scale, seed)
    files: dict[str, bytes] = {name: _site_file(name) for name in SITE_FILES}
    files["json/main.json"] = _json(_main_document(local), indent=2)
    for data in model.elections.values():
        files.update(_election_files(model, data, local, election_start or ELECTION_START))
    return {f"{folder}/{path}": files[path] for path in sorted(files)}


def _site_file(name: str) -> bytes:
    return resources.files("prepcheck.package").joinpath("site", name).read_bytes()


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
    for casilla in model.casillas:
        esperadas_by[ambito_id(election, casilla)] += 1
    actas_by: dict[int, list[Acta]] = defaultdict(list)
    for acta in done:
        actas_by[ambito_id(election, acta.casilla)].append(acta)
    files: dict[str, bytes] = {}
    ambitos = []
    for number in sorted(esperadas_by):
        tally = Tally.of(actas_by[number], esperadas_by[number])
        ident = f"{number:0{digits}d}"
        url = paths["detalle"].format(id=ident)
        secciones = sorted({c.seccion for c in model.casillas if ambito_id(election, c) == number})
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
    files[paths["csv"]] = _csv(data, done, state, corte, start)
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


# ---------------------------------------------------------------------------------------------
# Anexo 13 CSV

_ID_COLUMNS = (
    "CLAVE_CASILLA",
    "CLAVE_ACTA",
    "ID_ENTIDAD",
    "ENTIDAD",
    "ID_DISTRITO_LOCAL",
    "DISTRITO_LOCAL",
    "ID_MUNICIPIO",
    "MUNICIPIO",
    "SECCION",
    "ID_CASILLA",
    "TIPO_CASILLA",
    "EXT_CONTIGUA",
    "UBICACION_CASILLA",
    "TIPO_ACTA",
)
_TAIL_COLUMNS = (
    "TOTAL_VOTOS_ASENTADO",
    "TOTAL_VOTOS_CALCULADO",
    "LISTA_NOMINAL",
    "REPRESENTANTES_PP_CI",
    "OBSERVACIONES",
    "CONTABILIZADA",
    "MECANISMOS_TRASLADO",
    "CODIGO_INTEGRIDAD",
    "FECHA_HORA_ACOPIO",
    "FECHA_HORA_CAPTURA",
    "FECHA_HORA_VERIFICACION",
    "ORIGEN",
    "DIGITALIZACION",
    "TIPO_DOCUMENTO",
)
CSV_COLUMNS: tuple[str, ...] = (*_ID_COLUMNS, *VOTE_COLUMNS, *_TAIL_COLUMNS)


def _csv(
    data: ElectionData, done: list[Acta], tally: Tally, corte: datetime, start: datetime
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    title = f"PREP Veracruz 2021 - {data.election.title} - DATOS SINTÉTICOS DE PRUEBA"
    writer.writerow([title])
    writer.writerow([corte_text(corte)])
    writer.writerow(SUMMARY_FIELDS)
    writer.writerow(tally.summary_row())
    writer.writerow(CSV_COLUMNS)
    tz = corte.tzinfo
    for acta in sorted(done, key=lambda a: a.clave):
        writer.writerow(_csv_row(data, acta, tz, start))
    return buffer.getvalue().encode("utf-8")


def _csv_row(data: ElectionData, acta: Acta, tz: Any, start: datetime) -> list[str]:
    c = acta.casilla
    ids = (
        c.clave,
        acta.clave,
        f"{ENTIDAD_ID}",
        ENTIDAD,
        c.distrito,
        f"DISTRITO {c.distrito:02d}",
        c.municipio,
        f"MUNICIPIO {c.municipio:03d}",
        c.seccion,
        c.numero,
        c.tipo,
        c.ext,
        1 if c.urbana else 2,
        data.election.tipo_acta,
    )
    tail = (
        _dash(acta.total_asentado),
        acta.total_calculado,
        c.lista_nominal,
        acta.representantes,
        acta.observaciones,
        acta.contabilizada,
        acta.traslado,
        acta.codigo,
        _stamp(acta.acopio_s, tz, start),
        _stamp(acta.captura_s, tz, start),
        _stamp(acta.verificacion_s, tz, start),
        "CASILLA" if c.urbana else "CATD",
        "MOVIL" if c.urbana else "ESCANER",
        "ACTA PREP",
    )
    return [str(v) for v in (*ids, *(_dash(v) for v in acta.votes), *tail)]


def _dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def _stamp(seconds: int | None, tz: Any, start: datetime) -> str:
    if seconds is None:
        return "-"
    moment = (start + timedelta(seconds=seconds)).astimezone(tz)
    return f"{moment:%d/%m/%Y %H:%M:%S} ({_offset_label(moment)})"


# ---------------------------------------------------------------------------------------------
# Archives


def _write_atomically(path: Path, write: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with temporary.open("wb") as handle:
            write(handle)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_archive(handle: Any, tree: dict[str, bytes], corte: datetime, fmt: str) -> None:
    if fmt == "zip":
        _write_zip(handle, tree, corte)
    elif fmt == "tar.gz":
        _write_tar_gz(handle, tree, corte)
    else:
        raise ValueError(f"unknown package format {fmt!r}; expected 'zip' or 'tar.gz'")


def _write_zip(handle: Any, tree: dict[str, bytes], corte: datetime) -> None:
    stamp = (corte.year, corte.month, corte.day, corte.hour, corte.minute, corte.second)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in tree.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)


def _write_tar_gz(handle: Any, tree: dict[str, bytes], corte: datetime) -> None:
    mtime = int(corte.timestamp())
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for path, data in tree.items():
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            archive.addfile(info, io.BytesIO(data))
