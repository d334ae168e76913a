"""``prepcheck run``, ``render`` and ``checks``: the checklist, its reports and its catalogue.

Contract: each ``add_*`` function adds its sub-command to ``commands`` with Spanish help and
a handler taking the parsed arguments and returning the exit code; inputs are checked at
parsing (argparse exits 2 naming the argument) or raise ``ConfigError``/``UsageError``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from prepcheck.cli import arguments

# argparse exposes no public name for the object add_subparsers returns.
Commands = argparse._SubParsersAction
EXIT_OK = 0


def add_commands(commands: Commands) -> None:
    """Add ``run``, ``render`` and ``checks``."""
    run = commands.add_parser(
        "run",
        help="revisa los difusores configurados (toda la lista de verificación)",
        description="Revisa cada difusor configurado y escribe, por difusor, results.json y "
        "report.html, y el tablero index.html en la carpeta de salida.",
    )
    run.add_argument(
        "--config",
        type=Path,
        required=True,
        metavar="ARCHIVO",
        help="configuración TOML de la elección y los difusores",
    )
    run.add_argument(
        "--out",
        type=arguments.output_folder,
        default=Path("reports"),
        metavar="CARPETA",
        help="carpeta de los informes (por omisión: reports)",
    )
    run.add_argument(
        "--difusor", action="append", metavar="NOMBRE", help="solo este difusor (puede repetirse)"
    )
    run.add_argument(
        "--quiet",
        action="store_true",
        help="manda la salida de pytest a la bitácora de la revisión",
    )
    run.set_defaults(handler=_run)

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
        type=arguments.output_folder,
        metavar="CARPETA",
        help="además escribe el tablero index.html en esta carpeta",
    )
    render.set_defaults(handler=_render)

    checks = commands.add_parser(
        "checks",
        help="imprime el catálogo de revisiones en Markdown",
        description="Imprime el catálogo de revisiones (id, severidad, cláusula, título).",
    )
    checks.set_defaults(handler=_checks)


def results_file(text: str) -> Path:
    """A results.json of prepcheck: JSON with ``schema_version`` and a ``checks`` list."""
    path = arguments.existing_file(text)
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise argparse.ArgumentTypeError(
            f"{text} no es texto UTF-8; se esperaba un results.json"
        ) from None
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(
            f"{text} no es JSON válido (línea {exc.lineno}, columna {exc.colno});"
            " se esperaba un results.json de prepcheck"
        ) from None
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"no se puede leer {text}: {exc.strerror}") from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise argparse.ArgumentTypeError(
            f"{text} no es un results.json de prepcheck (le falta `schema_version`)"
        )
    if not isinstance(document.get("checks"), list):
        raise argparse.ArgumentTypeError(
            f"{text} no es un results.json de prepcheck (le falta la lista `checks`)"
        )
    return path


def _run(args: argparse.Namespace) -> int:
    from prepcheck.runner import run_checklist

    outcome = run_checklist(args.config, args.out, args.difusor or None, quiet=args.quiet)
    print(f"Tablero: {outcome.board}")
    for path in outcome.results:
        print(f"  {path.parent.name}: {path.with_name('report.html')}")
    return outcome.exit_code


def _render(args: argparse.Namespace) -> int:
    from prepcheck.report.board import render_board
    from prepcheck.report.render import render_report

    for path in args.results:
        print(render_report(path, path.with_name("report.html")))
    if args.board:
        print(render_board(args.board, list(args.results)))
    return EXIT_OK


def _checks(args: argparse.Namespace) -> int:
    from prepcheck.docs import catalogue_markdown

    print(catalogue_markdown())
    return EXIT_OK
