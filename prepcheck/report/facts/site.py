"""Facts of the site.* records: the redirect chain, the folder's index, listings, the server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report.blocks import Block, bad, code, good, judged, pairs, present, table
from prepcheck.report.facts.common import Context, answer, generic, request_facts, rows, texts


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    if check == "site.reachable":
        return present(
            table(
                ("Paso", "URL", "Respuesta"),
                (
                    (str(n), code(hop.get("url")), answer(hop))
                    for n, hop in enumerate(rows(evidence.get("saltos")), 1)
                ),
                "Solicitudes, siguiendo las redirecciones",
            )
        )
    if check == "site.public-folder":
        same = evidence.get("sha256_esperado") == evidence.get("sha256_servido")
        digests = "sha256_servido" in evidence
        return [
            *request_facts(evidence.get("solicitud")),
            *present(
                pairs(
                    [
                        ("Carpeta", code(evidence.get("carpeta"))),
                        ("SHA-256 del index.html oficial", code(evidence.get("sha256_esperado"))),
                        (
                            "SHA-256 del index.html servido",
                            code(evidence.get("sha256_servido"), "good" if same else "bad")
                            if digests
                            else None,
                        ),
                        ("Bytes oficiales / servidos", _sizes(evidence)),
                    ]
                )
            ),
        ]
    if check == "site.https-redirect":
        return [
            *request_facts(evidence.get("solicitud"), "Solicitud por http://"),
            *present(pairs([("Redirige a (Location)", code(evidence.get("location")))])),
        ]
    if check == "site.no-directory-listing":
        return present(
            table(
                ("Carpeta sin índice", "Respuesta", "¿Muestra listado?"),
                (
                    (
                        code(row.get("url")),
                        answer(row),
                        bad("sí") if row.get("listado") else good("no"),
                    )
                    for row in rows(evidence.get("carpetas"))
                ),
            )
        )
    if check == "site.server-software":
        disclosed = texts(evidence.get("revelaciones"))
        return present(
            pairs(
                [
                    ("Encabezado Server", code(evidence.get("servidor") or "(ausente)")),
                    ("Servidor declarado en la configuración", evidence.get("declarado")),
                    (
                        "Versión revelada",
                        judged("; ".join(disclosed) if disclosed else "no", not disclosed),
                    ),
                ]
            ),
            table(
                ("URL", "Respuesta", "Server"),
                (
                    (code(r.get("url")), answer(r), code(r.get("server") or "(ausente)"))
                    for r in rows(evidence.get("solicitudes"))
                ),
                "Solicitudes",
            ),
        )
    return generic(evidence)


def _sizes(evidence: Mapping[str, Any]) -> str | None:
    expected, served = evidence.get("bytes_esperados"), evidence.get("bytes_servidos")
    if expected is None and served is None:
        return None
    return f"{expected} / {served}"
