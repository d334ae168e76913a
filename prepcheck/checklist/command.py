"""The ``run`` and ``merge`` commands: their arguments (Spanish help) and what they print.

Contract: ``run_command`` runs the checklist (``runner.run_checklist``) with a progress display
chosen for the terminal, prints where the board and each report are, writes JUnit XML when
asked, and returns the run's exit code. ``merge_command`` merges output folders and returns
the exit code of the merged verdicts. Bad arguments raise ``UsageError`` (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from prepcheck.catalogue import RUN_IDS
from prepcheck.checklist.options import DEFAULT_BROWSERS, DEFAULT_JOBS, Options
from prepcheck.checklist.shard import Shard
from prepcheck.errors import UsageError

MAX_JOBS = 64


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("--config", type=Path, required=True, help="archivo de configuración TOML")
    run.add_argument("--out", type=Path, default=Path("reports"), help="carpeta de resultados")
    run.add_argument(
        "--difusor", action="append", help="revisar solo este difusor (se puede repetir)"
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        help=f"difusores revisados a la vez (predeterminado: {DEFAULT_JOBS})",
    )
    run.add_argument(
        "--browsers",
        type=int,
        default=DEFAULT_BROWSERS,
        help=f"navegadores abiertos a la vez (predeterminado: {DEFAULT_BROWSERS})",
    )
    run.add_argument(
        "--shard", metavar="K/N", help="revisar solo la parte K de N (p. ej. 1/3), para repartir"
    )
    run.add_argument(
        "--check",
        action="append",
        metavar="PREFIJO",
        help="medir solo las verificaciones que empiezan así (p. ej. tls.); se puede repetir",
    )
    run.add_argument("--junitxml", type=Path, metavar="ARCHIVO", help="escribir JUnit XML")
    run.add_argument("--verbose", action="store_true", help="mostrar la salida técnica de pytest")
    run.add_argument("--quiet", action="store_true", help="no mostrar avance")


def run_command(args: argparse.Namespace) -> int:
    """``prepcheck run`` (see the module contract)."""
    if not 1 <= args.jobs <= MAX_JOBS:
        raise UsageError(f"--jobs debe estar entre 1 y {MAX_JOBS} (se dio {args.jobs})")
    if not 1 <= args.browsers <= MAX_JOBS:
        raise UsageError(f"--browsers debe estar entre 1 y {MAX_JOBS} (se dio {args.browsers})")
    try:
        shard = Shard.parse(args.shard) if args.shard else None
    except ValueError as exc:
        raise UsageError(f"--shard: {exc}") from None
    checks = tuple(args.check or ())
    unknown = [prefix for prefix in checks if not any(i.startswith(prefix) for i in RUN_IDS)]
    if unknown:
        raise UsageError(f"--check: ninguna verificación de la revisión empieza con {unknown[0]!r}")
    # The runner, the reports and their libraries load only when a run starts: a mistake in
    # the arguments, or --help, answers at once.
    from prepcheck.checklist.junit import write_junit
    from prepcheck.checklist.progress import default_progress
    from prepcheck.checklist.runner import run_checklist
    from prepcheck.results import read_document

    options = Options(jobs=args.jobs, browsers=args.browsers, verbose=args.verbose, checks=checks)
    progress = default_progress(quiet=args.quiet or args.verbose)
    outcome = run_checklist(
        args.config, args.out, args.difusor, shard=shard, options=options, progress=progress
    )
    if args.junitxml is not None:
        write_junit([read_document(path) for path in outcome.results], args.junitxml)
        print(f"JUnit XML: {args.junitxml}")
    print(f"Tablero: {outcome.board}")
    return outcome.exit_code


def add_merge_arguments(merge: argparse.ArgumentParser) -> None:
    merge.add_argument("inputs", nargs="+", type=Path, metavar="CARPETA", help="salidas a unir")
    merge.add_argument("--out", type=Path, required=True, help="carpeta de la salida unida")


def merge_command(args: argparse.Namespace) -> int:
    """``prepcheck merge`` (see the module contract)."""
    from prepcheck.checklist.merge import merge_outputs, verdicts_of
    from prepcheck.results import exit_code

    written = merge_outputs(args.inputs, args.out)
    print(f"{len(written)} difusor(es) unidos. Tablero: {args.out / 'index.html'}")
    return exit_code(verdicts_of(written))
