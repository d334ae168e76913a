"""The memoria técnica: access logs analysed, memoria.json -> HTML.

A real nginx's log is read in ``tests/e2e/test_access_log_real.py``.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import date, timedelta, timezone
from pathlib import Path

from prepcheck.cli import main
from prepcheck.formats.logformat import compile_format
from prepcheck.memoria.access_log import analyze
from prepcheck.memoria.logfiles import MAX_LINE_BYTES, iter_lines
from prepcheck.memoria.render import render_memoria
from prepcheck.results import Subject, new_document, outcome, write_document

CDMX = timezone(timedelta(hours=-5))


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
    load = outcome("load.capacity", True, "Soporta 50 usuarios", p95_ms=120.5, usuarios=50,
                   forma="steady", tasa_de_error=0.005)  # fmt: skip
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
    assert "carga sostenida" in html and "0.50 %" in html and "steady" not in html
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


def test_days_after_the_memoria_was_generated_are_not_shown_as_zeros(tmp_path):
    """A memoria generated mid-period (e.g. after a rehearsal day) has no data for later days."""
    out = tmp_path / "reports"
    argv = ["memoria", "--config", str(write_config(tmp_path / "prepcheck.toml")),
            "--difusor", "ejemplo", "--out", str(out),
            "--access-log", str(synthetic_log(tmp_path / "access.log"))]  # fmt: skip
    assert main(argv) == 0
    json_path = out / "ejemplo" / "memoria.json"
    memoria = json.loads(json_path.read_text(encoding="utf-8"))
    assert "aún no transcurría" not in (out / "ejemplo" / "memoria.html").read_text("utf-8")
    memoria["generado"] = "2021-06-10T04:00:00+00:00"  # June 9th, 23:00 in election time
    json_path.write_text(json.dumps(memoria), encoding="utf-8")
    html = render_memoria(json_path, tmp_path / "memoria.html").read_text(encoding="utf-8")
    assert html.count("aún no transcurría al generar esta memoria") == 3  # June 10 to 12


def test_memoria_mistakes_name_what_is_wrong_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["memoria", "--config", str(write_config(tmp_path / "prepcheck.toml")),
            "--difusor", "ejemplo", "--out", str(out)]  # fmt: skip
    log = synthetic_log(tmp_path / "access.log")
    fifo = tmp_path / "pipe.log"
    os.mkfifo(fifo)
    png = tmp_path / "foto.log"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    broken_gz = tmp_path / "rotado.log.gz"
    broken_gz.write_bytes(gzip.compress(log.read_bytes())[:40])
    incidents_toml = tmp_path / "prepcheck.toml"
    numbers = tmp_path / "numeros.json"
    numbers.write_text("[1, 2]", encoding="utf-8")
    cases = [
        (["--access-log", str(tmp_path)], "es una carpeta"),
        (["--access-log", str(fifo)], "no es un archivo regular"),
        (["--access-log", str(log), "--from", "2021-13-01"], "'2021-13-01': se esperaba una fecha"),
        (["--access-log", str(png)], "ninguna de las"),
        (["--access-log", str(broken_gz)], "el archivo comprimido está truncado"),
        (["--access-log", str(log), "--incidents", str(tmp_path / "no.json")], "no existe"),
        (["--access-log", str(log), "--incidents", str(incidents_toml)], "no es JSON válido"),
        (
            ["--access-log", str(log), "--incidents", str(numbers)],
            "la entrada 1 no es un incidente",
        ),
    ]
    for extra, expected in cases:
        try:
            code = main([*argv, *extra])
        except SystemExit as exc:  # argparse's own checks of the paths
            code = exc.code
        assert code == 2, extra
        err = capsys.readouterr().err
        assert expected in err, (extra, err)
        assert "month" not in err and "Compressed" not in err and "Expecting" not in err
    assert not out.exists()  # nothing written for a mistake


def test_a_line_without_end_is_read_in_bounded_pieces(tmp_path):
    """A 'log' of one 8 MiB line and a real line: the long one is one malformed line, cut."""
    log = tmp_path / "access.log"
    good = synthetic_log(tmp_path / "good.log").read_bytes().splitlines(keepends=True)[0]
    log.write_bytes(b"\x00<" + b"x" * (8 * 2**20) + b"\n" + good)
    lines = list(iter_lines(log))
    assert [number for number, _ in lines] == [1, 2]
    assert len(lines[0][1]) == MAX_LINE_BYTES and lines[1][1] == good.decode()
    stats = analyze([log], compile_format("combined"), date(2021, 6, 6), date(2021, 6, 6), CDMX)
    assert stats["lineas"] == 2 and stats["lineas_malformadas"] == 1
    assert "\x00" not in stats["muestras_malformadas"][0]
