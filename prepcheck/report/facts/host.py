"""Facts of the host.* records (the self-test on the difusor's own server): free space per
filesystem, the history folder's problems, the access log's format and freshness."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report import es
from prepcheck.report.blocks import Block, bad, code, items, judged, pairs, present, table
from prepcheck.report.facts.common import Context, generic, mapping, number, rows, texts


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    if check == "host.disk-free" and "sistemas_de_archivos" in evidence:
        return _disk(evidence)
    if check == "host.history-kept" and "paquetes" in evidence:
        return _history(evidence)
    if check == "host.access-log" and "archivo" in evidence:
        return _access_log(evidence, ctx)
    return generic(evidence)


def _disk(evidence: Mapping[str, Any]) -> list[Block]:
    minimum = number(evidence.get("minimo_bytes"))
    return present(
        table(
            ("Sistema de archivos", "Contiene", "Libre", "Total"),
            (
                (
                    code(fs.get("punto_de_montaje")),
                    ", ".join(texts(fs.get("contiene"))) or "—",
                    judged(
                        es.size(fs.get("libres_bytes")), _enough(fs.get("libres_bytes"), minimum)
                    ),
                    f"{es.number(fs.get('total_gb'))} GB",
                )
                for fs in rows(evidence.get("sistemas_de_archivos"))
            ),
            f"Espacio libre (mínimo {es.size(minimum)})" if minimum else "Espacio libre",
            str(evidence.get("regla") or ""),
        )
    )


def _enough(free: Any, minimum: float | None) -> bool | None:
    value = number(free)
    return None if value is None or minimum is None else value >= minimum


def _history(evidence: Mapping[str, Any]) -> list[Block]:
    by_kind = mapping(evidence.get("problemas_por_tipo"))
    return present(
        pairs(
            [
                ("Carpeta de históricos", code(evidence.get("carpeta"))),
                ("Paquetes", evidence.get("paquetes")),
                ("Íntegros", evidence.get("integros")),
                ("Publicados según ingest.log", evidence.get("publicados_segun_ingest_log")),
                (
                    "Líneas ilegibles de ingest.log",
                    evidence.get("lineas_ilegibles_ingest_log") or None,
                ),
                ("Nota", evidence.get("nota")),
            ]
            + [(str(kind), bad(es.number(count))) for kind, count in by_kind.items()]
        ),
        table(
            ("Archivo", "Problema", "Detalle"),
            (
                (code(p.get("archivo")), bad(p.get("problema")), str(p.get("detalle") or "—"))
                for p in rows(evidence.get("problemas"))
            ),
            "Problemas",
        ),
    )


def _access_log(evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    missing = texts(evidence.get("campos_faltantes"))
    return present(
        pairs(
            [
                ("Bitácora", code(evidence.get("archivo"))),
                ("Formato declarado", code(evidence.get("formato"))),
                ("Campos que faltan", bad(", ".join(missing)) if missing else None),
                (
                    "Modificada por última vez",
                    ctx.moment(evidence["modificada"]) if evidence.get("modificada") else None,
                ),
                (
                    "Línea más reciente",
                    ctx.moment(evidence["linea_mas_reciente"])
                    if evidence.get("linea_mas_reciente")
                    else None,
                ),
                (
                    "Antigüedad máxima aceptada",
                    es.duration(evidence["antiguedad_maxima_s"])
                    if evidence.get("antiguedad_maxima_s")
                    else None,
                ),
                ("Líneas revisadas", evidence.get("lineas_muestreadas")),
                ("Líneas reconocidas", evidence.get("lineas_reconocidas")),
                ("Con agente de usuario", evidence.get("con_agente_de_usuario")),
            ]
        ),
        items(
            (code(line) for line in texts(evidence.get("ejemplos"))),
            "Líneas no reconocidas (ejemplos)",
        ),
    )
