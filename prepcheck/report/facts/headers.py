"""Facts of the headers.* records: the header values seen, what is missing or contradicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report.blocks import Block, Value, bad, code, good, judged, pairs, present, table
from prepcheck.report.facts.common import Context, generic, request_facts, rows, texts

REQUIRED_CACHE = "no-cache, no-store, must-revalidate"


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    reader = _READERS.get(check)
    if reader is None:
        return generic(evidence)
    return [*request_facts(evidence.get("solicitud")), *reader(evidence)]


def _cache_control(evidence: Mapping[str, Any]) -> list[Block]:
    missing, contradicting = texts(evidence.get("faltan")), texts(evidence.get("contradicen"))
    seen = evidence.get("cache_control")
    return present(
        pairs(
            [
                (
                    "Cache-Control recibido",
                    code(seen if seen else "(ausente)", "" if seen else "bad"),
                ),
                ("Cache-Control exigido", code(REQUIRED_CACHE)),
                ("Directivas que faltan", bad(", ".join(missing)) if missing else None),
                (
                    "Directivas que permiten caché",
                    bad(", ".join(contradicting)) if contradicting else None,
                ),
            ]
        )
    )


def _not_cached(evidence: Mapping[str, Any]) -> list[Block]:
    listed = rows(evidence.get("solicitudes"))
    return present(
        table(
            ("Solicitud", "HTTP", "Age", "Señales de caché", "Contenido (SHA-256)"),
            (
                (
                    _request_name(r.get("solicitud")),
                    str(r.get("error") or r.get("status")),
                    code(r.get("age") or "—"),
                    bad("; ".join(texts(r.get("marcas")))) if r.get("marcas") else good("ninguna"),
                    code(r.get("sha256")),
                )
                for r in listed
            ),
            "Solicitudes de main.json (normales, evitando la caché y revalidando)",
        ),
        pairs(
            [
                ("Copias viejas", _listed(evidence.get("copias_viejas"))),
            ]
        ),
    )


#: The not-cached probe's request kinds (``plain-1``, ``busted-2``…) as a reader names them.
_REQUEST_KINDS = {
    "plain": "normal",
    "busted": "evitando la caché",
    "revalidate": "revalidando",
}


def _request_name(label: Any) -> str:
    """``busted-2`` → «evitando la caché (2)»; an unknown label is shown as it is."""
    kind, _, number = str(label or "—").partition("-")
    if kind not in _REQUEST_KINDS:
        return str(label or "—")
    return f"{_REQUEST_KINDS[kind]} ({number})" if number else _REQUEST_KINDS[kind]


def _content_type(evidence: Mapping[str, Any]) -> list[Block]:
    seen = evidence.get("content_type")
    ok = isinstance(seen, str) and seen.split(";")[0].strip().lower() == "application/json"
    return present(
        pairs(
            [
                ("Content-Type recibido", code(seen or "(ausente)", "good" if ok else "bad")),
                ("Esperado", code("application/json")),
            ]
        )
    )


def _hsts(evidence: Mapping[str, Any]) -> list[Block]:
    values = texts(evidence.get("strict_transport_security"))
    max_age, minimum = evidence.get("max_age"), evidence.get("minimo")
    long_enough = (
        isinstance(max_age, int) and isinstance(minimum, int) and max_age >= minimum
        if max_age is not None
        else None
    )
    return present(
        pairs(
            [
                (
                    "Strict-Transport-Security recibido",
                    code(" | ".join(values) if values else "(ausente)", "" if values else "bad"),
                ),
                (
                    "max-age (segundos)",
                    judged(max_age, long_enough) if max_age is not None else None,
                ),
                ("Mínimo (6 meses)", minimum),
                ("Problemas", _listed(evidence.get("problemas"))),
            ]
        )
    )


def _security(evidence: Mapping[str, Any]) -> list[Block]:
    nosniff = str(evidence.get("x_content_type_options") or "").strip().lower() == "nosniff"
    csp = texts(evidence.get("content_security_policy"))
    return present(
        pairs(
            [
                (
                    "X-Content-Type-Options",
                    code(
                        evidence.get("x_content_type_options") or "(ausente)",
                        "good" if nosniff else "bad",
                    ),
                ),
                ("Content-Security-Policy", code(" | ".join(csp) if csp else "(ausente)")),
                ("X-Frame-Options", code(evidence.get("x_frame_options") or "(ausente)")),
                ("Política de marcos", evidence.get("politica_de_marcos")),
                (
                    "Portal que embebe las páginas",
                    code(evidence.get("portal")) if evidence.get("portal") else None,
                ),
            ]
        )
    )


def _compression(evidence: Mapping[str, Any]) -> list[Block]:
    return present(
        table(
            ("Tipo", "URL", "Content-Encoding", "Tamaño"),
            (
                (
                    str(r.get("tipo")),
                    code(r.get("url")),
                    good(r["content_encoding"])
                    if r.get("content_encoding")
                    else bad(r.get("error") or "sin compresión"),
                    f"{r.get('bytes')} bytes",
                )
                for r in rows(evidence.get("archivos"))
            ),
            "Solicitudes con Accept-Encoding: br, gzip",
        )
    )


def _listed(value: Any) -> Value | None:
    """Problems found, in red; None when there are none."""
    found = texts(value)
    return bad("; ".join(found)) if found else None


_READERS = {
    "headers.main-json-cache-control": _cache_control,
    "headers.main-json-not-cached": _not_cached,
    "headers.main-json-content-type": _content_type,
    "headers.hsts": _hsts,
    "headers.security": _security,
    "headers.compression": _compression,
}
