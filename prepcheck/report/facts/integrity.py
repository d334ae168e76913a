"""Facts of the integrity.* records: counts by outcome and the files that differ or are missing,
with the first differing byte."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report import es
from prepcheck.report.blocks import Block, bad, code, pairs, present, table
from prepcheck.report.facts.common import Context, generic, mapping, number, rows

#: How one file's problem reads (the evidence names the kind in the plural).
_PROBLEM = {
    "modificados": "modificado",
    "faltantes": "falta",
    "sin_verificar": "no se pudo verificar",
}
_COUNT_LABELS = {
    "idénticos": "Idénticos",
    "modificados": "Modificados",
    "faltantes": "Faltantes",
    "sin_verificar": "No se pudieron verificar",
}


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    if "por_tipo" not in evidence and "ejemplos" not in evidence:
        return generic(evidence)
    counts = mapping(evidence.get("por_tipo"))
    omitted = number(evidence.get("ejemplos_omitidos")) or 0
    by_status = mapping(evidence.get("faltantes_por_estado_http"))
    return present(
        pairs(
            [("Archivos del paquete", es.number(evidence.get("total")))]
            + [(_COUNT_LABELS.get(str(k), str(k)), _count(k, v)) for k, v in counts.items()]
            + [(f"Faltantes con HTTP {status}", es.number(n)) for status, n in by_status.items()]
        ),
        table(
            (
                "Archivo",
                "Problema",
                "Primer byte distinto",
                "Tamaño oficial",
                "Tamaño servido",
                "Detalle",
            ),
            (
                (
                    code(e.get("ruta")),
                    bad(_PROBLEM.get(str(e.get("tipo")), e.get("tipo"))),
                    _offset(e.get("primer_byte_distinto")),
                    _bytes(e.get("tamaño_esperado")),
                    _bytes(e.get("tamaño_servido")),
                    _detail(e),
                )
                for e in rows(evidence.get("ejemplos"))
            ),
            "Archivos con problema",
            f"Y {es.number(int(omitted))} más (no listados)." if omitted else "",
        ),
    )


def _count(kind: Any, value: Any) -> Any:
    text = es.number(value)
    return bad(text) if kind != "idénticos" and isinstance(value, int) and value > 0 else text


def _offset(value: Any) -> str:
    """The first differing byte, counted from 0 as the probe counts it."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "—"
    return f"byte {es.number(value)}"


def _bytes(value: Any) -> str:
    return "—" if value is None else f"{es.number(value)} bytes"


def _detail(example: Mapping[str, Any]) -> str:
    reason = str(example.get("motivo") or "")
    status = example.get("estado_http")
    if status not in (None, 200) and f"HTTP {status}" not in reason:
        reason = f"HTTP {status}; {reason}" if reason else f"HTTP {status}"
    return reason or "—"
