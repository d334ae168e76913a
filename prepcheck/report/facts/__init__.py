"""Evidence as facts a person reads: one reader per area, chosen by the record's group.

Contract: :func:`facts_for` never raises for a record's evidence: an area reader that meets a
shape it does not know falls back to :func:`~prepcheck.report.facts.common.generic`. Images
carried in the evidence (``imagenes[].png_base64``, PNG only) are appended as an ``Images``
block. :func:`area_pictures` gives the pictures an area shows once (the TLS grade).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from prepcheck.report import charts
from prepcheck.report.blocks import Block, Image, Images, Picture
from prepcheck.report.facts import (
    freshness,
    headers,
    host,
    integrity,
    load,
    monitor,
    render,
    site,
    tls,
)
from prepcheck.report.facts.common import Context, generic, rows

Reader = Callable[[Mapping[str, Any], Mapping[str, Any], Context], list[Block]]

READERS: dict[str, Reader] = {
    "site": site.facts,
    "headers": headers.facts,
    "tls": tls.facts,
    "integrity": integrity.facts,
    "freshness": freshness.facts,
    "render": render.facts,
    "load": load.facts,
    "host": host.facts,
    "monitor": monitor.facts,
}
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_PNG_BASE64_MAGIC = "iVBORw0KGgo"
#: What an area reader may raise on evidence of a shape it does not expect.
_SHAPE_ERRORS = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError)


def facts_for(record: Mapping[str, Any], ctx: Context) -> list[Block]:
    """The facts of ``record``'s evidence (see the module contract)."""
    evidence = record.get("evidence")
    if not isinstance(evidence, Mapping) or not evidence:
        return []
    reader = READERS.get(str(record.get("group")))
    try:
        blocks = reader(record, evidence, ctx) if reader else generic(evidence)
    except _SHAPE_ERRORS:
        blocks = generic(evidence)
    found = images(evidence.get("imagenes"))
    return [*blocks, found] if found else blocks


def images(value: Any) -> Images | None:
    """The PNG images of an ``imagenes`` list as ``data:`` URIs (anything else is dropped)."""
    kept = []
    for entry in rows(value):
        data = entry.get("png_base64")
        if isinstance(data, str) and data.startswith(_PNG_BASE64_MAGIC) and _BASE64.match(data):
            kept.append(
                Image(str(entry.get("nombre") or "imagen"), f"data:image/png;base64,{data}")
            )
    return Images(tuple(kept), "Imágenes") if kept else None


def area_pictures(group: str, records: Sequence[Mapping[str, Any]]) -> list[Block]:
    """Pictures an area shows once, above its rows: the TLS grade for ``tls``."""
    if group != "tls":
        return []
    for record in records:
        evidence = record.get("evidence")
        if isinstance(evidence, Mapping):
            found = charts.grade(evidence)
            if found is not None:
                return [Picture("grade", found, "Calificación TLS al estilo SSL Labs")]
    return []


__all__ = ["Context", "area_pictures", "facts_for", "images", "monitor"]
