"""Facts of the monitoring records (monitor.availability, freshness.missed-periods,
freshness.publication-window): what was watched, the figures against the targets, incidents
and failed stretches, and the timeline of update periods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report import charts, es
from prepcheck.report.blocks import Block, Picture, bad, judged, pairs, present, table
from prepcheck.report.facts.common import Context, generic, number, rows


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    if "desde" not in evidence:
        return generic(evidence)
    blocks = present(_watched(evidence, ctx))
    picture = charts.timeline(evidence, ctx.utc_offset)
    if picture is not None:
        blocks.append(Picture("timeline", picture, "Periodos de actualización"))
    if check == "monitor.availability":
        blocks += _availability(evidence, ctx)
    elif check == "freshness.missed-periods":
        blocks += _missed(evidence, ctx)
    elif check == "freshness.publication-window":
        blocks += _window(evidence, ctx)
    return blocks


def _watched(evidence: Mapping[str, Any], ctx: Context) -> Block | None:
    period = number(evidence.get("periodo_segundos"))
    simulated = " (simulado para un ensayo)" if evidence.get("periodo_simulado") else ""
    return pairs(
        [
            ("Vigilado desde", ctx.moment(evidence.get("desde"))),
            ("Hasta", ctx.moment(evidence.get("hasta"))),
            ("Periodo de actualización", f"{es.duration(period)}{simulated}" if period else None),
            (
                "Periodos con sondeos",
                f"{es.number(evidence.get('periodos_observados'))} de "
                f"{es.number(evidence.get('periodos'))}",
            ),
        ]
    )


def _availability(evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    achieved, target = number(evidence.get("disponibilidad_pct")), number(evidence.get("meta_pct"))
    met = None if achieved is None or target is None else achieved >= target
    omitted = evidence.get("incidentes_omitidos") or 0
    return present(
        pairs(
            [
                ("Sondeos", evidence.get("sondeos")),
                ("Sondeos fallidos", evidence.get("fallidos")),
                (
                    "Disponibilidad",
                    judged(f"{es.number(achieved, 3)} %", met) if achieved is not None else None,
                ),
                ("Meta", f"{es.number(target)} %" if target is not None else None),
                ("Incidentes", evidence.get("incidentes_total")),
            ]
        ),
        table(
            ("Inicio", "Fin", "Duración", "Sondeos fallidos", "Motivo"),
            (
                (
                    ctx.moment(i.get("inicio")),
                    ctx.moment(i.get("fin"))
                    + (" (seguía al terminar)" if i.get("en_curso_al_terminar") else ""),
                    str(i.get("duracion") or es.duration(i.get("duracion_s"))),
                    es.number(i.get("sondeos_fallidos")),
                    str(i.get("motivo") or "—"),
                )
                for i in rows(evidence.get("incidentes"))
            ),
            "Incidentes (sondeos consecutivos sin respuesta)",
            f"Y {es.number(omitted)} incidentes más." if omitted else "",
        ),
    )


def _missed(evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    limit, worst = evidence.get("limite_consecutivos"), evidence.get("maximo_consecutivos")
    ok = None if not isinstance(limit, int) or not isinstance(worst, int) else worst < limit
    return present(
        pairs(
            [
                ("Periodos fallidos", evidence.get("periodos_fallidos")),
                (
                    "Máximo de periodos fallidos seguidos",
                    judged(worst, ok) if worst is not None else None,
                ),
                ("Límite (el OPLE interrumpe al llegar)", limit),
                (
                    "Periodos sin corte oficial para comparar",
                    evidence.get("periodos_sin_corte_oficial") or None,
                ),
                (
                    "El OPLE interrumpiría la difusión",
                    bad(ctx.moment(evidence["interrupcion"]))
                    if evidence.get("interrupcion")
                    else None,
                ),
            ]
        ),
        table(
            ("Desde", "Hasta", "Periodos", "Motivo"),
            (
                (
                    ctx.moment(r.get("inicio")),
                    ctx.moment(r.get("fin")),
                    es.number(r.get("periodos")),
                    str(r.get("motivo") or "—"),
                )
                for r in rows(evidence.get("tramos_fallidos"))
            ),
            "Tramos de periodos fallidos",
        ),
    )


def _window(evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    covered = number(evidence.get("cobertura_pct"))
    missing = evidence.get("sin_publicar")
    return present(
        pairs(
            [
                ("Ventana de publicación", evidence.get("ventana")),
                (
                    "Parte vigilada",
                    f"{es.duration(evidence.get('vigilado_segundos'))} "
                    f"({es.number(covered, 3)} % de la ventana)"
                    if covered is not None
                    else None,
                ),
                ("Sondeos en la ventana", evidence.get("sondeos_en_ventana")),
                (
                    "Sondeos sin resultados publicados",
                    judged(missing, missing == 0) if missing is not None else None,
                ),
            ]
        ),
        table(
            ("Momento", "Motivo"),
            (
                (ctx.moment(f.get("momento")), str(f.get("motivo") or "—"))
                for f in rows(evidence.get("fallos"))
            ),
            "Sondeos sin resultados publicados",
        ),
    )
