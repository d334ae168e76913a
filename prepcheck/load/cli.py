"""``prepcheck load``: the citizen scenario, the 19:00 spike and the bandwidth probe.

Contract of ``run_load``: the configuration is read and the difusor must have
``load.authorized = true`` before anything is sent (else exit 2 and no request at all); every
run is capped and bounded (``prepcheck.load.plan``) and runs Locust in its own processes;
records land in ``OUT/<difusor>/results.json`` (``prepcheck.outputs.land``), Locust's files
in ``OUT/<difusor>/load/``. With ``--expect-workers N`` the load comes from N workers started on
other machines (``prepcheck load-worker``, see ``prepcheck.load.worker_cli``) that connect to
the master at ``--master-bind``; the master waits ``--worker-wait`` seconds for them. The exit
code is the difusor's verdict after landing (the one policy of ``prepcheck.results.status``);
refusals and usage errors are 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from prepcheck.checklist.sources import corte_source_package, current_official_corte
from prepcheck.checks.load import bandwidth
from prepcheck.config import Config, Difusor, load_config
from prepcheck.load.judge import judge_run
from prepcheck.load.locust_run import RemoteWorkers, run_locust
from prepcheck.load.plan import LoadRefused, Overrides, Shape, authorize, plan_run
from prepcheck.load.remote import DEFAULT_MASTER_PORT, parse_master_address, worker_command
from prepcheck.outputs import land, subject_of
from prepcheck.probes.bandwidth import measure_bandwidth
from prepcheck.results import EXIT_USAGE, STATUS_LABELS, CheckResult, exit_code, now_iso

MAX_LOCAL_WORKERS = 32
MAX_REMOTE_WORKERS = 1000
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
    try:
        remote = _remote_workers(args)
    except ValueError as exc:
        print(f"prepcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    started = now_iso()
    out = args.out.resolve()  # Locust runs in another working folder: keep paths absolute
    load_dir = out / difusor.name / "load"
    overrides = Overrides(users=args.users, rate=args.rate, duration_seconds=args.duration)
    results: list[CheckResult] = []
    expected = _official_corte(config, difusor)
    for shape in SHAPES[args.shape]:
        plan = plan_run(difusor, config.election.folder, shape, overrides, expected_corte=expected)
        generators = (
            f"{remote.count} trabajador(es) remoto(s)"
            if remote
            else f"{args.workers or 1} proceso(s) generador(es)"
        )
        print(
            f"Carga {shape}: {plan.users} usuarios, {plan.rate:g} sol/s, "
            f"{plan.total_seconds:g} s, {generators}"
        )
        if remote:
            _announce(remote, load_dir / f"{shape}_plan.json", len(SHAPES[args.shape]))
        run = run_locust(plan, load_dir, tag=shape, workers=args.workers, remote=remote)
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
    landed = land(
        out,
        subject_of(config, difusor),
        results,
        started_at=started,
        command="load",
        campaign=config.campaign,
    )
    print(f"Resultados: {landed.path}\nInforme: {landed.report}")
    return exit_code([landed.verdict])


def _remote_workers(args: argparse.Namespace) -> RemoteWorkers | None:
    """The remote workers ``--expect-workers``/``--master-bind``/``--worker-wait`` ask for."""
    if args.expect_workers is None:
        if args.master_bind is not None:
            raise ValueError("--master-bind va con --expect-workers N (trabajadores remotos)")
        return None
    if args.workers:
        raise ValueError("--workers (locales) y --expect-workers (remotos) se excluyen")
    if not 1 <= args.expect_workers <= MAX_REMOTE_WORKERS:
        raise ValueError(f"--expect-workers debe estar entre 1 y {MAX_REMOTE_WORKERS}")
    if not args.worker_wait > 0:
        raise ValueError("--worker-wait debe ser positivo")
    try:
        host, port = parse_master_address(args.master_bind or f"0.0.0.0:{DEFAULT_MASTER_PORT}")
    except ValueError as exc:
        raise ValueError(f"--master-bind: {exc}") from None
    return RemoteWorkers(args.expect_workers, host, port, args.worker_wait)


def _announce(remote: RemoteWorkers, plan: Path, runs: int) -> None:
    """What the operator does on each worker machine while the master waits."""
    shown = "<dirección de este equipo>" if remote.bind_host == "0.0.0.0" else remote.bind_host
    command = worker_command(f"{shown}:{remote.bind_port}", plan)
    runs_hint = f" --runs {runs}" if runs > 1 else ""
    print(
        f"  El maestro espera hasta {remote.wait_seconds:g} s a {remote.count} trabajador(es) en "
        f"{remote.bind_host}:{remote.bind_port}. En cada equipo trabajador (con el plan y la CA "
        f"copiados):\n    {command}{runs_hint} [--ca-file CA]",
        flush=True,
    )


def _official_corte(config: Config, difusor: Difusor) -> str | None:
    """The latest official corte (ISO; see ``sources.official_corte``), so citizens flag
    a difusor serving an older one. None when unknown (then only unreadable main.json fails)."""
    election = config.election
    corte, _source = current_official_corte(election, difusor, corte_source_package(election))
    return corte.isoformat() if corte is not None else None


def _show(result: CheckResult) -> None:
    print(f"  {result.id}: {STATUS_LABELS[result.status]} — {result.message}")
