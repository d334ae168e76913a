"""``prepcheck schedule``: write the campaign's systemd units and crontab for this machine.

Contract of :func:`run_schedule`: for each ``[[campaign.schedule]]`` entry, writes
``prepcheck-<name>.service`` and ``.timer`` into ``--units`` (default ``OUT/programacion``),
and ``prepcheck.crontab`` with the equivalent lines; every command points at the same output
folder (``--out``, else ``campaign.out``, else ``reports`` beside the configuration), so each
scheduled run updates the same board and records the same history. Prints what was written and
how to install it (Spanish). Exit 0; 2 when the configuration has no schedule.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime
from pathlib import Path

from prepcheck.campaign.schedule import (
    CommandLine,
    Job,
    cron_lines,
    jobs,
    service_unit,
    timer_unit,
)
from prepcheck.config import Config, load_config
from prepcheck.config.settings.campaign import campaign_of
from prepcheck.results import EXIT_OK, EXIT_USAGE

CRONTAB_NAME = "prepcheck.crontab"


def run_schedule(args: argparse.Namespace) -> int:
    """Write the units and crontab (see the module contract); returns the exit code."""
    config = load_config(args.config)
    config_path = args.config.resolve()  # after loading: a path that cannot resolve is refused
    campaign = campaign_of(config.campaign)
    if not campaign.schedule:
        print(
            f"prepcheck: {config_path} no tiene [[campaign.schedule]]; nada que programar",
            file=sys.stderr,
        )
        return EXIT_USAGE
    out = (args.out or campaign.out or config_path.parent / "reports").resolve()
    units = (args.units or out / "programacion").resolve()
    argv_of = CommandLine(prepcheck_command(args.prepcheck), config_path, out)
    found = jobs(campaign.schedule, config.election.tz, argv_of)
    written = write_units(found, config, config_path.parent, units)
    print(installation_text(found, written, units))
    return EXIT_OK


def prepcheck_command(given: str | None) -> list[str]:
    """How units start prepcheck: ``given``, else the ``prepcheck`` script beside this Python,
    else this Python running the CLI module (absolute paths: units have no shell PATH)."""
    if given:
        return [str(Path(given).expanduser().resolve())]
    script = Path(sys.executable).with_name("prepcheck")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "prepcheck.cli"]


def write_units(found: list[Job], config: Config, workdir: Path, units: Path) -> list[Path]:
    """Write each job's service and timer, and the crontab; returns the files written."""
    units.mkdir(parents=True, exist_ok=True)
    campaign = campaign_of(config.campaign)
    written = []
    for job in found:
        service = units / f"{job.unit}.service"
        service.write_text(
            service_unit(
                job,
                election=config.election.name,
                workdir=workdir,
                environment_file=campaign.environment_file,
            ),
            encoding="utf-8",
        )
        timer = units / f"{job.unit}.timer"
        timer.write_text(timer_unit(job), encoding="utf-8")
        written += [service, timer]
    crontab = units / CRONTAB_NAME
    crontab.write_text(crontab_text(found), encoding="utf-8")
    written.append(crontab)
    return written


def crontab_text(found: list[Job]) -> str:
    zone = datetime.now().astimezone().tzname()
    lines = [
        f"# prepcheck: calendario de la campaña, en la hora local de esta máquina ({zone}).",
        "# cron no conoce el año: cada línea lo comprueba antes de ejecutar.",
    ]
    for job in found:
        lines.append(f"# {job.entry.name}")
        lines += cron_lines(job.moments, job.argv)
    return "\n".join(lines) + "\n"


def installation_text(found: list[Job], written: list[Path], units: Path) -> str:
    timers = " ".join(f"{job.unit}.timer" for job in found)
    lines = [f"Unidades escritas en {units}:"]
    lines += [f"  {path.name}" for path in written]
    for job in found:
        first = job.moments[0].isoformat(" ") if job.moments else "nunca"
        lines.append(f"  {job.entry.name}: {len(job.moments)} ejecuciones, la primera {first}")
        lines.append(f"    ejecuta: {shlex.join(job.argv)}")
    lines += [
        "Para instalarlas con systemd (como root):",
        f"  cp {units}/prepcheck-*.service {units}/prepcheck-*.timer /etc/systemd/system/",
        f"  systemctl daemon-reload && systemctl enable --now {timers}",
        f"O con cron: crontab {units / CRONTAB_NAME} (reemplaza el crontab del usuario).",
    ]
    return "\n".join(lines)
