"""The Anexo 13 CSV of one election: preamble, summary row, header and one row per acta.

Contract: rows are sorted by acta clave; missing values are ``-``; timestamps are shown in
the corte's time zone with their UTC offset; the output is UTF-8 with ``\\n`` line endings,
so the same inputs always give the same bytes.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from prepcheck.formats.anexo13 import SUMMARY_FIELDS
from prepcheck.sample.corte import corte_text, offset_label
from prepcheck.sample.data import ENTIDAD, ENTIDAD_ID, VOTE_COLUMNS, Acta, ElectionData
from prepcheck.sample.tally import Tally

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


def csv_document(
    data: ElectionData, done: list[Acta], tally: Tally, corte: datetime, start: datetime
) -> bytes:
    """The Anexo 13 CSV bytes of one election (see the module contract)."""
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
    return f"{moment:%d/%m/%Y %H:%M:%S} ({offset_label(moment)})"
