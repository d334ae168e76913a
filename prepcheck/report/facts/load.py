"""Facts of the load.* records: what was measured against each threshold, the load applied,
the generator's own CPU, and the latency/throughput picture."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report import charts, es
from prepcheck.report.blocks import (
    Block,
    Picture,
    bad,
    code,
    good,
    items,
    judged,
    pairs,
    present,
    table,
)
from prepcheck.report.facts.common import Context, generic, mapping, number, texts

NOT_JUDGED = "no se evalúa"


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    if check == "load.bandwidth":
        return _bandwidth(evidence)
    if "solicitudes" not in evidence and "umbrales" not in evidence:
        return generic(evidence, frozenset({"archivos_locust", "bitacora"}))
    blocks = present(_thresholds(evidence, spike=check == "load.spike"), _applied(evidence))
    picture = charts.load_chart(evidence)
    if picture is not None:
        blocks.append(
            Picture("load", picture, "Latencia y solicitudes por segundo durante la prueba")
        )
    blocks += present(_generator(evidence))
    return blocks


def _thresholds(evidence: Mapping[str, Any], *, spike: bool) -> Block | None:
    limits = mapping(evidence.get("umbrales"))
    p95, p99 = number(evidence.get("p95_ms")), number(evidence.get("p99_ms"))
    errors, rate = (
        number(evidence.get("tasa_de_error")),
        number(evidence.get("sol_por_segundo_logradas")),
    )
    p95_max, p99_max = number(limits.get("p95_ms")), number(limits.get("p99_ms"))
    error_max = number(limits.get("tasa_de_error_maxima"))
    target, ratio = (
        number(limits.get("sol_por_segundo_objetivo")),
        number(limits.get("proporcion_minima_del_objetivo")),
    )
    floor = target * ratio if target is not None and ratio is not None else None
    return table(
        ("Medida", "Medido", "Umbral", "¿Cumple?"),
        [
            _row("Latencia p95", p95, p95_max, "ms", None if spike else "max"),
            _row("Latencia p99", p99, p99_max, "ms", "max"),
            (
                "Tasa de error",
                es.percent(errors, 2),
                f"≤ {es.percent(error_max, 2)}" if error_max is not None else "—",
                _verdict(errors, error_max, "max"),
            ),
            _row(
                "Solicitudes por segundo logradas", rate, floor, "sol/s", None if spike else "min"
            ),
        ],
        "Lo medido contra cada umbral",
        "En el pico de apertura solo cuentan la tasa de error y la latencia p99." if spike else "",
    )


def _row(
    name: str, value: float | None, limit: float | None, unit: str, rule: str | None
) -> tuple[Any, ...]:
    measured = f"{es.number(value)} {unit}" if value is not None else "—"
    if rule is None:
        return (name, measured, NOT_JUDGED, "—")
    sign = "≤" if rule == "max" else "≥"
    shown = f"{sign} {es.number(limit)} {unit}" if limit is not None else "—"
    return (name, measured, shown, _verdict(value, limit, rule))


def _verdict(value: float | None, limit: float | None, rule: str) -> Any:
    if value is None or limit is None:
        return "—"
    passed = value <= limit if rule == "max" else value >= limit
    return good("sí") if passed else bad("no")


def _applied(evidence: Mapping[str, Any]) -> Block | None:
    return pairs(
        [
            (
                "Forma",
                es.LOAD_SHAPES.get(str(evidence.get("forma")), evidence.get("forma")),
            ),
            ("Usuarios simulados", evidence.get("usuarios")),
            ("Objetivo (sol/s)", evidence.get("sol_por_segundo_objetivo")),
            (
                "Duración",
                es.duration(evidence.get("duracion_total_s"))
                if evidence.get("duracion_total_s")
                else None,
            ),
            ("Solicitudes", evidence.get("solicitudes")),
            ("Fallidas", evidence.get("fallas")),
            ("Latencia mediana (p50)", _ms(evidence.get("p50_ms"))),
            ("Latencia máxima", _ms(evidence.get("max_ms"))),
            ("Procesos generadores adicionales", evidence.get("procesos_trabajadores") or None),
            (
                "Límites aplicados",
                ", ".join(
                    f"{k}: {v}" for k, v in mapping(evidence.get("limites_aplicados")).items()
                )
                or None,
            ),
        ],
        "Carga aplicada",
    )


def _ms(value: Any) -> str | None:
    return None if value is None else f"{es.number(value)} ms"


def _generator(evidence: Mapping[str, Any]) -> Block | None:
    generator = mapping(evidence.get("generador"))
    by_role = mapping(generator.get("por_proceso"))
    return table(
        ("Proceso", "Ocupación media", "Ocupación máxima", "Muestras saturadas"),
        (
            (
                str(role),
                f"{es.number(mapping(v).get('ocupacion_media'))} %",
                f"{es.number(mapping(v).get('ocupacion_maxima'))} %",
                es.percent(mapping(v).get("proporcion_saturada"), 1),
            )
            for role, v in by_role.items()
        ),
        "CPU del generador de carga (si se satura, la prueba no es concluyente)",
        "Locust avisó que su CPU estaba saturada." if generator.get("aviso_cpu_de_locust") else "",
    )


def _bandwidth(evidence: Mapping[str, Any]) -> list[Block]:
    mbps, target = number(evidence.get("mbps")), number(evidence.get("objetivo_mbps"))
    met = None if mbps is None or target is None else mbps >= target
    failures = texts(evidence.get("fallas"))
    return present(
        pairs(
            [
                (
                    "Ancho de banda sostenido",
                    judged(f"{es.number(mbps)} Mbps", met) if mbps is not None else None,
                ),
                ("Mínimo", f"{es.number(target)} Mbps" if target is not None else None),
                ("Descargado", es.size(evidence.get("bytes"))),
                ("Durante", es.duration(evidence.get("segundos"))),
                ("Conexiones simultáneas", evidence.get("conexiones")),
                ("Descargas completas", evidence.get("descargas_completas")),
            ]
        ),
        items((code(u) for u in texts(evidence.get("archivos"))), "Archivos descargados"),
        items((bad(f) for f in failures), "Descargas fallidas"),
    )
