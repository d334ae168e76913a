"""``prepcheck reference serve``: one reference difusor serving a package until Ctrl-C."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from prepcheck.demo.simulacro import (
    CENTRE_TIME,
    current_corte,
    publication_window,
    write_config,
)
from prepcheck.lifecycle import stop_requested
from prepcheck.reference.difusor import ReferenceDifusor, ServerKind
from prepcheck.reference.layout import LOOPBACK
from prepcheck.sample import build_package


def serve_forever(
    package: Path | None, workdir: Path, *, server: ServerKind, port: int, host: str = LOOPBACK
) -> int:
    """``prepcheck reference serve``: publish ``package`` (or a fresh sample) and serve it on
    ``host`` until SIGINT/SIGTERM; prints the URL, the CA file and a ready configuration file.
    Exit 2 when ``host`` is not an address a server can listen on."""
    workdir.mkdir(parents=True, exist_ok=True)
    if package is None:
        corte = current_corte()
        package = build_package(
            corte,
            workdir / "packages",
            utc_offset=CENTRE_TIME,
            election_start=publication_window(corte)[0],
        ).archive
    try:
        difusor = ReferenceDifusor(workdir / server, kind=server, https_port=port, bind_host=host)
    except ValueError as exc:
        print(f"prepcheck: --host: {exc}", file=sys.stderr)
        return 2
    difusor.publish(package)
    with stop_requested() as stop, difusor:
        config = write_config(
            workdir / "prepcheck.toml",
            package,
            [(f"referencia-{server}", difusor.base_url, difusor.ca_file, difusor.http_url)],
            now=datetime.now(),
        )
        print(
            f"Difusor de referencia ({server}) en {difusor.base_url}\n"
            f"CA de ensayo: {difusor.ca_file}\nConfiguración: {config}\n"
            "Ctrl-C para detener.",
            flush=True,
        )
        stop.wait()
    return 0
