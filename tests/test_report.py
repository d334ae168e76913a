"""results.json documents, the per-difusor report and the board, all rendered from the JSON."""

import html
import json
import re
from pathlib import Path

from prepcheck.catalogue import CATALOGUE
from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import (
    NOT_IMPLEMENTED,
    CheckResult,
    Status,
    build_document,
    error,
    merge_results,
    outcome,
    read_document,
    skipped,
    write_document,
)


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


def test_document_has_one_record_per_catalogue_id_and_a_verdict():
    document = build_document("uv", "https://x/", "2026-11-29T00:00:00+00:00", sample_results())
    assert [r["id"] for r in document["checks"]] == list(CATALOGUE)
    by_id = {r["id"]: r for r in document["checks"]}
    assert by_id["headers.hsts"]["status"] == "warn"  # advisory failure is a warning
    assert by_id["headers.main-json-cache-control"]["status"] == "fail"
    assert by_id["tls.protocols"] == {
        **by_id["tls.protocols"],
        "status": "skipped",
        "message": NOT_IMPLEMENTED,
    }
    assert by_id["headers.main-json-cache-control"]["clause"] == "II (regla de encabezado)"
    assert document["verdict"] == "fail"


def test_verdict_pass_needs_no_required_fail_or_error():
    passing = [outcome("site.reachable", True, "ok"), outcome("headers.hsts", False, "w")]
    assert build_document("a", "https://x/", "t", passing)["verdict"] == "pass"
    errored = [error("site.reachable", "sin respuesta")]
    assert build_document("a", "https://x/", "t", errored)["verdict"] == "fail"


def test_write_read_and_merge(tmp_path):
    path = tmp_path / "uv" / "results.json"
    write_document(build_document("uv", "https://x/", "t", sample_results()), path)
    document = read_document(path)
    merged = merge_results(
        document,
        [
            outcome("headers.main-json-cache-control", True, "ok"),
            outcome("integrity.files-identical", True, "ok"),
        ],
    )
    assert merged["verdict"] == "pass"
    assert json.loads(path.read_text())["verdict"] == "fail"


def visible_text(report_html: str) -> str:
    """The static page plus the decoded pytest-html data blob (rows and extras)."""
    blob = re.search(r'data-jsonblob="([^"]*)"', report_html).group(1)
    data = json.loads(html.unescape(blob))
    return html.unescape(report_html) + "\n" + html.unescape(json.dumps(data, ensure_ascii=False))


def test_report_is_spanish_and_rendered_from_the_records(tmp_path):
    path = tmp_path / "uv" / "results.json"
    document = build_document("uv", "https://prep.uv.mx/", "t", sample_results())
    document["display_name"] = "Universidad Veracruzana"
    write_document(document, path)
    report = render_report(path, path.with_name("report.html"))
    text = visible_text(report.read_text(encoding="utf-8"))
    assert 'lang="es-MX"' in text
    assert "Informe de conformidad PREP — Universidad Veracruzana" in text
    assert "Veredicto: NO CUMPLE" in text
    for label in ("Cumple", "No cumple", "Advertencia", "Error (no se pudo verificar)", "Omitida"):
        assert label in text
    assert "main.json se sirve sin encabezado" in text
    assert "II (regla de encabezado)" in text
    assert "Cómo corregirlo" in text
    assert "no implementado" in text
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
    assert board.count("NO CUMPLE") == 1 and board.count(">CUMPLE<") == 1
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
