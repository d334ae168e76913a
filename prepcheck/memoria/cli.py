"""``prepcheck memoria``: the memoria técnica of one difusor (section VI of the convocatoria).

Contract of ``run_memoria(args)``: reads the configuration, analyses the access logs
(``--access-log``, rotated gzip accepted) over ``--from``..``--to`` (local dates; default the
election's publication window), reads incidents (``--incidents``, default
``OUT/<difusor>/incidentes.json``) and the load/availability records of
``OUT/<difusor>/results.json``; writes ``OUT/<difusor>/memoria.json`` and renders
``memoria.html`` from it. Exit 0; 2 for usage errors, raised as ``ConfigError``: bad dates,
an unreadable format, a log path that is no regular file, logs none of whose lines has the
format (a memoria of zero visitors would be wrong, not empty), an ``--incidents`` file named
but unreadable. Without ``--incidents`` a missing or bad default file is noted in the memoria.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from prepcheck.config import Config, Difusor, load_config
from prepcheck.errors import ConfigError
from prepcheck.files import open_regular, why
from prepcheck.formats.logformat import compile_format
from prepcheck.memoria.access_log import analyze, rules_es
from prepcheck.memoria.document import build_memoria, check_records, previous_improvements
from prepcheck.memoria.incidents import NO_DATA, read_incidents
from prepcheck.memoria.render import render_memoria
from prepcheck.outputs import render_board_of
from prepcheck.results import write_json

EXIT_OK = 0


def period(config: Config, start: str | None, end: str | None) -> tuple[date, date]:
    """``--from``/``--to`` (YYYY-MM-DD), else the dates of the publication window."""
    election = config.election
    try:
        first = (
            date.fromisoformat(start) if start else election.localize(election.window_start).date()
        )
        last = date.fromisoformat(end) if end else election.localize(election.window_end).date()
    except ValueError:
        given = ", ".join(repr(text) for text in (start, end) if text)
        raise ConfigError(f"--from/--to: {given}: se esperaba una fecha AAAA-MM-DD") from None
    if last < first:
        raise ConfigError("--to es anterior a --from")
    return first, last


def statistics(args: argparse.Namespace, config: Config, difusor: Difusor) -> dict[str, object]:
    """Access-log statistics with the rules and the format stated."""
    for path in args.access_log:
        try:  # the same refusals as every file a person names (a pipe would block the read)
            open_regular(path).close()
        except OSError as exc:
            raise ConfigError(f"--access-log: {path}: {why(exc)}") from None
    try:
        log_format = compile_format(args.access_log_format)
    except ValueError as exc:
        raise ConfigError(f"--access-log-format: {exc}") from None
    first, last = period(config, args.date_from, args.date_to)
    timeout = timedelta(minutes=difusor.host.visit_timeout_minutes)
    stats = analyze(
        args.access_log,
        log_format,
        first,
        last,
        config.election.tz,
        visit_timeout=timeout,
        top=difusor.host.top_pages,
        poll_name=Path(difusor.main_json).name,
    )
    if stats["lineas"] and stats["lineas_malformadas"] == stats["lineas"]:
        raise ConfigError(
            f"--access-log: ninguna de las {stats['lineas']:,} líneas leídas tiene el formato "
            f"«{args.access_log_format}» (¿es la bitácora de accesos? ¿es otro su formato? "
            "revise --access-log-format)"
        )
    if not stats["lineas"] and stats["problemas_de_lectura"]:
        raise ConfigError(f"--access-log: {'; '.join(stats['problemas_de_lectura'])}")
    stats["formato"] = args.access_log_format
    stats["reglas"] = rules_es(timeout, difusor.host.top_pages, config.election.utc_offset)
    return stats


def incidents(named: Path | None, default: Path) -> dict[str, Any]:
    """The incidents of ``--incidents`` (an error when it cannot be read: the user named it),
    else of the monitoring's file in the output folder, when there is one."""
    if named is None:
        return read_incidents(default)
    found = read_incidents(named)
    if not found["disponible"]:
        raise ConfigError(f"--incidents: {found['nota'].removeprefix(NO_DATA + ': ')}")
    return found


def run_memoria(args: argparse.Namespace) -> int:
    """Write memoria.json and memoria.html (see the module contract)."""
    config = load_config(args.config)
    difusor = config.find(args.difusor)
    folder = args.out / difusor.name
    stats = statistics(args, config, difusor)
    memoria = build_memoria(
        difusor={
            "difusor": difusor.name,
            "nombre": difusor.label,
            "base_url": difusor.base_url,
            "eleccion": config.election.name,
        },
        period={
            "desde": str(stats["desde"]),
            "hasta": str(stats["hasta"]),
            "desfase_utc": config.election.utc_offset,
        },
        incidents=incidents(args.incidents, folder / "incidentes.json"),
        statistics=stats,
        records=check_records(folder / "results.json"),
        improvements=previous_improvements(folder / "memoria.json"),
    )
    path = folder / "memoria.json"
    write_json(memoria, path)
    html = render_memoria(path, folder / "memoria.html")
    render_board_of(args.out)  # the board links the memoria from now on
    totals = memoria["estadisticas"]["totales"]
    print(
        f"Visitantes {totals['visitantes']}, visitas {totals['visitas']}, páginas vistas "
        f"{totals['paginas_vistas']}, hits {totals['hits']}\nMemoria: {path}\nInforme: {html}"
    )
    return EXIT_OK
