"""``prepcheck demo``: a simulacro happening now, against the embedded reference difusores.

It builds a sample package for the current corte (election day = today, publication from 19:00
centre time, as in the convocatoria, window of 6 days and 5 hours), publishes it through the
ingest procedure into reference nginx and/or Apache servers on loopback, writes the matching
configuration, runs the whole checklist and stops the servers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.sample.corte import default_election_start

CENTRE_TIME = timezone(timedelta(hours=-6), "UTC-6")  # Mexico dropped DST in 2022
WINDOW_DAYS = 6
DEMO_WORKDIR = Path(".prepcheck") / "demo"
# A short capacity test the demo may run: loopback only, a few seconds, modest users.
DEMO_LOAD = """
authorized = true
users = 8
rate = 40
duration_seconds = 5
spike_ramp_seconds = 2
spike_drop_seconds = 1
bandwidth_seconds = 3
"""


def current_corte(now: datetime | None = None, interval_minutes: int = 15) -> datetime:
    """The latest corte boundary at or before ``now`` (centre time, aware)."""
    moment = (now or datetime.now(CENTRE_TIME)).astimezone(CENTRE_TIME)
    floored = moment.minute - moment.minute % interval_minutes
    return moment.replace(minute=floored, second=0, microsecond=0)


def publication_window(corte: datetime) -> tuple[datetime, datetime]:
    """The simulacro's window: from the last 19:00 not after ``corte`` (the package builder's
    default opening) to day+6 at 23:59."""
    start = default_election_start(corte)
    end = datetime.combine(
        start.date() + timedelta(days=WINDOW_DAYS), time(23, 59), tzinfo=corte.tzinfo
    )
    return start, end


def _toml_string(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def write_config(
    path: Path,
    package: Path,
    difusores: Sequence[tuple[str, str, Path] | tuple[str, str, Path, str]],
    *,
    now: datetime | None = None,
    render_pages: Sequence[str] | None = None,
    embedded_portal: bool = False,
    load_table: str | None = None,
    sftp_tables: Mapping[str, str] | None = None,
    difusor_keys: Mapping[str, str] | None = None,
) -> Path:
    """Write a prepcheck TOML for ``difusores`` = (name, base_url, ca_file[, http_url]) and
    ``package``. ``render_pages`` narrows the browser checks to those pages on the desktop
    viewport (tests of other areas use it to keep runs short); default: every page, both.
    ``embedded_portal`` sets ``embed_url`` to the difusor's portal page (its ``base_url``);
    ``load_table`` is the body of a ``[difusor.load]`` table for every difusor;
    ``sftp_tables`` maps a difusor name to the body of its ``[difusor.sftp]`` table
    (``sftp_table`` writes one for an embedded difusor); ``difusor_keys`` adds top-level keys
    to every difusor, each value already written in TOML (``{"timeout_seconds": "60"}``)."""
    start, end = publication_window(current_corte(now.astimezone(CENTRE_TIME) if now else None))
    lines = [
        "# Written by prepcheck for a simulacro on the embedded reference difusor.",
        "[election]",
        f"name = {_toml_string('Simulacro PREP Veracruz (datos sintéticos)')}",
        'folder = "prepver2021"',
        'utc_offset = "-06:00"',
        f"window_start = {start.replace(tzinfo=None).isoformat()}",
        f"window_end = {end.replace(tzinfo=None).isoformat()}",
        "update_interval_minutes = 15",
        "missed_period_limit = 3",
        f"official_packages_dir = {_toml_string(package.parent.resolve())}",
        "",
        "[election.package]",
        f"path = {_toml_string(package.resolve())}",
        f"digest_file = {_toml_string(f'{package.resolve()}.sha256')}",
    ]
    for name, base_url, ca_file, *http_url in difusores:
        lines += [
            "",
            "[[difusor]]",
            f"name = {_toml_string(name)}",
            f"display_name = {_toml_string(f'Difusor de referencia ({name})')}",
            f"base_url = {_toml_string(base_url)}",
            f"ca_file = {_toml_string(ca_file)}",
        ]
        lines += [f"http_url = {_toml_string(url)}" for url in http_url]
        lines += [f"{key} = {value}" for key, value in (difusor_keys or {}).items()]
        if embedded_portal:
            lines.append(f"embed_url = {_toml_string(base_url)}")
        if render_pages is not None:
            pages = ", ".join(_toml_string(page) for page in render_pages)
            lines += [
                "[difusor.render]",
                f"pages = [{pages}]",
                "viewports = {escritorio = [1366, 768]}",
            ]
        if load_table is not None:
            lines += ["[difusor.load]", load_table.strip()]
        if sftp_tables and name in sftp_tables:
            lines += ["[difusor.sftp]", sftp_tables[name].strip()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sftp_table(difusor: ReferenceDifusor, **settings: object) -> str:
    """The ``[difusor.sftp]`` body for an embedded difusor started with ``sftp=True``: its
    loopback sshd, generated key and known_hosts; ``settings`` add or override keys
    (``rehearsal_uploads = True``, ``publish_deadline_seconds``, …); a ``None`` drops a key."""
    values: dict[str, object] = {
        "host": difusor.sftp_host,
        "port": difusor.sftp_port,
        "username": difusor.sftp_user,
        "key_file": difusor.sftp_key,
        "known_hosts": difusor.sftp_known_hosts,
        "upload_dir": "upload",
        **settings,
    }
    kept = {key: value for key, value in values.items() if value is not None}
    return "\n".join(f"{key} = {_toml_value(value)}" for key, value in kept.items())


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _toml_string(value)
