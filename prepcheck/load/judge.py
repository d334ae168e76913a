"""Turn one finished Locust run into its ``load.capacity`` / ``load.spike`` record.

Contract: never raises for a run that went wrong; a run that timed out, left no statistics or
ran on a saturated generator gives ``error``; otherwise the thresholds decide (see
``prepcheck.checks.load``). The evidence carries the figures, the generator's CPU, the
per-generator request counts, Locust's files and the over-time chart as a PNG.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from prepcheck.checks.load import capacity, spike
from prepcheck.config import LoadSettings
from prepcheck.load.chart import chart_png
from prepcheck.load.locust_run import LocustRun
from prepcheck.load.plan import LoadPlan
from prepcheck.load.stats import load_window, rate_at_full_load, read_history, read_totals
from prepcheck.results import CheckResult, error
from prepcheck.snapshots.load import Generator, LoadMeasurement, Thresholds

CHECK_BY_SHAPE = {"steady": "load.capacity", "spike": "load.spike"}
EVALUATOR_BY_SHAPE = {"steady": capacity, "spike": spike}


def thresholds_for(plan: LoadPlan, settings: LoadSettings) -> Thresholds:
    return Thresholds(
        p95_ms=settings.p95_ms,
        p99_ms=settings.p99_ms,
        max_error_rate=settings.max_error_rate,
        target_rate=plan.rate,
        min_rate_ratio=settings.min_rate_ratio,
    )


def judge_run(run: LocustRun, plan: LoadPlan, settings: LoadSettings) -> CheckResult:
    """The record of ``run`` (see the module contract)."""
    check_id = CHECK_BY_SHAPE[plan.shape]
    evidence = _plan_evidence(run, plan)
    if run.timed_out:
        return error(check_id, "La prueba no terminó a tiempo y se detuvo.", **evidence)
    try:
        totals = read_totals(run.stats_csv)
        points = read_history(run.history_csv)
    except (OSError, ValueError, KeyError) as exc:
        evidence["bitacora"] = run.log_text()[-2000:]
        return error(check_id, f"Locust no dejó estadísticas legibles: {exc}", **evidence)
    # Workers report to the master every 3 s, so a distributed run's history is a staircase:
    # there Locust's own whole-run figure is the better estimate.
    achieved = None if run.workers else rate_at_full_load(points, plan.users)
    achieved = totals.rate if achieved is None else achieved
    generator = Generator(
        tuple((s.at, s.role, s.busy) for s in run.cpu), load_window(points), _logs(run)
    )
    title = f"{check_id}: {plan.users} usuarios, objetivo {plan.rate:g} sol/s ({plan.shape})"
    evidence["imagenes"] = [
        {
            "nombre": "carga en el tiempo",
            "png_base64": base64.b64encode(chart_png(points, title)).decode("ascii"),
        }
    ]
    measured = LoadMeasurement(
        totals, achieved, thresholds_for(plan, settings), generator, evidence
    )
    return EVALUATOR_BY_SHAPE[plan.shape](measured)


def _plan_evidence(run: LocustRun, plan: LoadPlan) -> dict[str, Any]:
    return {
        "forma": plan.shape,
        "usuarios": plan.users,
        "sol_por_segundo_objetivo": plan.rate,
        "duracion_total_s": plan.total_seconds,
        "etapas": [
            {"hasta_s": s.end, "usuarios": s.users, "arranque_por_s": s.spawn_rate}
            for s in plan.stages
        ],
        "procesos_trabajadores": run.workers,
        "solicitudes_por_generador": (run.summary or {}).get("generators"),
        "limites_aplicados": plan.capped,
        "archivos_locust": {
            "estadisticas_csv": str(run.stats_csv),
            "historia_csv": str(run.history_csv),
            "fallas_csv": str(run.failures_csv),
            "informe_html": str(run.html),
        },
    }


def _logs(run: LocustRun) -> str:
    texts = [run.log_text()]
    for worker_log in sorted(run.out_dir.glob(f"{run.csv_prefix.name}-worker*.log")):
        texts.append(Path(worker_log).read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)
