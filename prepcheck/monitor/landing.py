"""Land monitoring results: the three records in ``results.json`` and ``incidentes.json``.

Contract: ``record_monitoring`` evaluates one difusor's history, merges the records into
``OUT/<difusor>/results.json`` through ``prepcheck.outputs.land`` (which also re-renders the
report and the board) and writes ``OUT/<difusor>/incidentes.json``: every
availability incident and every run of failed periods (uncapped), for the memoria técnica.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prepcheck.checks.monitor.evaluate import (
    Rules,
    evaluate_all,
    incident_record,
    interruption_point,
)
from prepcheck.checks.monitor.periods import failed_runs, incidents, periods
from prepcheck.config import Config, Difusor
from prepcheck.outputs import Landed, land, subject_of
from prepcheck.results import CheckResult, now_iso, write_json
from prepcheck.snapshots.monitor import Observation
from prepcheck.spanish import local_iso

INCIDENTS_SCHEMA_VERSION = 1


def record_monitoring(
    out_dir: Path,
    config: Config,
    difusor: Difusor,
    observations: Sequence[Observation],
    rules: Rules,
    started_at: str,
) -> tuple[list[CheckResult], Landed]:
    """Evaluate, land and render; returns the records and where they landed."""
    results = evaluate_all(observations, rules)
    landed = land(
        out_dir,
        subject_of(config, difusor),
        results,
        started_at=started_at,
        command="monitor",
        campaign=config.campaign,
    )
    incidents = incidents_document(difusor.name, observations, rules)
    write_json(incidents, incidents_path(landed.path))
    return results, landed


def incidents_path(results_path: Path) -> Path:
    return results_path.with_name("incidentes.json")


def incidents_document(
    name: str, observations: Sequence[Observation], rules: Rules
) -> dict[str, Any]:
    """``incidentes.json``: schema_version, window, counts, incidents, failed-period runs."""
    tz = rules.tz
    runs = failed_runs(periods(observations, rules.period, rules.interval))
    failures = sum(not obs.reachable for obs in observations)
    return {
        "schema_version": INCIDENTS_SCHEMA_VERSION,
        "difusor": name,
        "generado": now_iso(),
        "desde": local_iso(observations[0].at, tz) if observations else None,
        "hasta": local_iso(observations[-1].at, tz) if observations else None,
        "periodo_segundos": rules.period.total_seconds(),
        "periodo_simulado": rules.simulated,
        "sondeos": len(observations),
        "fallidos": failures,
        "incidentes": [incident_record(i, tz) for i in incidents(observations)],
        "tramos_fallidos": [
            {
                "inicio": local_iso(run.first.start, tz),
                "fin": local_iso(run.last.start + rules.period, tz),
                "periodos": run.length,
                "motivo": run.first.reason,
                "interrupcion": (
                    local_iso(interruption_point(run, rules), tz)
                    if run.length >= rules.missed_limit
                    else None
                ),
            }
            for run in runs
        ],
    }
