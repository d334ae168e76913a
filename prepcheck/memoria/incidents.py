"""Incidents from the monitoring history file ``incidentes.json``.

Contract: the file is a JSON list of ``{inicio, fin, duracion_s, motivo}`` (or an object with
that list under ``incidentes``), written by the monitoring. ``read_incidents(path)`` never
raises for a missing or bad file: it returns ``disponible: false`` with a Spanish note
(«sin datos de monitoreo» when absent), and so for a list holding anything but objects. Entries
missing keys are kept with ``None`` values and counted in ``entradas_incompletas``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prepcheck.files import read_bounded, why

NO_DATA = "sin datos de monitoreo"
#: Thousands of incidents weigh well under this; a larger file is not incidentes.json.
MAX_BYTES = 16 * 1024 * 1024
_KEYS = ("inicio", "fin", "duracion_s", "motivo")


def read_incidents(path: Path | None) -> dict[str, Any]:
    """The incidents section of memoria.json (see the module contract)."""
    base: dict[str, Any] = {"fuente": str(path) if path else None, "lista": [], "total": 0}
    if path is None or not path.exists():
        return base | {"disponible": False, "nota": NO_DATA}
    try:
        data = json.loads(read_bounded(path, MAX_BYTES))
    except OSError as exc:
        note = f"{NO_DATA}: no se pudo leer {path}: {why(exc)}"
        return base | {"disponible": False, "nota": note}
    except UnicodeDecodeError:
        return base | {"disponible": False, "nota": f"{NO_DATA}: {path} no es texto UTF-8"}
    except (ValueError, RecursionError):
        return base | {"disponible": False, "nota": f"{NO_DATA}: {path} no es JSON válido"}
    entries = data.get("incidentes") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return base | {"disponible": False, "nota": f"{NO_DATA}: {path} no contiene una lista"}
    strays = [n for n, entry in enumerate(entries, start=1) if not isinstance(entry, dict)]
    if strays:  # a list of something else: not the monitoring's file
        note = f"{NO_DATA}: en {path} la entrada {strays[0]} no es un incidente (un objeto)"
        return base | {"disponible": False, "nota": note}
    rows = [_row(entry) for entry in entries]
    total = sum(row["duracion_s"] or 0 for row in rows)
    return base | {
        "disponible": True,
        "lista": rows,
        "total": len(rows),
        "duracion_total_s": total,
        "entradas_incompletas": sum(1 for row in rows if None in row.values()),
    }


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    row = {key: entry.get(key) for key in _KEYS}
    if not isinstance(row["duracion_s"], int | float) or isinstance(row["duracion_s"], bool):
        row["duracion_s"] = None
    return row
