"""The ``prepcheck`` command. Exit codes: 0 success / all required checks pass; 1 a required
check failed or errored (or a package was rejected); 2 usage or configuration error."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from prepcheck.campaign.cli import add_campaign_parsers, add_monitor_options
from prepcheck.errors import ConfigError, HarnessError, PackageError, ResultsFileError, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


# SIGTERM stops like Ctrl-C from the moment this module loads (the command modules are imported
# later, on demand); commands that run long install their own handlers for both.
signal.signal(signal.SIGTERM, _interrupt)
Handler = Callable[[argparse.Namespace], int]


def _run(args: argparse.Namespace) -> int:
    from prepcheck.checklist.command import run_command

    return run_command(args)


def _merge(args: argparse.Namespace) -> int:
    from prepcheck.checklist.command import merge_command

    return merge_command(args)


def _package_build(args: argparse.Namespace) -> int:
    from prepcheck.sample.build_cli import run_build

    return run_build(args)


def _package_verify(args: argparse.Namespace) -> int:
    from prepcheck.archive.verify import verify_package

    print(verify_package(args.package, digest_file=args.digest, algorithm=args.algorithm))
    return EXIT_OK


def _reference_serve(args: argparse.Namespace) -> int:
    from prepcheck.demo.serve import serve_forever

    return serve_forever(
        args.package, args.workdir, server=args.server, port=args.port, host=args.host
    )


def _demo(args: argparse.Namespace) -> int:
    from prepcheck.demo.run import run_demo

    return run_demo(args.out, servers=args.server, scale=args.scale)


def _ingest(args: argparse.Namespace) -> int:
    from prepcheck.ingest.cli import run_ingest

    return run_ingest(args)


def _render(args: argparse.Namespace) -> int:
    from prepcheck.report.board import render_board
    from prepcheck.report.render import render_report

    for path in args.results:
        print(render_report(path, path.with_name("report.html")))
    if args.board:
        print(render_board(args.board))
    return EXIT_OK


def _load(args: argparse.Namespace) -> int:
    from prepcheck.load.cli import run_load

    return run_load(args)


def _load_worker(args: argparse.Namespace) -> int:
    from prepcheck.load.worker_cli import run_worker

    return run_worker(args)


def _selftest(args: argparse.Namespace) -> int:
    from prepcheck.host.selftest import run_selftest

    return run_selftest(args)


def _memoria(args: argparse.Namespace) -> int:
    from prepcheck.memoria.cli import run_memoria

    return run_memoria(args)


def _monitor(args: argparse.Namespace) -> int:
    from prepcheck.monitor.cli import run_monitor

    return run_monitor(args)


def _checks(args: argparse.Namespace) -> int:
    from prepcheck.docs import catalogue_markdown

    print(catalogue_markdown())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prepcheck", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_run(commands)
    _add_package(commands)
    _add_reference(commands)
    _add_demo(commands)
    _add_ingest(commands)
    _add_load(commands)
    _add_monitor(commands)
    _add_selftest(commands)
    _add_memoria(commands)
    add_campaign_parsers(commands)
    render = commands.add_parser("render", help="re-render report.html from results.json files")
    render.add_argument("results", nargs="+", type=Path)
    render.add_argument(
        "--board", type=Path, help="also rewrite the board index.html of this output folder"
    )
    render.set_defaults(handler=_render)
    checks = commands.add_parser("checks", help="print the check catalogue as Markdown")
    checks.set_defaults(handler=_checks)
    return parser


def _add_run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from prepcheck.checklist.command import add_merge_arguments, add_run_arguments

    run = commands.add_parser("run", help="revisar los difusores configurados")
    add_run_arguments(run)
    run.set_defaults(handler=_run)
    merge = commands.add_parser("merge", help="unir las salidas de varias partes (--shard)")
    add_merge_arguments(merge)
    merge.set_defaults(handler=_merge)


def _add_package(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    package = commands.add_parser("package", help="build or verify PREP packages")
    sub = package.add_subparsers(dest="package_command", required=True)
    build = sub.add_parser(
        "build",
        help="escribe un paquete de muestra sintético y determinista",
        description="Escribe un paquete PREP sintético (mismos argumentos, mismos bytes) y su "
        "huella .sha256. Las actas contadas crecen con el tiempo desde la apertura.",
    )
    build.add_argument(
        "--corte", required=True, help='hora local de la elección, p. ej. "2027-06-06 21:15"'
    )
    build.add_argument("--out", type=Path, required=True, help="carpeta donde se escribe")
    build.add_argument("--scale", choices=("small", "full"), default="small", help="tamaño")
    build.add_argument("--format", choices=("zip", "tar.gz"), default="zip", help="formato")
    build.add_argument("--seed", type=int, default=2021, help="semilla de los datos sintéticos")
    build.add_argument(
        "--utc-offset",
        help="desfase de la hora local, con «=»: --utc-offset=-06:00 (por omisión, el de la "
        "fecha: -05:00 en los veranos con horario de verano, hasta 2022; -06:00 en otro caso)",
    )
    build.add_argument(
        "--election-start",
        help='apertura de la publicación, hora local, p. ej. "2027-06-06 19:00" (por omisión, '
        "las 19:00 más recientes no posteriores al corte)",
    )
    build.set_defaults(handler=_package_build)
    verify = sub.add_parser("verify", help="verify a package's digest and archive safety")
    verify.add_argument("package", type=Path)
    verify.add_argument("--digest", type=Path, help="sidecar (default: PACKAGE.sha256 if present)")
    verify.add_argument("--algorithm", choices=("sha256", "sha512", "md5"), default="sha256")
    verify.set_defaults(handler=_package_verify)


def _add_reference(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reference = commands.add_parser("reference", help="the embedded reference difusor")
    sub = reference.add_subparsers(dest="reference_command", required=True)
    serve = sub.add_parser("serve", help="serve a package over HTTPS on loopback until Ctrl-C")
    serve.add_argument("--server", choices=("nginx", "apache"), default="nginx")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="dirección IP en la que escucha (p. ej. la de otra interfaz); el certificado es "
        "válido para ella",
    )
    serve.add_argument("--package", type=Path, help="package to publish (default: a fresh sample)")
    serve.add_argument("--workdir", type=Path, default=Path(".prepcheck/reference"))
    serve.set_defaults(handler=_reference_serve)


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="build a package, serve it, run the full checklist")
    demo.add_argument("--out", type=Path, default=Path("reports/demo"))
    demo.add_argument("--server", choices=("nginx", "apache", "both"), default="both")
    demo.add_argument("--scale", choices=("small", "full"), default="small")
    demo.set_defaults(handler=_demo)


def _add_load(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from prepcheck.load.remote import DEFAULT_MASTER_PORT, DEFAULT_WORKER_WAIT_SECONDS

    load = commands.add_parser(
        "load", help="pruebas de carga (solo con load.authorized = true en la configuración)"
    )
    load.add_argument("--difusor", required=True, help="nombre del difusor en la configuración")
    load.add_argument("--config", type=Path, default=Path("prepcheck.toml"), help="archivo TOML")
    load.add_argument("--out", type=Path, default=Path("reports"), help="carpeta de informes")
    load.add_argument("--users", type=int, help="usuarios (tope: load.max_users)")
    load.add_argument("--rate", type=float, help="sol/s objetivo (tope: load.max_rate)")
    load.add_argument("--duration", type=int, help="segundos (tope: load.max_duration_seconds)")
    load.add_argument(
        "--shape", choices=("steady", "spike", "both"), default="both", help="forma de la carga"
    )
    load.add_argument(
        "--workers", type=int, default=0, help="procesos trabajadores de Locust en este equipo"
    )
    load.add_argument(
        "--expect-workers",
        type=int,
        metavar="N",
        help="espera N trabajadores de otros equipos (prepcheck load-worker) en lugar de "
        "generar la carga aquí",
    )
    load.add_argument(
        "--master-bind",
        metavar="HOST:PUERTO",
        help=f"dirección en la que el maestro espera a los trabajadores remotos (por omisión "
        f"0.0.0.0:{DEFAULT_MASTER_PORT})",
    )
    load.add_argument(
        "--worker-wait",
        type=float,
        default=DEFAULT_WORKER_WAIT_SECONDS,
        metavar="S",
        help="segundos que el maestro espera a que se conecten todos los trabajadores remotos",
    )
    load.add_argument(
        "--bandwidth",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="mide también load.bandwidth (desde este equipo)",
    )
    load.set_defaults(handler=_load)
    worker = commands.add_parser(
        "load-worker",
        help="trabajador de carga en otro equipo, a las órdenes de prepcheck load --expect-workers",
    )
    worker.add_argument(
        "--master", required=True, metavar="HOST:PUERTO", help="dirección del maestro"
    )
    worker.add_argument(
        "--plan", type=Path, required=True, help="el plan que escribió prepcheck load (copia)"
    )
    worker.add_argument(
        "--ca-file", type=Path, help="la CA de ensayo en este equipo, si su ruta difiere del plan"
    )
    worker.add_argument(
        "--out", type=Path, default=Path("reports/load-worker"), help="bitácoras y conteos"
    )
    worker.add_argument(
        "--runs", type=int, default=1, help="corridas a atender (2 con --shape both)"
    )
    worker.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WORKER_WAIT_SECONDS + 60,
        metavar="S",
        help="segundos de espera al maestro en cada corrida, además de la duración del plan",
    )
    worker.set_defaults(handler=_load_worker)


def _add_selftest(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    selftest = commands.add_parser("selftest", help="host.* checks, run on the difusor's host")
    selftest.add_argument("--difusor", required=True)
    selftest.add_argument("--config", type=Path, default=Path("prepcheck.toml"))
    selftest.add_argument("--site-root", type=Path, required=True, help="folder the site is in")
    selftest.add_argument("--history", type=Path, required=True, help="folder keeping packages")
    selftest.add_argument("--access-log", type=Path, required=True, help="the live access log")
    selftest.add_argument(
        "--access-log-format",
        default="combined",
        help="combined, nginx-combined, apache-combined or a LogFormat/log_format string",
    )
    selftest.add_argument("--out", type=Path, default=Path("reports"))
    selftest.set_defaults(handler=_selftest)


def _add_memoria(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    memoria = commands.add_parser("memoria", help="memoria técnica (section VI) of one difusor")
    memoria.add_argument("--difusor", required=True)
    memoria.add_argument("--config", type=Path, default=Path("prepcheck.toml"))
    memoria.add_argument("--access-log", type=Path, nargs="+", required=True, help="logs (.gz ok)")
    memoria.add_argument("--access-log-format", default="combined")
    memoria.add_argument("--incidents", type=Path, help="default OUT/<difusor>/incidentes.json")
    memoria.add_argument("--from", dest="date_from", help="first local date, YYYY-MM-DD")
    memoria.add_argument("--to", dest="date_to", help="last local date, YYYY-MM-DD")
    memoria.add_argument("--out", type=Path, default=Path("reports"))
    memoria.set_defaults(handler=_memoria)


def _add_monitor(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    monitor = commands.add_parser("monitor", help="watch the difusores (bounded), record verdicts")
    monitor.add_argument("--config", type=Path, required=True)
    monitor.add_argument("--difusor", action="append", help="only this difusor (repeatable)")
    monitor.add_argument("--out", type=Path, default=Path("reports"))
    monitor.add_argument("--db", type=Path, help="SQLite history (default: OUT/monitor.sqlite)")
    monitor.add_argument("--every", type=float, help="seconds between probes (default: config)")
    until = monitor.add_mutually_exclusive_group()
    until.add_argument("--for", dest="for_", metavar="DURATION", help="e.g. 90s, 15m, 2h, 6d")
    until.add_argument("--until", metavar="ISO", help="local election time unless an offset")
    monitor.add_argument("--max-probes", type=int, help="stop after N probes per difusor")
    monitor.add_argument("--period-seconds", type=float, help="simulate periods of S s (drills)")
    monitor.add_argument("--report-only", action="store_true", help="evaluate the db, no probes")
    add_monitor_options(monitor)
    monitor.set_defaults(handler=_monitor)


def _add_ingest(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ingest = commands.add_parser("ingest", help="verify, unpack and publish a package atomically")
    ingest.add_argument("package", type=Path, nargs="?")
    ingest.add_argument("--digest", type=Path, help="sidecar (default: PACKAGE.sha256)")
    ingest.add_argument("--algorithm", choices=("sha256", "sha512", "md5"), default="sha256")
    ingest.add_argument("--root", type=Path, required=True, help="site folder to publish into")
    ingest.add_argument("--history", type=Path, required=True, help="folder keeping every package")
    ingest.add_argument("--force", action="store_true", help="accept a corte older than published")
    ingest.add_argument("--watch", type=Path, metavar="UPLOAD_DIR", help="keep ingesting uploads")
    ingest.add_argument("--quarantine", type=Path, help="where rejected uploads go (with --watch)")
    ingest.add_argument("--poll", type=float, default=2.0, help="seconds between scans")
    ingest.add_argument("--max-iterations", type=int, default=None, help=argparse.SUPPRESS)
    ingest.set_defaults(handler=_ingest)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (see module docstring). SIGTERM stops like Ctrl-C
    (commands that run long install their own handlers for both)."""
    try:
        args = build_parser().parse_args(argv)
        handler: Handler = args.handler
        return handler(args)
    except ConfigError as exc:
        print(f"prepcheck: error de configuración: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, ResultsFileError) as exc:
        print(f"prepcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PackageError as exc:
        print(f"prepcheck: paquete rechazado: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except HarnessError as exc:
        print(f"prepcheck: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("prepcheck: interrumpido", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
