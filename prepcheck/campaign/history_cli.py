"""``prepcheck history``: a difusor's trend across the campaign, in Spanish.

Contract of :func:`run_history`: reads the campaign database (``--db``, else the one the
configuration names, else ``OUT/historial.sqlite``) without creating it, and prints for each
difusor (or only ``--difusor``) its last ``--last`` runs, oldest first (when, which command,
verdict, how many checks failed, and each check that newly failed or was fixed against its
previous measurement), then the checks failing now and since when. Exit 0; 2 for usage
errors (unknown difusor, no database).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from prepcheck.campaign import history
from prepcheck.campaign.changes import FIXED, NEW_FAILURE, change_label, is_failing
from prepcheck.campaign.db import CampaignDBError
from prepcheck.config import load_config
from prepcheck.config.settings.campaign import campaign_of
from prepcheck.results import EXIT_OK, EXIT_USAGE, VERDICT_LABELS, Verdict
from prepcheck.spanish import zone_text

COMMANDS = {
    "run": "revisión",
    "load": "carga",
    "monitor": "monitoreo",
    "selftest": "autoevaluación",
}


def run_history(args: argparse.Namespace) -> int:
    """Print the trend (see the module contract); returns the exit code."""
    tz: tzinfo = UTC
    db_path = args.db
    if args.config is not None:
        config = load_config(args.config)
        tz = config.election.tz
        db_path = db_path or campaign_of(config.campaign).history_path(args.out)
    db_path = db_path or campaign_of(None).history_path(args.out)
    if args.last <= 0:
        return _usage("--last debe ser positivo")
    try:
        if not db_path.exists():
            return _usage(f"no existe el historial {db_path} (aún no hay ejecuciones registradas)")
        names = history.difusores(db_path)
        if args.difusor is not None and args.difusor not in names:
            known = ", ".join(names) or "ninguno"
            return _usage(f"el historial no tiene al difusor {args.difusor!r} (tiene: {known})")
        for name in [args.difusor] if args.difusor else names:
            print(trend_text(db_path, name, args.last, tz))
    except CampaignDBError as exc:
        return _usage(str(exc))
    return EXIT_OK


def trend_text(db_path: Path, difusor: str, last: int, tz: tzinfo) -> str:
    """The Spanish trend of one difusor (see the module contract)."""
    runs = history.runs(db_path, difusor)
    shown = runs[-last:]
    lines = [
        f"Historial de {difusor} ({len(runs)} ejecuciones; se muestran {len(shown)}; "
        f"horas en {zone_text(tz)}):"
    ]
    earlier: dict[str, str] = {}
    for run in runs:
        notes = []
        for item in run.measurements:
            label = change_label(earlier.get(item.check_id), item.status)
            if label in (NEW_FAILURE, FIXED):
                notes.append(f"{label}: {item.check_id}")
            earlier[item.check_id] = item.status
        if run in shown:
            failing = sum(is_failing(m.status) for m in run.measurements)
            verdict = VERDICT_LABELS[Verdict(run.verdict)]
            detail = "; ".join(notes) or "sin cambios"
            lines.append(
                f"  {_local(run.finished_at, tz)}  {COMMANDS.get(run.command, run.command):<14}"
                f" {verdict:<10}  {failing} fallando — {detail}"
            )
    since = history.failing_since(db_path, difusor)
    if since:
        lines.append("  Fallando ahora:")
        lines += [f"    {cid} desde {_local(when, tz)}" for cid, when in sorted(since.items())]
    else:
        lines.append("  Nada falla en la última medición de cada verificación.")
    return "\n".join(lines)


def _local(iso: str, tz: tzinfo) -> str:
    moment = datetime.fromisoformat(iso)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _usage(message: str) -> int:
    print(f"prepcheck: {message}", file=sys.stderr)
    return EXIT_USAGE
