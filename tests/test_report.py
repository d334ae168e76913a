"""results.json documents, the per-difusor report and the board, all rendered from the JSON."""

import html
import json
import re
from pathlib import Path

from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import (
    CheckResult,
    Status,
    Subject,
    error,
    new_document,
    outcome,
    skipped,
    write_document,
)


def build_document(name, base_url, started_at, results):
    subject = Subject(name, name, base_url, "Simulacro", "-06:00")
    return new_document(subject, results, started_at="2026-11-29T00:00:00+00:00")


def sample_results():
    return [
        outcome("site.reachable", True, "https://x/ responde 200 por HTTPS", saltos=[1]),
        outcome(
            "headers.main-json-cache-control",
            False,
            "main.json se sirve sin encabezado",
            cache_control=None,
        ),
        outcome("headers.hsts", False, "sin HSTS"),
        error("integrity.files-identical", "No se pudo consultar: conexión fallida"),
        skipped("sftp.reachable", "no configurado"),
    ]


def visible_text(report_html: str) -> str:
    """The static page plus the decoded pytest-html data blob (rows and extras)."""
    blob = re.search(r'data-jsonblob="([^"]*)"', report_html).group(1)
    data = json.loads(html.unescape(blob))
    return html.unescape(report_html) + "\n" + html.unescape(json.dumps(data, ensure_ascii=False))


def test_report_is_spanish_and_rendered_from_the_records(tmp_path):
    path = tmp_path / "uv" / "results.json"
    document = build_document("uv", "https://prep.uv.mx/", "t", sample_results())
    document["display_name"] = "Universidad Veracruzana"
    document = {**document}
    write_document(document, path)
    report = render_report(path, path.with_name("report.html"))
    text = visible_text(report.read_text(encoding="utf-8"))
    assert 'lang="es-MX"' in text
    assert "Informe de conformidad PREP — Universidad Veracruzana" in text
    assert "Veredicto: NO CUMPLE" in text
    for label in ("Cumple", "No cumple", "Advertencia", "No se pudo verificar", "No medida"):
        assert label in text
    assert "main.json se sirve sin encabezado" in text
    assert "II (regla de encabezado)" in text
    assert "Cómo corregirlo" in text
    assert "Aún no se ha medido" in text
    assert "<h2>Resumen</h2>" in text and "Summary" not in text.split("data-jsonblob")[0]


def test_board_lists_every_difusor_with_its_verdict(tmp_path):
    good = [outcome(cid, True, "ok") for cid in ("site.reachable",)]
    paths = []
    for name, results in (("buena", good), ("mala", sample_results())):
        path = tmp_path / name / "results.json"
        write_document(build_document(name, f"https://{name}/", "t", results), path)
        paths.append(path)
    board = render_board(tmp_path, paths).read_text(encoding="utf-8")
    assert "buena/report.html" in board and "mala/report.html" in board
    assert board.count("NO CUMPLE") == 1 and board.count(">INCOMPLETO<") == 1
    assert "<code>headers.main-json-cache-control</code>" in board


def test_check_result_is_frozen_and_reports_catalogue_policy():
    result = CheckResult("tls.protocols", Status.PASS, "ok")
    assert result.severity == "required" and result.clause == "II"


def test_relative_paths_render_where_the_caller_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "uv" / "results.json"
    write_document(build_document("uv", "https://x/", "t", sample_results()), path)
    render_report(Path("uv/results.json"), Path("uv/report.html"))
    assert (tmp_path / "uv" / "report.html").stat().st_size > 10_000
