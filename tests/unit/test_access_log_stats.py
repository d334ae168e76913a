"""Statistics on a synthetic log with known answers: visitors, visits, pages vs hits."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from pathlib import Path

import pytest

from prepcheck.formats.logformat import compile_format
from prepcheck.memoria.access_log import analyze

CDMX = timezone(timedelta(hours=-5))
A, B = "Mozilla/5.0 A", "Mozilla/5.0 B"


def hit(ip: str, when: str, path: str, agent: str, status: int = 200, size: int = 100) -> str:
    return f'{ip} - - [{when} -0500] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}"'


LOG = [
    # day 1, visitor (1.1.1.1, A): opens the site, browses, polls; 30 min gap -> second visit
    hit("1.1.1.1", "06/Jun/2021:19:00:00", "/prepver2021/", A),
    hit("1.1.1.1", "06/Jun/2021:19:00:01", "/prepver2021/assets/app.js", A),
    hit("1.1.1.1", "06/Jun/2021:19:00:02", "/prepver2021/json/main.json", A),
    hit("1.1.1.1", "06/Jun/2021:19:00:03", "/prepver2021/json/diputaciones.json", A),
    hit("1.1.1.1", "06/Jun/2021:19:29:59", "/prepver2021/json/main.json?_=1", A),
    hit("1.1.1.1", "06/Jun/2021:19:59:59", "/prepver2021/index.html", A),  # gap = 30:00 exactly
    # day 1, same IP, other browser: another visitor; gap 29:59 stays one visit
    hit("1.1.1.1", "06/Jun/2021:20:00:00", "/prepver2021/index.html", B),
    hit("1.1.1.1", "06/Jun/2021:20:29:59", "/prepver2021/json/main.json", B),
    hit("1.1.1.1", "06/Jun/2021:20:30:00", "/no-existe", B, status=404),
    "this line is not an access log line",
    # day 2: visitor A again (a new visitor for that date), a CSV download
    hit("1.1.1.1", "07/Jun/2021:10:00:00", "/prepver2021/", A),
    hit("1.1.1.1", "07/Jun/2021:10:00:05", "/prepver2021/datos/VER_DIP.csv", A, size=5000),
    # outside the period
    hit("9.9.9.9", "13/Jun/2021:10:00:00", "/prepver2021/", A),
]


@pytest.fixture
def stats(tmp_path: Path) -> dict:
    log = tmp_path / "access.log"
    log.write_text("\n".join(LOG) + "\n", encoding="utf-8")
    return analyze([log], compile_format("combined"), date(2021, 6, 6), date(2021, 6, 12), CDMX)


def test_visitors_are_ip_date_user_agent(stats):
    days = {row["fecha"]: row for row in stats["por_dia"]}
    assert days["2021-06-06"]["visitantes"] == 2
    assert days["2021-06-07"]["visitantes"] == 1
    assert days["2021-06-08"]["visitantes"] == 0
    assert len(stats["por_dia"]) == 7
    assert stats["totales"]["visitantes"] == 3


def test_visits_split_at_exactly_the_timeout(stats):
    days = {row["fecha"]: row for row in stats["por_dia"]}
    # A: 19:00:00-19:29:59 (1799 s) and 19:59:59 alone (0 s); B: 20:00:00-20:30:00 (1800 s)
    assert days["2021-06-06"]["visitas"] == 3
    assert days["2021-06-07"]["visitas"] == 1  # 5 s
    assert stats["totales"]["visitas"] == 4
    assert stats["totales"]["duracion_media_s"] == round((1799 + 0 + 1800 + 5) / 4, 1)
    assert stats["totales"]["duracion_mediana_s"] == 5
    buckets = {b["rango"]: b["visitas"] for b in stats["duraciones"]}
    assert buckets["0 s (una sola solicitud)"] == 1
    assert buckets["menos de 1 min"] == 1
    assert buckets["15 a 30 min"] == 1
    assert buckets["30 a 60 min"] == 1


def test_pages_views_polls_and_hits_are_counted_apart(stats):
    totals = stats["totales"]
    assert totals["hits"] == 11
    assert totals["paginas_vistas"] == 4  # /, index.html (A), index.html (B), / (day 2)
    assert totals["vistas"] == 1
    assert totals["sondeos_main"] == 3
    assert totals["descargas"] == 1
    assert totals["recursos"] == 1
    assert totals["errores"] == 1
    assert totals["bytes"] == 10 * 100 + 5000
    top = {row["ruta"]: row["solicitudes"] for row in stats["paginas_consultadas"]}
    assert top == {
        "/prepver2021/": 2,
        "/prepver2021/index.html": 2,
        "/prepver2021/json/diputaciones.json": 1,
    }


def test_malformed_and_outside_lines_are_counted(stats):
    assert stats["lineas"] == len(LOG)
    assert stats["lineas_malformadas"] == 1
    assert stats["muestras_malformadas"] == ["access.log:10: this line is not an access log line"]
    assert stats["fuera_del_periodo"] == 1


def test_configurable_timeout(tmp_path: Path):
    log = tmp_path / "access.log"
    log.write_text("\n".join(LOG[:6]) + "\n", encoding="utf-8")
    stats = analyze(
        [log],
        compile_format("combined"),
        date(2021, 6, 6),
        date(2021, 6, 6),
        CDMX,
        visit_timeout=timedelta(minutes=60),
    )
    assert stats["totales"]["visitas"] == 1
    assert stats["totales"]["duracion_media_s"] == 3599
