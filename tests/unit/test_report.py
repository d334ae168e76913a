"""The report, the board and their parts, rendered in process from results.json documents.

Pages are checked as text here; ``test_report_browser`` opens them in Chromium.
"""

from __future__ import annotations

import html as markup
import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_samples import (
    FINISHED,
    HOSTILE,
    documents,
    load_result,
    monitor_results,
    subject,
)

from prepcheck.checks.monitor.evaluate import MAX_SERIES, Rules, evaluate_availability
from prepcheck.cli import main
from prepcheck.load.chart import MAX_POINTS, series
from prepcheck.report import charts, es
from prepcheck.report.advice import advice_for
from prepcheck.report.board import render_board
from prepcheck.report.facts import images
from prepcheck.report.facts.common import scalar
from prepcheck.report.model import change, relative_href
from prepcheck.report.render import render_report, report_html
from prepcheck.results import (
    STATUS_LABELS,
    VERDICT_LABELS,
    Status,
    Verdict,
    new_document,
    read_document,
    summary,
    write_document,
)
from prepcheck.snapshots.load import Point
from prepcheck.snapshots.monitor import Observation

#: Strings of pytest-html's page (and of the old regex translation) that must never show.
PYTEST_HTML = (
    "pytest",
    "Report generated",
    "Summary",
    "Environment",
    "Passed",
    "Failed",
    "Skipped",
    "Show all details",
    "Repeticiones",
    "Reintentos",
    ".invalid",
    "data-jsonblob",
)
SAMPLES = documents()


