"""The ``memoria.json`` document (section VI of the convocatoria), built from data only.

Contract: ``build_memoria`` assembles ``{"schema", "schema_version", "difusor", "nombre",
"base_url", "eleccion", "generado", "periodo", "incidentes", "estadisticas", "capacidad",
"disponibilidad", "criterios_de_mejora"}``. ``capacidad`` / ``disponibilidad`` come from the
difusor's results.json records ``load.*`` / ``monitor.availability`` when present and not
skipped (else empty / None, said in the report). ``criterios_de_mejora.texto`` keeps what the
difusor wrote in a previous memoria.json, so regenerating never loses it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prepcheck.catalogue import spec
from prepcheck.results import STATUS_LABELS, Status, now_iso, read_document

SCHEMA_ID = "prepcheck-memoria"
SCHEMA_VERSION = 1
LOAD_IDS = ("load.capacity", "load.spike", "load.bandwidth")
AVAILABILITY_ID = "monitor.availability"
IMPROVEMENT_HINT = (
    "Escriba aquí los criterios de mejora: qué falló o estuvo cerca de fallar, qué se cambiará "
    "(infraestructura, procedimiento, personal) y cuándo. Edite «criterios_de_mejora.texto» en "
    "memoria.json y vuelva a generar la memoria."
)
_MAX_EVIDENCE = 12


def check_records(results_json: Path) -> dict[str, dict[str, Any]]:
    """The load and availability records of ``results_json`` (none when the file is absent)."""
    if not results_json.exists():
        return {}
    records = read_document(results_json)["checks"]
    wanted = {*LOAD_IDS, AVAILABILITY_ID}
    unmeasured = ("skipped", "not_applicable")
    return {
        r["id"]: _summary(r) for r in records if r["id"] in wanted and r["status"] not in unmeasured
    }


def _summary(record: Mapping[str, Any]) -> dict[str, Any]:
    scalars = {
        key: value
        for key, value in record.get("evidence", {}).items()
        if isinstance(value, str | int | float | bool)
    }
    return {
        "id": record["id"],
        "titulo": spec(record["id"]).title,
        "resultado": STATUS_LABELS[Status(record["status"])],
        "estado": record["status"],
        "mensaje": record["message"],
        "evidencia": dict(list(scalars.items())[:_MAX_EVIDENCE]),
    }


def previous_improvements(memoria_json: Path) -> str | None:
    """The difusor's text from an earlier memoria.json, if any."""
    try:
        data = json.loads(memoria_json.read_text(encoding="utf-8"))
        text = data["criterios_de_mejora"]["texto"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return text if isinstance(text, str) and text.strip() else None


def build_memoria(
    *,
    difusor: Mapping[str, str],
    period: Mapping[str, str],
    incidents: Mapping[str, Any],
    statistics: Mapping[str, Any],
    records: Mapping[str, Mapping[str, Any]],
    improvements: str | None,
) -> dict[str, Any]:
    """Assemble memoria.json (see the module contract)."""
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        **difusor,
        "generado": now_iso(),
        "periodo": dict(period),
        "incidentes": dict(incidents),
        "estadisticas": dict(statistics),
        "capacidad": [records[i] for i in LOAD_IDS if i in records],
        "disponibilidad": records.get(AVAILABILITY_ID),
        "criterios_de_mejora": {"texto": improvements, "indicacion": IMPROVEMENT_HINT},
    }
