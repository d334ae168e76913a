"""The memoria técnica: a real reference nginx's access log analysed, memoria.json -> HTML."""

from __future__ import annotations

import json
import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from prepcheck.checks.host import access_log
from prepcheck.cli import main
from prepcheck.formats.logformat import compile_format
from prepcheck.host.access_log import read_access_log
from prepcheck.memoria.access_log import analyze
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.results import Subject, new_document, outcome, write_document
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


def write_config(path: Path) -> Path:
    path.write_text(
        '[election]\nname = "Proceso Electoral Local 2020-2021"\n'
        "window_start = 2021-06-06T19:00:00\nwindow_end = 2021-06-12T23:59:00\n\n"
        '[[difusor]]\nname = "ejemplo"\ndisplay_name = "Difusor de Ejemplo"\n'
        'base_url = "https://prep.ejemplo.mx/"\n',
        encoding="utf-8",
    )
    return path


def synthetic_log(path: Path) -> Path:
    lines = []
    for day in range(6, 13):
        for n in range(day - 5):
            stamp = f"{day:02d}/Jun/2021:20:{n:02d}:00 -0500"
            lines.append(
                f'10.0.0.{n} - - [{stamp}] "GET /prepver2021/ HTTP/1.1" 200 900 "-" "UA {n}"'
            )
    lines.append("<script>alert(1)</script> not a log line")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_memoria_with_incidents_and_load_records(tmp_path):
    out = tmp_path / "reports"
    folder = out / "ejemplo"
    folder.mkdir(parents=True)
    incidents = [
        {"inicio": "2021-06-06T21:00:00-05:00", "fin": "2021-06-06T21:02:30-05:00",
         "duracion_s": 150, "motivo": "main.json respondió 503"},
    ]  # fmt: skip
    (folder / "incidentes.json").write_text(json.dumps(incidents), encoding="utf-8")
    load = outcome("load.capacity", True, "Soporta 50 usuarios", p95_ms=120.5, usuarios=50)
    write_document(
        new_document(
            Subject("ejemplo", "Ejemplo", "https://prep.ejemplo.mx/", "Simulacro", "-05:00"),
            [load],
            started_at="2021-06-01T00:00:00+00:00",
        ),
        folder / "results.json",
    )
    argv = ["memoria", "--config", str(write_config(tmp_path / "prepcheck.toml"))]
    argv += ["--difusor", "ejemplo", "--out", str(out)]
    assert main([*argv, "--access-log", str(synthetic_log(tmp_path / "access.log"))]) == 0
    memoria = json.loads((folder / "memoria.json").read_text(encoding="utf-8"))
    assert (
        memoria["periodo"]["desde"] == "2021-06-06" and memoria["periodo"]["hasta"] == "2021-06-12"
    )
    assert [d["visitantes"] for d in memoria["estadisticas"]["por_dia"]] == [1, 2, 3, 4, 5, 6, 7]
    assert memoria["estadisticas"]["lineas_malformadas"] == 1
    assert memoria["incidentes"]["total"] == 1
    assert memoria["capacidad"][0]["id"] == "load.capacity"
    assert memoria["disponibilidad"] is None
    html = (folder / "memoria.html").read_text(encoding="utf-8")
    assert "main.json respondió 503" in html and "2 min 30 s" in html
    assert "Soporta 50 usuarios" in html
    assert "<script>alert(1)</script>" not in html  # log text is escaped data, never markup
    assert "Criterios de mejora" in html and "Escriba aquí" in html
    assert "30 min" in html and "GoAccess" in html  # the rules are stated
    assert "http://" not in html.replace("https://prep.ejemplo.mx/", "")  # self-contained

    memoria["criterios_de_mejora"]["texto"] = "Agregar un segundo servidor."
    (folder / "memoria.json").write_text(json.dumps(memoria), encoding="utf-8")
    assert main([*argv, "--access-log", str(tmp_path / "access.log"), "--from", "2021-06-12"]) == 0
    again = json.loads((folder / "memoria.json").read_text(encoding="utf-8"))
    assert again["criterios_de_mejora"]["texto"] == "Agregar un segundo servidor."
    assert len(again["estadisticas"]["por_dia"]) == 1
    assert "Agregar un segundo servidor." in (folder / "memoria.html").read_text(encoding="utf-8")


def test_memoria_without_monitoring_says_so(tmp_path):
    out = tmp_path / "reports"
    argv = ["memoria", "--config", str(write_config(tmp_path / "prepcheck.toml"))]
    argv += [
        "--difusor",
        "ejemplo",
        "--out",
        str(out),
        "--from",
        "2021-06-06",
        "--to",
        "2021-06-07",
    ]
    assert main([*argv, "--access-log", str(synthetic_log(tmp_path / "access.log"))]) == 0
    memoria = json.loads((out / "ejemplo" / "memoria.json").read_text(encoding="utf-8"))
    assert memoria["incidentes"] == {
        "fuente": str(out / "ejemplo" / "incidentes.json"),
        "lista": [],
        "total": 0,
        "disponible": False,
        "nota": "sin datos de monitoreo",
    }
    html = (out / "ejemplo" / "memoria.html").read_text(encoding="utf-8")
    assert "Sin datos de monitoreo" in html
    assert memoria["capacidad"] == []


def test_memoria_usage_errors_exit_2(tmp_path):
    argv = ["memoria", "--config", str(write_config(tmp_path / "prepcheck.toml"))]
    argv += ["--difusor", "ejemplo", "--out", str(tmp_path / "r")]
    assert main([*argv, "--access-log", str(tmp_path / "nope.log")]) == 2
    log = synthetic_log(tmp_path / "access.log")
    assert main([*argv, "--access-log", str(log), "--from", "junio"]) == 2
    assert main([*argv, "--access-log", str(log), "--access-log-format", "%h %Q"]) == 2
