"""Turn one finished Locust run into its ``load.capacity`` / ``load.spike`` record.

Contract: never raises for a run that went wrong; a run that timed out, whose workers did not
all connect, that left no statistics or ran on a saturated generator gives ``error``; otherwise
the thresholds decide (see ``prepcheck.checks.load``). The evidence carries the figures, the
generators' CPU, the per-generator request counts and the latency/throughput series over time
(``serie``, see ``prepcheck.load.chart``) that the report draws; Locust's own files (CSV
statistics, HTML report) are the record's artifacts, named relative to ``artifacts_root`` (the
folder of the difusor's results.json), so an output folder keeps working when moved or zipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prepcheck.checks.load import capacity, spike
from prepcheck.config import LoadSettings
from prepcheck.load.chart import series
from prepcheck.load.locust_run import LocustRun
from prepcheck.load.plan import LoadPlan
from prepcheck.load.stats import load_window, rate_at_full_load, read_history, read_totals
from prepcheck.results import Artifact, CheckResult, error
from prepcheck.snapshots.load import Generator, LoadMeasurement, Thresholds

CHECK_BY_SHAPE = {"steady": "load.capacity", "spike": "load.spike"}
EVALUATOR_BY_SHAPE = {"steady": capacity, "spike": spike}
#: What Locust's master logs when the expected workers did not all connect in time.
WORKERS_MISSING = "Gave up waiting for workers to connect"


def thresholds_for(plan: LoadPlan, settings: LoadSettings) -> Thresholds:
    return Thresholds(
        p95_ms=settings.p95_ms,
        p99_ms=settings.p99_ms,
        max_error_rate=settings.max_error_rate,
        target_rate=plan.rate,
        min_rate_ratio=settings.min_rate_ratio,
    )


def judge_run(
    run: LocustRun, plan: LoadPlan, settings: LoadSettings, artifacts_root: Path | None = None
) -> CheckResult:
    """The record of ``run`` (see the module contract). ``artifacts_root`` defaults to the
    parent of Locust's folder (``OUT/<difusor>`` for ``OUT/<difusor>/load``)."""
    check_id = CHECK_BY_SHAPE[plan.shape]
    root = artifacts_root or run.out_dir.parent
    judged = _judge(run, plan, settings, check_id)
    return judged.with_artifacts(*_artifacts(run, root))


def _judge(run: LocustRun, plan: LoadPlan, settings: LoadSettings, check_id: str) -> CheckResult:
    evidence = _plan_evidence(run, plan)
    if run.timed_out:
        return error(check_id, "La prueba no terminó a tiempo y se detuvo.", **evidence)
    if WORKERS_MISSING in run.log_text():
        evidence["bitacora"] = run.log_text()[-2000:]
        return error(
            check_id,
            f"No se conectaron a tiempo los {run.workers} trabajadores esperados: no se envió "
            "carga. Revise que cada trabajador alcance la dirección del maestro.",
            **evidence,
        )
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
    evidence["serie"] = series(points)
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
        "trabajadores_remotos": run.remote,
        "solicitudes_por_generador": (run.summary or {}).get("generators"),
        "limites_aplicados": plan.capped,
    }


def _artifacts(run: LocustRun, root: Path) -> list[Artifact]:
    """Locust's files that exist inside ``root``, named relative to it."""
    files = (
        ("Informe HTML de Locust", run.html, "html"),
        ("Estadísticas (CSV)", run.stats_csv, "csv"),
        ("Estadísticas por segundo (CSV)", run.history_csv, "csv"),
        ("Fallas (CSV)", run.failures_csv, "csv"),
    )
    found = []
    for label, path, kind in files:
        try:
            relative = path.resolve().relative_to(root.resolve())
        except ValueError:
            continue  # outside the output folder: a link would break once the folder moves
        if path.is_file():
            found.append(Artifact(label, relative.as_posix(), kind))
    return found


def _logs(run: LocustRun) -> str:
    texts = [run.log_text()]
    for worker_log in sorted(run.out_dir.glob(f"{run.csv_prefix.name}-worker*.log")):
        texts.append(Path(worker_log).read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)
