"""The campaign's subcommands (``history``, ``schedule``) and the monitor's campaign options,
registered on the ``prepcheck`` parser; handlers import their modules only when run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

from prepcheck.campaign.live.address import parse_address

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_campaign_parsers(commands: Commands) -> None:
    """Register ``prepcheck history`` and ``prepcheck schedule``."""
    _add_history(commands)
    _add_schedule(commands)


def add_monitor_options(monitor: argparse.ArgumentParser) -> None:
    """``prepcheck monitor --serve IP:PUERTO`` and ``--no-alerts``."""
    monitor.add_argument(
        "--serve",
        metavar="IP:PUERTO",
        type=parse_address,
        help="sirve el tablero en vivo (solo lectura), p. ej. 127.0.0.1:8080",
    )
    monitor.add_argument(
        "--no-alerts", action="store_true", help="no envía alertas aunque estén configuradas"
    )


def _add_history(commands: Commands) -> None:
    parser = commands.add_parser(
        "history",
        help="tendencia de cada difusor a lo largo de la campaña (historial)",
        description="Muestra, por difusor, las últimas ejecuciones registradas en la base de la "
        "campaña: veredicto, qué falló por primera vez, qué se corrigió y desde cuándo falla "
        "cada verificación.",
    )
    parser.add_argument("--difusor", help="solo este difusor")
    parser.add_argument("--config", type=Path, help="configuración (ubica la base y la hora)")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="carpeta de salida")
    parser.add_argument("--db", type=Path, help="base de la campaña (predeterminada: la de config)")
    parser.add_argument("--last", type=int, default=20, help="ejecuciones a mostrar (20)")
    parser.set_defaults(handler=_history)


def _add_schedule(commands: Commands) -> None:
    parser = commands.add_parser(
        "schedule",
        help="unidades systemd (servicio y temporizador) y crontab del calendario",
        description="Escribe, a partir de [[campaign.schedule]] de la configuración, un servicio "
        "y un temporizador de systemd por entrada, y un crontab equivalente, que ejecutan "
        "prepcheck run o monitor a las horas indicadas; imprime cómo instalarlos.",
    )
    parser.add_argument("--config", type=Path, required=True, help="configuración TOML")
    parser.add_argument("--out", type=Path, help="tablero que actualizan (predet.: campaign.out)")
    parser.add_argument("--units", type=Path, help="dónde escribir las unidades (OUT/programacion)")
    parser.add_argument(
        "--prepcheck", help="ruta del programa prepcheck a ejecutar (predet.: el actual)"
    )
    parser.set_defaults(handler=_schedule)


def _history(args: argparse.Namespace) -> int:
    from prepcheck.campaign.history_cli import run_history

    return run_history(args)


def _schedule(args: argparse.Namespace) -> int:
    from prepcheck.campaign.schedule_cli import run_schedule

    return run_schedule(args)
