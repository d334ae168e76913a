"""``prepcheck demo``: a simulacro happening now, against the embedded reference difusores.

It builds a sample package for the current corte (election day = today, publication from 19:00
centre time, as in the convocatoria, window of 6 days and 5 hours), publishes it through the
ingest procedure into reference nginx and/or Apache servers on loopback, writes the matching
configuration, runs the whole checklist and stops the servers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from prepcheck.package.build import build_package
from prepcheck.reference.embedded import EmbeddedDifusor
from prepcheck.runner import run_checklist

CENTRE_TIME = timezone(timedelta(hours=-6), "UTC-6")  # Mexico dropped DST in 2022
OPENING = time(19, 0)
WINDOW_DAYS = 6
DEMO_WORKDIR = Path(".prepcheck") / "demo"


def current_corte(now: datetime | None = None, interval_minutes: int = 15) -> datetime:
    """The latest corte boundary at or before ``now`` (centre time, aware)."""
    moment = (now or datetime.now(CENTRE_TIME)).astimezone(CENTRE_TIME)
    floored = moment.minute - moment.minute % interval_minutes
    return moment.replace(minute=floored, second=0, microsecond=0)


def publication_window(corte: datetime) -> tuple[datetime, datetime]:
    """The simulacro's window: from the last 19:00 not after ``corte`` to day+6 at 23:59."""
    start = datetime.combine(corte.date(), OPENING, tzinfo=corte.tzinfo)
    if start > corte:
        start -= timedelta(days=1)
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
) -> Path:
    """Write a prepcheck TOML for ``difusores`` = (name, base_url, ca_file[, http_url]) and
    ``package``. ``render_pages`` narrows the browser checks to those pages on the desktop
    viewport (tests of other areas use it to keep runs short); default: every page, both."""
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
        if render_pages is not None:
            pages = ", ".join(_toml_string(page) for page in render_pages)
            lines += [
                "[difusor.render]",
                f"pages = [{pages}]",
                "viewports = {desktop = [1366, 768]}",
            ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_demo(
    out_dir: Path, *, servers: str = "both", scale: str = "small", workdir: Path = DEMO_WORKDIR
) -> int:
    """Run the demo; returns the checklist's exit code (0 when every reference passes)."""
    kinds = ("nginx", "apache") if servers == "both" else (servers,)
    corte = current_corte()
    opening, _ = publication_window(corte)
    built = build_package(
        corte,
        workdir / "packages",
        scale=scale,  # type: ignore[arg-type]
        utc_offset=CENTRE_TIME,
        election_start=opening,
    )
    print(f"Paquete de ensayo: {built.archive} (corte {corte:%d/%m/%Y %H:%M} UTC-6)")
    difusores = [EmbeddedDifusor(workdir / kind, kind=kind) for kind in kinds]  # type: ignore[arg-type]
    try:
        for difusor in difusores:
            difusor.publish(built.archive, built.digest_file, force=True)
            difusor.start()
            print(f"Difusor de referencia {difusor.server.kind}: {difusor.base_url}")
        config = write_config(
            out_dir / "prepcheck-demo.toml",
            built.archive,
            [(f"referencia-{d.server.kind}", d.base_url, d.ca_file, d.http_url) for d in difusores],
        )
        outcome = run_checklist(config, out_dir)
    finally:
        for difusor in difusores:
            difusor.stop()
    print(f"\nInformes: {outcome.board}")
    for path in outcome.results:
        print(f"  {path.parent.name}: {path.with_name('report.html')}")
    return outcome.exit_code
