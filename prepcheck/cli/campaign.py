"""``prepcheck history`` and ``prepcheck schedule``: the rehearsal campaign's commands.

Contract: the campaign package defines them (``prepcheck.campaign.cli``); this module adds
them to the parser and gives their arguments Spanish placeholders and checked types.
"""

from __future__ import annotations

from prepcheck.campaign.cli import add_campaign_parsers
from prepcheck.cli import arguments
from prepcheck.cli.checklist import Commands


def add_commands(commands: Commands) -> None:
    """Add ``history`` and ``schedule``."""
    add_campaign_parsers(commands)
    history = commands.choices["history"]
    arguments.refine(history, "difusor", metavar="NOMBRE")
    arguments.refine(history, "config", metavar="ARCHIVO")
    arguments.refine(history, "out", type=arguments.output_folder, metavar="CARPETA")
    arguments.refine(history, "db", type=arguments.sqlite_file, metavar="ARCHIVO")
    arguments.refine(history, "last", metavar="N")
    schedule = commands.choices["schedule"]
    arguments.refine(
        schedule, "config", metavar="ARCHIVO", help="configuración TOML con [campaign]"
    )
    arguments.refine(schedule, "out", type=arguments.output_folder, metavar="CARPETA")
    arguments.refine(schedule, "units", type=arguments.output_folder, metavar="CARPETA")
    arguments.refine(schedule, "prepcheck", metavar="RUTA")
