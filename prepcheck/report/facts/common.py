"""Helpers every area's facts share: reading evidence defensively, generic facts.

Contract: evidence is whatever a results.json holds (possibly from an older harness), so
every reader here tolerates missing keys and unexpected types; ``generic`` shows any evidence
as labelled facts when no area reader knows its shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prepcheck.report import es
from prepcheck.report.blocks import Block, Cell, code, pairs, present, table
from prepcheck.report.blocks import items as item_list
from prepcheck.results import STATUS_LABELS

#: Evidence keys never shown as facts: pictures and images are drawn, not listed.
DRAWN = frozenset({"imagenes", "serie", "serie_periodos", "png_base64"})
MAX_ROWS = 50
#: A status value found inside evidence, as the report names statuses.
STATUS_WORDS = {str(status): label for status, label in STATUS_LABELS.items()}
_LABELS = {
    "url": "URL",
    "status": "HTTP",
    "http_version": "Versión HTTP",
    "elapsed_ms": "Tiempo (ms)",
    "error": "Error",
    "ip": "IP",
    "sha256": "SHA-256",
    "etag": "ETag",
    "p50_ms": "Latencia p50 (ms)",
    "p95_ms": "Latencia p95 (ms)",
    "p99_ms": "Latencia p99 (ms)",
    "max_ms": "Latencia máxima (ms)",
    "duracion_total_s": "Duración (s)",
    "sol_por_segundo_objetivo": "Objetivo (solicitudes por segundo)",
    "sol_por_segundo_logradas": "Logradas (solicitudes por segundo)",
    "tasa_de_error": "Tasa de error",
    "procesos_trabajadores": "Procesos generadores adicionales",
    "mbps": "Ancho de banda (Mbps)",
    "objetivo_mbps": "Mínimo (Mbps)",
    "disponibilidad_pct": "Disponibilidad (%)",
    "meta_pct": "Meta (%)",
    "periodo_segundos": "Periodo de actualización (s)",
    "descargas_completas": "Descargas completas",
    "mb_por_segundo": "MB por segundo",
    "minimo_mb_por_segundo": "Mínimo (MB por segundo)",
    "segundos_de_carga": "Duración de la carga (s)",
    "plazo_segundos": "Plazo (s)",
    "corte_esperado": "Corte esperado",
    "ultimo_corte_visto": "Último corte visto",
    "corte_publicado_antes_de_los_ensayos": "Corte publicado antes de los dos ensayos",
    "problema_de_lectura": "Problema de lectura",
    "segundos_hasta_main_json": "Segundos hasta que main.json lo mostró",
    "segundos_hasta_verificado": "Segundos hasta verificarlo completo",
    "segundos_esperados": "Segundos de espera",
    "consultas": "Consultas a main.json",
    "actas_leidas": "Actas leídas",
    "observacion": "Observación",
    "autenticacion": "Autenticación",
    "conexion": "Conexión",
}


@dataclass(frozen=True)
class Context:
    """What facts need besides the record: the election's offset for moments."""

    utc_offset: str

    def moment(self, value: Any) -> str:
        return es.moment_text(value, self.utc_offset, seconds=True)


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def rows(value: Any) -> list[Mapping[str, Any]]:
    """``value`` as a list of mappings (other items dropped), at most ``MAX_ROWS``."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, Mapping)][:MAX_ROWS]


def texts(value: Any) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return [] if value in (None, "") else [str(value)]
    return [str(item) for item in value[:MAX_ROWS]]


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def label(key: str) -> str:
    """A Spanish label for an evidence key (``carpeta_de_carga`` → «Carpeta de carga»)."""
    if key in _LABELS:
        return _LABELS[key]
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def scalar(value: Any) -> str:
    """A scalar as es-MX text."""
    if isinstance(value, bool) or value is None:
        return es.yes_no(value)
    if isinstance(value, int | float):
        return es.number(value)
    if value == "ok":  # the probes' outcome word (SFTP stages, ingest rehearsal)
        return "correcto"
    return str(value)


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def answer(summary: Any) -> str:
    """A request summary (``HttpSnapshot.summary``) as «HTTP 200 (HTTP/2), 12 ms» or the error."""
    found = mapping(summary)
    if found.get("error"):
        return f"sin respuesta: {found['error']}"
    status = found.get("status")
    version = found.get("http_version")
    elapsed = number(found.get("elapsed_ms"))
    text = f"HTTP {status}" if status is not None else "sin respuesta"
    if version:
        text += f" ({version})"
    if elapsed is not None:
        text += f", {es.number(round(elapsed))} ms"
    return text


def request_facts(summary: Any, title: str = "") -> list[Block]:
    """The URL asked and what it answered."""
    found = mapping(summary)
    if not found:
        return []
    return present(pairs([("URL", code(found.get("url"))), ("Respuesta", answer(found))], title))


def generic(evidence: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> list[Block]:
    """Any evidence as facts: scalars as pairs, lists as lists or tables, maps one level deep."""
    hidden = DRAWN | skip
    blocks: list[Block | None] = [
        pairs(
            (label(k), _scalar_cell(v))
            for k, v in evidence.items()
            if k not in hidden and is_scalar(v) and v is not None
        )
    ]
    for key, value in evidence.items():
        if key in hidden or is_scalar(value):
            continue
        if isinstance(value, Mapping):
            blocks.append(_mapping_block(label(key), value))
        elif isinstance(value, Sequence) and not isinstance(value, str):
            blocks.append(_sequence_block(label(key), value))
    return present(*blocks)


def _scalar_cell(value: Any) -> Cell:
    text = scalar(value)
    return code(text) if isinstance(value, str) and (" " not in text and len(text) > 24) else text


def _mapping_block(title: str, value: Mapping[str, Any]) -> Block | None:
    flat = [(label(str(k)), v) for k, v in value.items() if str(k) not in DRAWN]
    if all(is_scalar(v) for _, v in flat):
        return pairs(((k, scalar(v)) for k, v in flat), title)
    return pairs(((k, _short(v)) for k, v in flat), title)


def _sequence_block(title: str, value: Sequence[Any]) -> Block | None:
    listed = list(value[:MAX_ROWS])
    if not listed:
        return None
    if all(is_scalar(v) for v in listed):
        return item_list((scalar(v) for v in listed), title)
    maps = [v for v in listed if isinstance(v, Mapping)]
    columns: list[str] = []
    for entry in maps:
        columns += [str(k) for k in entry if str(k) not in columns and str(k) not in DRAWN]
    columns = columns[:8]
    return table(
        [label(c) for c in columns],
        ([_short(entry.get(c)) for c in columns] for entry in maps),
        title,
    )


def _short(value: Any) -> str:
    """A nested value in one cell: scalars as text, the rest compact."""
    if is_scalar(value):
        return scalar(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label(str(k))}: {_short(v)}" for k, v in list(value.items())[:8])
    if isinstance(value, Sequence):
        return ", ".join(_short(v) for v in list(value)[:10])
    return str(value)
