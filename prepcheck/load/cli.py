"""``prepcheck load``: the citizen scenario, the 19:00 spike and the bandwidth probe.

Contract of ``run_load``: the configuration is read and the difusor must have
``load.authorized = true`` before anything is sent (else exit 2 and no request at all); every
run is capped and bounded (``prepcheck.load.plan``) and runs Locust in its own processes;
records land in ``OUT/<difusor>/results.json`` (``prepcheck.outputs.land``), Locust's files
in ``OUT/<difusor>/load/``. The exit code is the difusor's verdict after landing (the one
policy of ``prepcheck.results.status``); refusals and usage errors are 2.
"""

from __future__ import annotations

import argparse
import sys

from prepcheck.checklist.observations import corte_source_package, official_corte
from prepcheck.checklist.target import Target
from prepcheck.checks.load import bandwidth
from prepcheck.config import Config, Difusor, load_config
from prepcheck.load.judge import judge_run
from prepcheck.load.locust_run import run_locust
from prepcheck.load.plan import LoadRefused, Overrides, Shape, authorize, plan_run
from prepcheck.outputs import land, subject_of
from prepcheck.probes.bandwidth import measure_bandwidth
from prepcheck.results import EXIT_USAGE, STATUS_LABELS, CheckResult, exit_code, now_iso

MAX_LOCAL_WORKERS = 32
SHAPES: dict[str, tuple[Shape, ...]] = {
    "steady": ("steady",),
    "spike": ("spike",),
    "both": ("steady", "spike"),
}


def run_load(args: argparse.Namespace) -> int:
    """Run what ``args`` asks (see the module contract); returns the exit code."""
    config = load_config(args.config)
    difusor = config.find(args.difusor)
    try:
        settings = authorize(difusor)
    except LoadRefused as exc:
        print(f"prepcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if any(value is not None and value <= 0 for value in (args.users, args.rate, args.duration)):
        print("prepcheck: --users, --rate y --duration deben ser positivos", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.workers <= MAX_LOCAL_WORKERS:
        print(f"prepcheck: --workers debe estar entre 0 y {MAX_LOCAL_WORKERS}", file=sys.stderr)
        return EXIT_USAGE
    started = now_iso()
    out = args.out.resolve()  # Locust runs in another working folder: keep paths absolute
    load_dir = out / difusor.name / "load"
    overrides = Overrides(users=args.users, rate=args.rate, duration_seconds=args.duration)
    results: list[CheckResult] = []
    expected = _official_corte(config, difusor)
    for shape in SHAPES[args.shape]:
        plan = plan_run(difusor, config.election.folder, shape, overrides, expected_corte=expected)
        print(
            f"Carga {shape}: {plan.users} usuarios, {plan.rate:g} sol/s, "
            f"{plan.total_seconds:g} s, {args.workers or 1} proceso(s) generador(es)"
        )
        run = run_locust(plan, load_dir, tag=shape, workers=args.workers)
        results.append(judge_run(run, plan, settings))
        _show(results[-1])
    if args.bandwidth:
        measured = measure_bandwidth(
            difusor,
            config.election.folder,
            seconds=min(settings.bandwidth_seconds, settings.max_duration_seconds),
            streams=settings.bandwidth_streams,
        )
        results.append(bandwidth(measured, settings.bandwidth_mbps))
        _show(results[-1])
    landed = land(out, subject_of(config, difusor), results, started_at=started, command="load")
    print(f"Resultados: {landed.path}\nInforme: {landed.report}")
    return exit_code([landed.verdict])


def _official_corte(config: Config, difusor: Difusor) -> str | None:
    """The latest official corte (ISO; see ``observations.official_corte``), so citizens flag
    a difusor serving an older one. None when unknown (then only unreadable main.json fails)."""
    target = Target(difusor, config.election, None)
    try:
        corte, _source = official_corte(target, corte_source_package(config.election))
    finally:
        target.close()
    return corte.isoformat() if corte is not None else None


def _show(result: CheckResult) -> None:
    print(f"  {result.id}: {STATUS_LABELS[result.status]} — {result.message}")
