"""``prepcheck run``, ``merge``, ``render`` and ``checks``: the checklist, its reports and its
catalogue.

Contract: each ``add_*`` function adds its sub-command to ``commands`` with Spanish help and
a handler taking the parsed arguments and returning the exit code; inputs are checked at
parsing (argparse exits 2 naming the argument) or raise ``ConfigError``/``UsageError``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from prepcheck.cli import arguments

# argparse exposes no public name for the object add_subparsers returns.
Commands = argparse._SubParsersAction
EXIT_OK = 0


def add_commands(commands: Commands) -> None:
    """Add ``run``, ``merge``, ``render`` and ``checks``."""
    from prepcheck.checklist.command import add_merge_arguments, add_run_arguments

    run = commands.add_parser(
        "run",
        help="revisa los difusores configurados (toda la lista de verificación)",
        description="Revisa cada difusor configurado y escribe, por difusor, results.json y "
        "report.html, y el tablero index.html en la carpeta de salida.",
    )
    add_run_arguments(run)
    arguments.refine(run, "config", metavar="ARCHIVO")
    arguments.refine(run, "out", type=arguments.output_folder, metavar="CARPETA")
    arguments.refine(run, "difusor", metavar="NOMBRE")
    arguments.refine(run, "jobs", type=arguments.integer, metavar="N")
    arguments.refine(run, "browsers", type=arguments.integer, metavar="N")
    arguments.refine(run, "junitxml", type=arguments.output_file)
    run.set_defaults(handler=_run)

    merge = commands.add_parser(
        "merge",
        help="une las salidas de varias partes (--shard) en una",
        description="Une las carpetas de salida de varias partes de una revisión (--shard K/N).",
    )
    add_merge_arguments(merge)
    arguments.refine(merge, "inputs", type=arguments.existing_folder)
    arguments.refine(merge, "out", type=arguments.output_folder, metavar="CARPETA")
    merge.set_defaults(handler=_merge)

    render = commands.add_parser(
        "render",
        help="vuelve a generar report.html a partir de results.json",
        description="Vuelve a generar el informe report.html junto a cada results.json.",
    )
    render.add_argument(
        "results",
        nargs="+",
        type=results_file,
        metavar="RESULTADOS.json",
        help="results.json escrito por prepcheck run, load, monitor o selftest",
    )
    render.add_argument(
        "--board",
        type=arguments.existing_folder,
        metavar="CARPETA",
        help="además reescribe el tablero index.html de esta carpeta de salida",
    )
    render.set_defaults(handler=_render)

    checks = commands.add_parser(
        "checks",
        help="imprime el catálogo de revisiones en Markdown",
        description="Imprime el catálogo de revisiones (id, severidad, cláusula, título).",
    )
    checks.set_defaults(handler=_checks)


def results_file(text: str) -> Path:
    """A valid results.json (read and checked against its JSON Schema)."""
    from prepcheck.errors import ResultsFileError
    from prepcheck.results import read_document

    path = arguments.existing_file(text)
    try:
        read_document(path)
    except ResultsFileError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def _run(args: argparse.Namespace) -> int:
    from prepcheck.checklist.command import run_command

    return run_command(args)


def _merge(args: argparse.Namespace) -> int:
    from prepcheck.checklist.command import merge_command

    return merge_command(args)


def _render(args: argparse.Namespace) -> int:
    from prepcheck.errors import UsageError
    from prepcheck.report.board import render_board
    from prepcheck.report.render import render_report

    if args.board and not any(args.board.glob("*/results.json")):
        raise UsageError(f"--board: {args.board} no contiene resultados (*/results.json)")
    for path in args.results:
        print(render_report(path, path.with_name("report.html")))
    if args.board:
        print(render_board(args.board))
    return EXIT_OK


def _checks(args: argparse.Namespace) -> int:
    from prepcheck.docs import catalogue_markdown

    print(catalogue_markdown())
    return EXIT_OK
