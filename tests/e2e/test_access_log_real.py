"""A real reference nginx's access log, read by host.access-log and the memoria's statistics."""

from __future__ import annotations

import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from prepcheck.checks.host import access_log
from prepcheck.formats.logformat import compile_format
from prepcheck.host.access_log import read_access_log
from prepcheck.memoria.access_log import analyze
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.sample import build_package

CDMX = timezone(timedelta(hours=-5))
AGENTS = ("Mozilla/5.0 (Windows NT 10.0) Chrome", "Mozilla/5.0 (iPhone) Safari", "curl/8.0")


@pytest.fixture(scope="module")
def served_log(tmp_path_factory) -> Path:
    """A reference nginx difusor visited by three browsers; returns its real access log."""
    base = tmp_path_factory.mktemp("memoria")
    built = build_package(datetime(2021, 6, 6, 21, 0), base / "packages", utc_offset=CDMX)
    difusor = ReferenceDifusor(base / "nginx", kind="nginx")
    difusor.publish(built.archive)
    with difusor:
        context = ssl.create_default_context(cafile=str(difusor.ca_file))
        folder = difusor.base_url + "prepver2021/"
        for agent in AGENTS:
            with httpx.Client(verify=context, headers={"User-Agent": agent}, timeout=10) as client:
                assert client.get(folder).status_code == 200
                assert client.get(folder + "assets/app.js").status_code == 200
                for _ in range(2):
                    assert client.get(folder + "json/main.json").status_code == 200
        log = difusor.server.access_log
    return log


def test_real_nginx_log_passes_host_access_log(served_log):
    result = access_log(read_access_log(served_log), "nginx-combined")
    assert result.status == "pass", result.message
    assert result.evidence["lineas_reconocidas"] == 4 * len(AGENTS)


def test_real_nginx_log_statistics(served_log):
    local = datetime.now().astimezone()
    zone = timezone(local.utcoffset() or timedelta(0))
    day = timedelta(days=1)
    log_format = compile_format("nginx-combined")
    stats = analyze([served_log], log_format, local.date() - day, local.date() + day, zone)
    totals = stats["totales"]
    assert stats["lineas_malformadas"] == 0
    assert totals["visitantes"] == len(AGENTS)  # same IP, same date, three user agents
    assert totals["visitas"] == len(AGENTS)
    assert totals["paginas_vistas"] == len(AGENTS)
    assert totals["sondeos_main"] == 2 * len(AGENTS)
    assert totals["recursos"] == len(AGENTS)
    assert totals["hits"] == 4 * len(AGENTS)
    assert stats["paginas_consultadas"] == [{"ruta": "/prepver2021/", "solicitudes": 3}]
