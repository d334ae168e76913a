"""``prepcheck load``, ``load-worker``, ``monitor``, ``selftest`` and ``memoria``: measurements
made apart from the checklist run and merged into the same results.json.

Contract: as :mod:`prepcheck.cli.checklist` (Spanish help; inputs checked at parsing; each
handler returns the exit code).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from prepcheck.campaign.cli import add_monitor_options
from prepcheck.cli import arguments
from prepcheck.cli.checklist import Commands
from prepcheck.load.remote import DEFAULT_MASTER_PORT, DEFAULT_WORKER_WAIT_SECONDS

DEFAULT_CONFIG = Path("prepcheck.toml")


def add_commands(commands: Commands) -> None:
    """Add ``load``, ``load-worker``, ``monitor``, ``selftest`` and ``memoria``."""
    _add_load(commands)
    _add_monitor(commands)
    _add_selftest(commands)
    _add_memoria(commands)


def _add_load(commands: Commands) -> None:
    load = commands.add_parser(
        "load",
        help="pruebas de carga (requiere load.authorized = true)",
        description="Prueba de capacidad con Locust, la apertura de las 19:00 y el ancho de "
        "banda; solo si la configuración del difusor dice load.authorized = true.",
    )
    load.add_argument("--difusor", required=True, metavar="NOMBRE", help="el difusor a probar")
    load.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="ARCHIVO",
        help="configuración TOML (por omisión: prepcheck.toml)",
    )
    load.add_argument(
        "--out",
        type=arguments.output_folder,
        default=Path("reports"),
        metavar="CARPETA",
        help="carpeta de los informes",
    )
    load.add_argument(
        "--users",
        type=arguments.integer,
        metavar="N",
        help="usuarios simultáneos (tope: load.max_users)",
    )
    load.add_argument(
        "--rate",
        type=arguments.number,
        metavar="SOL_POR_S",
        help="solicitudes por segundo objetivo (tope: load.max_rate)",
    )
    load.add_argument(
        "--duration",
        type=arguments.integer,
        metavar="SEGUNDOS",
        help="duración (tope: load.max_duration_seconds)",
    )
    load.add_argument(
        "--shape",
        choices=("steady", "spike", "both"),
        default="both",
        help="steady (carga sostenida), spike (apertura) o both (ambas)",
    )
    load.add_argument(
        "--workers",
        type=arguments.integer,
        default=0,
        metavar="K",
        help="procesos generadores locales de Locust",
    )
    load.add_argument(
        "--expect-workers",
        type=arguments.integer,
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
        type=arguments.number,
        default=DEFAULT_WORKER_WAIT_SECONDS,
        metavar="SEGUNDOS",
        help="segundos que el maestro espera a que se conecten todos los trabajadores remotos",
    )
    bandwidth = load.add_argument(
        "--bandwidth", action=argparse.BooleanOptionalAction, default=True
    )
    # Set after creation: given to the constructor, Python 3.11 would append English.
    bandwidth.help = "mide también load.bandwidth, desde este equipo (por omisión: sí)"
    load.set_defaults(handler=_load)

    worker = commands.add_parser(
        "load-worker",
        help="trabajador de carga en otro equipo, a las órdenes de prepcheck load --expect-workers",
        description="Genera la carga de prepcheck load desde este equipo: se conecta al maestro "
        "y sigue una copia del plan que escribió prepcheck load.",
    )
    worker.add_argument(
        "--master", required=True, metavar="HOST:PUERTO", help="dirección del maestro"
    )
    worker.add_argument(
        "--plan",
        type=Path,
        required=True,
        metavar="ARCHIVO",
        help="el plan que escribió prepcheck load (copia)",
    )
    worker.add_argument(
        "--ca-file",
        type=Path,
        metavar="ARCHIVO",
        help="la CA de ensayo en este equipo, si su ruta difiere del plan",
    )
    worker.add_argument(
        "--out",
        type=arguments.output_folder,
        default=Path("reports/load-worker"),
        metavar="CARPETA",
        help="bitácoras y conteos",
    )
    worker.add_argument(
        "--runs",
        type=arguments.integer,
        default=1,
        metavar="N",
        help="corridas a atender (2 con --shape both)",
    )
    worker.add_argument(
        "--wait",
        type=arguments.number,
        default=DEFAULT_WORKER_WAIT_SECONDS + 60,
        metavar="SEGUNDOS",
        help="segundos de espera al maestro en cada corrida, además de la duración del plan",
    )
    worker.set_defaults(handler=_load_worker)


def _add_monitor(commands: Commands) -> None:
    monitor = commands.add_parser(
        "monitor",
        help="vigila los difusores por un tiempo acotado y registra los veredictos",
        description="Monitoreo de la noche de la elección: disponibilidad, frescura y "
        "periodos perdidos; termina solo (--for, --until o --max-probes) o con Ctrl-C.",
    )
    monitor.add_argument(
        "--config", type=Path, required=True, metavar="ARCHIVO", help="configuración TOML"
    )
    monitor.add_argument(
        "--difusor", action="append", metavar="NOMBRE", help="solo este difusor (puede repetirse)"
    )
    monitor.add_argument(
        "--out",
        type=arguments.output_folder,
        default=Path("reports"),
        metavar="CARPETA",
        help="carpeta de los informes",
    )
    monitor.add_argument(
        "--db",
        type=arguments.sqlite_file,
        metavar="ARCHIVO",
        help="historial SQLite (por omisión: CARPETA/monitor.sqlite)",
    )
    monitor.add_argument(
        "--every",
        type=arguments.positive_float,
        metavar="SEGUNDOS",
        help="segundos entre sondeos (por omisión: los de la configuración)",
    )
    until = monitor.add_mutually_exclusive_group()
    until.add_argument("--for", dest="for_", metavar="DURACIÓN", help="p. ej. 90s, 15m, 2h, 6d")
    until.add_argument(
        "--until", metavar="FECHA_ISO", help="hora local de la elección, salvo que lleve desfase"
    )
    monitor.add_argument(
        "--max-probes",
        type=arguments.positive_int,
        metavar="N",
        help="termina tras N sondeos por difusor",
    )
    monitor.add_argument(
        "--period-seconds",
        type=arguments.positive_float,
        metavar="SEGUNDOS",
        help="simula periodos de SEGUNDOS s (ensayos)",
    )
    monitor.add_argument(
        "--report-only", action="store_true", help="evalúa el historial sin sondear"
    )
    add_monitor_options(monitor)
    monitor.set_defaults(handler=_monitor)


def _add_selftest(commands: Commands) -> None:
    selftest = commands.add_parser(
        "selftest",
        help="revisiones host.*, en el servidor del difusor",
        description="Espacio libre, histórico de paquetes y bitácora de accesos, ejecutado en "
        "el propio servidor del difusor.",
    )
    selftest.add_argument("--difusor", required=True, metavar="NOMBRE", help="el difusor")
    selftest.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="ARCHIVO",
        help="configuración TOML (por omisión: prepcheck.toml)",
    )
    # Both folders must exist: a path mistyped by the operator is a usage error, not a finding
    # recorded against the difusor in its results and the campaign's history.
    selftest.add_argument(
        "--site-root",
        type=arguments.existing_folder,
        required=True,
        metavar="CARPETA",
        help="carpeta del sitio",
    )
    selftest.add_argument(
        "--history",
        type=arguments.existing_folder,
        required=True,
        metavar="CARPETA",
        help="carpeta que guarda los paquetes",
    )
    selftest.add_argument(
        "--access-log",
        type=Path,
        required=True,
        metavar="ARCHIVO",
        help="la bitácora de accesos en uso",
    )
    selftest.add_argument(
        "--access-log-format",
        default="combined",
        metavar="FORMATO",
        help="combined, nginx-combined, apache-combined o un LogFormat",
    )
    selftest.add_argument(
        "--out",
        type=arguments.output_folder,
        default=Path("reports"),
        metavar="CARPETA",
        help="carpeta de los informes",
    )
    selftest.set_defaults(handler=_selftest)


def _add_memoria(commands: Commands) -> None:
    memoria = commands.add_parser(
        "memoria",
        help="memoria técnica (sección VI) de un difusor",
        description="Incidentes, estadísticas de visitas, páginas y hits, y los registros de "
        "carga y disponibilidad; escribe memoria.json y memoria.html.",
    )
    memoria.add_argument("--difusor", required=True, metavar="NOMBRE", help="el difusor")
    memoria.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="ARCHIVO",
        help="configuración TOML (por omisión: prepcheck.toml)",
    )
    memoria.add_argument(
        "--access-log",
        type=Path,
        nargs="+",
        required=True,
        metavar="ARCHIVO",
        help="bitácoras de accesos (se aceptan .gz)",
    )
    memoria.add_argument(
        "--access-log-format",
        default="combined",
        metavar="FORMATO",
        help="combined, nginx-combined, apache-combined o un LogFormat",
    )
    memoria.add_argument(
        "--incidents",
        type=arguments.existing_file,
        metavar="ARCHIVO",
        help="por omisión: CARPETA/<difusor>/incidentes.json",
    )
    memoria.add_argument(
        "--from", dest="date_from", metavar="AAAA-MM-DD", help="primer día (hora local)"
    )
    memoria.add_argument(
        "--to", dest="date_to", metavar="AAAA-MM-DD", help="último día (hora local)"
    )
    memoria.add_argument(
        "--out",
        type=arguments.output_folder,
        default=Path("reports"),
        metavar="CARPETA",
        help="carpeta de los informes",
    )
    memoria.set_defaults(handler=_memoria)


def _load(args: argparse.Namespace) -> int:
    from prepcheck.load.cli import run_load

    return run_load(args)


def _load_worker(args: argparse.Namespace) -> int:
    from prepcheck.load.worker_cli import run_worker

    return run_worker(args)


def _monitor(args: argparse.Namespace) -> int:
    from prepcheck.monitor.cli import run_monitor

    return run_monitor(args)


def _selftest(args: argparse.Namespace) -> int:
    from prepcheck.host.selftest import run_selftest

    return run_selftest(args)


def _memoria(args: argparse.Namespace) -> int:
    from prepcheck.memoria.cli import run_memoria

    return run_memoria(args)