class Rows(HTMLParser):
    """Collects each check row's status attribute and its visible status label."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.verdict = ""
        self._row: str | None = None
        self._in_label = self._in_verdict = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "article" and found.get("data-check-id"):
            self._row = str(found["data-check-id"])
            self.rows[self._row] = {"status": str(found.get("data-status")), "label": ""}
        if self._row and "status-label" in (found.get("class") or "").split():
            self._in_label = True
        if found.get("data-verdict") and tag == "p":
            self._in_verdict = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._in_label = False
        if tag == "p":
            self._in_verdict = False
        if tag == "article":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_label and self._row and not self.rows[self._row]["label"]:
            self.rows[self._row]["label"] = data.strip()
        if self._in_verdict:
            self.verdict += data.strip()


def written(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name / "results.json"
    write_document(SAMPLES[name], path)
    return path


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_row_shows_its_records_status_and_the_banner_its_verdict(tmp_path, name):
    path = written(tmp_path, name)
    html = render_report(path, path.with_name("report.html")).read_text(encoding="utf-8")
    parsed = Rows()
    parsed.feed(html)
    document = read_document(path)
    assert parsed.verdict == VERDICT_LABELS[Verdict(document["verdict"])]
    assert set(parsed.rows) == {r["id"] for r in document["checks"]}
    for record in document["checks"]:
        row = parsed.rows[record["id"]]
        assert row["status"] == record["status"]
        assert row["label"] == STATUS_LABELS[Status(record["status"])], record["id"]
    assert 'lang="es-MX"' in html and 'name="viewport"' in html
    for english in PYTEST_HTML:
        assert english not in html, english


def test_samples_hold_every_status_and_every_verdict():
    statuses = {r["status"] for d in SAMPLES.values() for r in d["checks"]}
    assert statuses == {str(s) for s in Status}
    assert {d["verdict"] for d in SAMPLES.values()} == {str(v) for v in Verdict}
    assert any(d["interrupted"] for d in SAMPLES.values())


def test_an_unreachable_difusor_reads_no_se_pudo_verificar_never_cumple(tmp_path):
    path = written(tmp_path, "caido")
    html = render_report(path, path.with_name("report.html")).read_text(encoding="utf-8")
    parsed = Rows()
    parsed.feed(html)
    errors = [r for r in parsed.rows.values() if r["status"] == "error"]
    assert len(errors) > 20 and all(r["label"] == "No se pudo verificar" for r in errors)
    assert not any(r["label"] == "Cumple" for r in parsed.rows.values())
    assert parsed.verdict == "NO CUMPLE"


def test_rerendering_from_results_json_alone_is_identical_but_for_the_time(tmp_path):
    path = written(tmp_path, "no-cumple")
    first = report_html(read_document(path), "2026-12-01T21:00:00+00:00")
    again = report_html(json.loads(path.read_text(encoding="utf-8")), "2027-01-15T03:30:00+00:00")
    assert first != again
    generated = re.compile(r"Generado el [^<]+ por prepcheck")
    assert generated.sub("", first) == generated.sub("", again)
    assert "Generado el 1 de diciembre de 2026, 15:00 (UTC−06:00) por prepcheck" in first


def test_dates_are_es_mx_in_election_time():
    assert es.moment_text("2026-12-01T20:05:00+00:00", "-06:00") == (
        "1 de diciembre de 2026, 14:05 (UTC−06:00)"
    )
    assert es.moment_text("2026-12-31T23:30:00-06:00", "+01:00", seconds=True) == (
        "1 de enero de 2027, 06:30:00 (UTC+01:00)"
    )
    assert es.moment_text("ayer", "-06:00") == "ayer" and es.moment_text(None, "-06:00") == "—"
    assert es.date_text("2021-06-06") == "6 de junio de 2021"
    assert es.number(1234567.891) == "1,234,567.9" and es.number(5) == "5"
    assert es.duration(3723) == "1 h 02 min" and es.duration(0.35) == "0.35 s"
    html = report_html(SAMPLES["no-cumple"], FINISHED)
    assert "Revisión: 1 de diciembre de 2026, de 14:05 a 14:09 (UTC−06:00)" in html
    assert "Dec" not in html and "UTC+00:00" not in html


def test_failing_evidence_reads_as_facts_with_specific_fixes():
    html = markup.unescape(report_html(SAMPLES["no-cumple"], FINISHED))
    # integrity: which files differ, at which byte
    assert "json/diputaciones/distrito_07.json" in html and "byte 1,037" in html
    assert "byte 88,211" in html and "json/ayuntamientos/municipio_204.json" in html
    # headers: what was seen, what is missing, the lines to add to each server
    assert "public, max-age=600" in html and "Directivas que faltan" in html
    assert 'add_header Cache-Control "no-cache, no-store, must-revalidate" always;' in html
    assert 'Header always set Cache-Control "no-cache, no-store, must-revalidate"' in html
    assert "sobran public, max-age=600" in html
    # TLS: protocols offered, the grade and its reasons
    assert "Desactive TLSv1, TLSv1.1" in html and "ssl_protocols TLSv1.2 TLSv1.3;" in html
    assert 'class="letter grade-b"' in html and "B: ofrece TLSv1" in html
    # load: thresholds against what was measured, and the picture
    assert "≤ 1,000 ms" in html and "1,450 ms" in html and 'class="chart"' in html
    # monitoring: the timeline with the interruption marked
    assert 'class="strip"' in html and 'class="marker"' in html
    assert "El OPLE interrumpiría la difusión" in html
    # images stay, as data URIs
    assert html.count('src="data:image/png;base64,') == 3
    # raw evidence stays behind a toggle
    assert '<details class="raw"><summary>Datos completos (JSON)</summary>' in html


def test_reason_names_what_fails_or_how_to_measure_what_is_missing():
    failing = report_html(SAMPLES["no-cumple"], FINISHED)
    assert "10 verificaciones obligatorias no cumplen o no se pudieron verificar." in failing
    assert "Falta por medir" in failing
    incomplete = report_html(SAMPLES["incompleto"], FINISHED)
    assert "Ninguna verificación obligatoria medida falla, pero faltan por medir" in incomplete
    assert "<code>prepcheck load --config ARCHIVO --difusor incompleto" in incomplete
    assert "<code>prepcheck monitor --config ARCHIVO --difusor incompleto" in incomplete
    passing = report_html(SAMPLES["cumple"], FINISHED)
    assert "Todas las verificaciones obligatorias que aplican se midieron y cumplen." in passing
    assert "Hay 1 advertencia" in passing


def test_changes_since_the_previous_run_and_interruptions_are_shown():
    html = report_html(SAMPLES["no-cumple"], FINISHED)
    assert "Cambios desde la revisión anterior" in html and "con veredicto CUMPLE" in html
    assert "Desde entonces: 13 nuevos problemas, 0 corregidos, 1 sigue pendiente." in html
    assert '<span class="change new" title="Antes: Cumple">nuevo fallo</span>' in html
    assert '<span class="change new" title="Antes: Cumple">nueva advertencia</span>' in html
    fixed = report_html(dict(SAMPLES["cumple"], previous=summary(SAMPLES["no-cumple"])), FINISHED)
    assert "<strong>Corregidos:</strong>" in fixed and ">corregido</span>" in fixed
    # a check measured for the first time is not a «nuevo fallo»: it never passed before
    first = report_html(dict(SAMPLES["no-cumple"], previous=summary(SAMPLES["caido"])), FINISHED)
    assert ">medida por primera vez</span>" in first
    interrupted = report_html(SAMPLES["interrumpido"], FINISHED)
    assert "Revisión interrumpida" in interrupted and "Ctrl-C" in interrupted


def test_passing_and_not_applicable_rows_are_collapsed_and_counted():
    html = report_html(SAMPLES["cumple"], FINISHED)
    assert "<summary>Cumplen: 41 verificaciones</summary>" in html
    assert "<summary>No aplican: 1 verificación</summary>" in html
    assert "Lo que requiere atención" in html  # the advisory warning
    assert html.index("Lo que requiere atención") < html.index("<summary>Cumplen")


def test_technical_report_and_artifacts_are_relative_links_only():
    document = dict(SAMPLES["cumple"], technical_report="tecnico/sesion.html")
    assert '<a href="tecnico/sesion.html">informe técnico</a>' in report_html(document, FINISHED)
    for bad in ("/etc/passwd", "../otro/report.html", "https://x/y", "javascript:alert(1)"):
        assert relative_href(bad) is None, bad
    assert relative_href("load/steady stats.csv") == "load/steady%20stats.csv"


def test_hostile_text_is_escaped_everywhere():
    html = report_html(SAMPLES["hostil"], FINISHED)
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert len(re.findall(r"<script>", html)) == 1  # our own, allowed by its hash
    policy = markup.unescape(html)
    assert "script-src 'sha256-" in policy and "default-src 'none'" in policy


def test_only_png_images_are_embedded():
    png = SAMPLES["no-cumple"]["checks"]
    first = next(r for r in png if r["evidence"].get("imagenes"))["evidence"]["imagenes"][0]
    kept = images([first, {"nombre": "x", "png_base64": 'iVBORw0KGgo" onerror="alert(1)'}])
    assert kept is not None and len(kept.images) == 1
    assert images([{"png_base64": "PHN2Zz4="}]) is None  # not a PNG


def test_advice_uses_what_was_observed():
    record = next(r for r in SAMPLES["no-cumple"]["checks"] if r["id"] == "headers.hsts")
    advice = advice_for(record, "-06:00")
    assert advice is not None and "max-age de un año" in advice.text
    assert [s.server for s in advice.snippets] == ["nginx", "Apache"]
    passing = next(r for r in SAMPLES["cumple"]["checks"] if r["status"] == "pass")
    assert advice_for(passing, "-06:00") is None
    error = next(r for r in SAMPLES["caido"]["checks"] if r["status"] == "error")
    assert advice_for(error, "-06:00").text == error["fix"]


def test_certificate_advice_keeps_acronyms_as_written():
    record = {"id": "tls.certificate-valid", "status": "fail",
              "evidence": {"resultado": ["certificate-untrusted"]}}  # fmt: skip
    advice = advice_for(record, "-06:00")
    assert advice is not None and advice.text.startswith("Instale un certificado de una CA ")


def test_negotiated_session_is_labelled_in_spanish():
    record = next(r for r in SAMPLES["cumple"]["checks"] if r["id"] == "tls.enabled")
    negotiated = {"version": "TLS_1_3", "cipher": "TLS_AES_256_GCM_SHA384"}
    record = {**record, "evidence": {**record["evidence"], "negociado": negotiated}}
    html = report_html(dict(SAMPLES["cumple"], checks=[record]), FINISHED)
    assert "Versión de TLS" in html and "TLS 1.3" in html and "Suite de cifrado" in html
    assert ">Version<" not in html and ">Cipher<" not in html


def test_the_review_span_starts_at_the_oldest_measurement():
    """Monitor, load and selftest results merged into the document predate its last run."""
    document = SAMPLES["cumple"]
    assert "de 14:05 a 14:09 (UTC−06:00)" in report_html(document, FINISHED)
    checks = [dict(document["checks"][0], measured_at="2026-12-01T19:40:00+00:00"),
              *document["checks"][1:]]  # fmt: skip
    html = report_html(dict(document, checks=checks), FINISHED)
    assert "de 13:40 a 14:09 (UTC−06:00)" in html


def test_the_not_cached_probes_requests_are_named_in_spanish():
    base = SAMPLES["cumple"]["checks"][0]
    requests = [{"solicitud": name, "status": 200, "sha256": "ab"}
                for name in ("plain-1", "busted-1", "revalidate")]  # fmt: skip
    record = {**base, "id": "headers.main-json-not-cached", "group": "headers",
              "evidence": {"solicitudes": requests}}  # fmt: skip
    html = report_html(dict(SAMPLES["cumple"], checks=[record]), FINISHED)
    assert "normal (1)" in html and "evitando la caché (1)" in html and ">revalidando<" in html
    assert "busted" not in html.split("Datos completos")[0]


def test_a_probes_ok_reads_correcto():
    assert scalar("ok") == "correcto" and scalar("okay") == "okay" and scalar(3) == "3"


def test_robot_verdicts_read_in_spanish():
    record = next(r for r in SAMPLES["cumple"]["checks"] if r["id"] == "tls.vulnerabilities")
    found = {"heartbleed": False, "robot": "NOT_VULNERABLE_RSA_NOT_SUPPORTED"}
    record = {**record, "evidence": {**record["evidence"], "hallazgos": found}}
    html = report_html(dict(SAMPLES["cumple"], checks=[record]), FINISHED)
    assert "no vulnerable (no ofrece intercambio de llaves RSA)" in html
    assert "NOT_VULNERABLE" not in html.split("Datos completos")[0]  # the raw JSON keeps it


def test_cipher_counts_are_shown_only_where_the_suites_were_enumerated():
    """tls.enabled lists the protocols only: a column of zeros would read as 'no cipher'."""
    enabled = next(r for r in SAMPLES["cumple"]["checks"] if r["id"] == "tls.enabled")
    enabled = {**enabled, "evidence": {**enabled["evidence"],
                                       "protocolos_ofrecidos": ["TLSv1.2", "TLSv1.3"]}}  # fmt: skip
    assert "cifrados_por_protocolo" not in enabled["evidence"]
    html = report_html(dict(SAMPLES["cumple"], checks=[enabled]), FINISHED)
    assert "Protocolos" in html and "Cifrados ofrecidos" not in html
    suites = {"TLSv1.3": ["A", "B"]}
    listed = {**enabled, "evidence": {**enabled["evidence"], "cifrados_por_protocolo": suites}}
    html = report_html(dict(SAMPLES["cumple"], checks=[listed]), FINISHED)
    assert "Cifrados ofrecidos" in html


def test_odd_evidence_never_breaks_the_report():
    odd = [
        {**r, "evidence": {"saltos": "no es una lista", "por_tipo": 3, "serie": {"segundos": [1]},
                           "serie_periodos": {"estados": 5}, "tope_ssl_labs": ["x"],
                           "umbrales": None, "imagenes": "nada", "desde": 7}}
        for r in SAMPLES["no-cumple"]["checks"]
    ]  # fmt: skip
    html = report_html(dict(SAMPLES["no-cumple"], checks=odd), FINISHED)
    assert "NO CUMPLE" in html


def test_load_series_is_bounded_and_keeps_the_peaks():
    points = [
        Point(float(s), 10, 50.0, 0.0, 900.0 if s == 1234 else 100.0, 50 * s, 0, 40.0, 200.0)
        for s in range(3600)
    ]
    found = series(points)
    assert len(found["segundos"]) <= MAX_POINTS and found["segundos"][-1] == 3599
    assert max(p for p in found["p95_ms"] if p is not None) == 900.0
    assert series([]) == {key: [] for key in found}
    chart = charts.load_chart({**load_result(failing=True).evidence})
    assert chart is not None and len(chart.panels) == 2
    latency = chart.panels[0]
    assert [r.label for r in latency.rules if r.y is None] == []  # p95 and p99 lines near data
    far = charts.load_chart({"serie": found, "umbrales": {"p95_ms": 60_000}})
    assert far is not None and far.panels[0].rules[0].y is None  # named, not drawn
    limits = {"p95_ms": 1000, "p99_ms": 2000, "sol_por_segundo_objetivo": 40,
              "proporcion_minima_del_objetivo": 0.9}  # fmt: skip
    spike = charts.load_chart({"serie": found, "umbrales": limits, "forma": "spike"})
    assert spike is not None  # judged on p99 and errors only: no other threshold drawn
    assert [rule.label.split(":")[0] for rule in spike.panels[0].rules] == ["umbral p99"]
    assert spike.panels[1].rules == ()


def test_monitor_series_is_bounded_and_marks_each_period():
    tz = datetime.now(UTC).astimezone().tzinfo
    start = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    rules = Rules(
        period=timedelta(minutes=1),
        interval=timedelta(minutes=1),
        missed_limit=3,
        availability_percent=99.9,
        window_start=start,
        window_end=start + timedelta(days=30),
        tz=tz or UTC,
    )
    probes = [
        Observation("d", start + timedelta(minutes=m), "u", error="caído")
        if 100 <= m < 110
        else Observation(
            "d", start + timedelta(minutes=m), "u", status=200, corte=start, official_corte=start
        )
        for m in range(3000)
    ]
    found = evaluate_availability(probes, rules).evidence["serie_periodos"]
    assert len(found["estados"]) <= MAX_SERIES and found["periodos_por_marca"] == 5
    assert "c" in found["estados"]
    _, missed = monitor_results(failing=True)
    letters = missed.evidence["serie_periodos"]["estados"]
    assert set(letters) == {"o", "c", "r"} and missed.evidence["interrupcion"]
    timeline = charts.timeline(missed.evidence, "-06:00")
    assert timeline is not None and timeline.marker_x is not None
    assert "14:00:00 (UTC−06:00)" in timeline.marker_label
    availability_line = charts.timeline(monitor_results(failing=True)[0].evidence, "-06:00")
    assert availability_line is not None
    assert "Disponibilidad hasta ahora: 83.333 % (meta 99.9 %)" in availability_line.summary


def test_board_lists_every_difusor_and_a_rerun_keeps_the_others(tmp_path):
    for name in ("cumple", "no-cumple", "incompleto", "interrumpido"):
        written(tmp_path, name)
    (tmp_path / "roto").mkdir()
    (tmp_path / "roto" / "results.json").write_text("{", encoding="utf-8")
    board = render_board(tmp_path).read_text(encoding="utf-8")
    for name in ("cumple", "no-cumple", "incompleto", "interrumpido", "roto"):
        assert f'data-difusor="{name}"' in board
    assert board.count('class="card v-fail"') == 1 and board.count('class="card v-pass"') == 1
    assert board.count('class="card v-incomplete"') == 2
    assert "Revisión interrumpida" in board and "ILEGIBLE" in board
    assert "nuevo fallo" in board and 'href="no-cumple/results.json"' in board
    assert (
        "Falta medir" in board
        and "prepcheck monitor --config ARCHIVO --difusor incompleto" in board
    )
    # a rerun of one difusor updates its card, the others stay
    write_document(
        SAMPLES["cumple"] | {"difusor": "incompleto"}, tmp_path / "incompleto" / "results.json"
    )
    board = render_board(tmp_path).read_text(encoding="utf-8")
    assert board.count('class="card v-pass"') == 2 and 'data-difusor="no-cumple"' in board
    assert "http://" not in board and "https://prep" in board  # the URLs as text only


def test_cli_render_rewrites_report_and_board(tmp_path, capsys):
    path = written(tmp_path, "no-cumple")
    assert main(["render", str(path), "--board", str(tmp_path)]) == 0
    assert (tmp_path / "index.html").exists() and path.with_name("report.html").exists()


def test_hostile_display_name_on_the_board(tmp_path):
    written(tmp_path, "hostil")
    board = render_board(tmp_path).read_text(encoding="utf-8")
    assert HOSTILE not in board and "&lt;script&gt;" in board


def test_a_document_needs_nothing_but_itself(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    empty = new_document(subject("relativo"), [], started_at=FINISHED, finished_at=FINISHED)
    write_document(empty, Path("relativo/results.json"))
    render_report(Path("relativo/results.json"), Path("relativo/report.html"))
    assert "INCOMPLETO" in (tmp_path / "relativo" / "report.html").read_text(encoding="utf-8")


def test_the_cipher_advice_matches_the_reference_configuration():
    from prepcheck.reference.variants import INTERMEDIATE_CIPHERS as REFERENCE
    from prepcheck.report.advice import INTERMEDIATE_CIPHERS

    assert INTERMEDIATE_CIPHERS == REFERENCE


def test_a_warning_both_times_reads_as_a_warning_not_a_failure():
    assert change("warn", "warn").label == "sigue con advertencia"
    assert change("warn", "warn", "1 de junio").label == "sigue con advertencia desde el 1 de junio"
    assert change("fail", "warn").label == "sigue fallando"
    assert change("fail", "fail").label == "sigue fallando"
