"""Facts of freshness.corte-current and freshness.corte-displayed (the monitor's freshness
records are read by ``facts.monitor``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report.blocks import Block, bad, code, good, judged, pairs, present, table
from prepcheck.report.facts import monitor
from prepcheck.report.facts.common import Context, generic, number, request_facts, rows


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    if check == "freshness.corte-current":
        lag, interval = (
            number(evidence.get("retraso_minutos")),
            number(evidence.get("intervalo_minutos")),
        )
        fresh = None if lag is None or interval is None else 0 <= lag < interval
        return [
            *request_facts(evidence.get("solicitud"), "main.json del difusor"),
            *present(
                pairs(
                    [
                        (
                            "Corte que publica el difusor",
                            _corte(evidence.get("corte_difusor"), ctx),
                        ),
                        ("Último corte oficial", _corte(evidence.get("corte_oficial"), ctx)),
                        ("Fuente del corte oficial", evidence.get("fuente_oficial")),
                        (
                            "Retraso",
                            judged(f"{evidence.get('retraso_minutos')} min", fresh)
                            if lag is not None
                            else None,
                        ),
                        (
                            "Retraso máximo permitido",
                            f"menos de {evidence.get('intervalo_minutos')} min"
                            if interval is not None
                            else None,
                        ),
                    ]
                )
            ),
        ]
    if check == "freshness.corte-displayed":
        return present(
            pairs(
                [
                    ("Corte esperado", _corte(evidence.get("corte_esperado"), ctx)),
                    ("Fuente", evidence.get("fuente")),
                ]
            ),
            table(
                ("Página", "Vista", "Corte que muestra", "¿Correcto?"),
                (
                    (
                        code(p.get("url")),
                        str(p.get("vista") or "—"),
                        str(p.get("muestra") or "(no muestra el corte)"),
                        good("sí") if p.get("cumple") else bad("no"),
                    )
                    for p in rows(evidence.get("paginas"))
                ),
            ),
        )
    if check in ("freshness.missed-periods", "freshness.publication-window"):
        return monitor.facts(record, evidence, ctx)
    return generic(evidence)


def _corte(value: Any, ctx: Context) -> Any:
    return None if value is None else ctx.moment(value)
