"""pytest plugin rendering one difusor's results.json as a Spanish pytest-html report.

Every cell, extra and summary line comes from the results.json records; nothing is taken from
log text. Loaded only by ``prepcheck.report.render``.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from pytest_html import extras

from prepcheck.catalogue import GROUP_TITLES, spec
from prepcheck.results import STATUS_LABELS, Status, read_document

_DOC_KEY = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--prepcheck-results", required=True, help="results.json to render")


def _document(config: pytest.Config) -> dict[str, Any]:
    """The results.json being rendered, read once (hooks may ask before pytest_configure)."""
    if _DOC_KEY not in config.stash:
        path = Path(config.getoption("--prepcheck-results"))
        config.stash[_DOC_KEY] = read_document(path)
    return config.stash[_DOC_KEY]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    records = _document(metafunc.config)["checks"]
    metafunc.parametrize("check_record", records, ids=[r["id"] for r in records])


@pytest.fixture
def check_record(request: pytest.FixtureRequest) -> dict[str, Any]:
    record: dict[str, Any] = request.param
    if record["status"] == "error":
        pytest.fail(f"[error] {record['message']}", pytrace=False)
    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    record = item.callspec.params["check_record"]  # type: ignore[attr-defined]
    report.prepcheck_record = record  # type: ignore[attr-defined]
    if call.when == "call" or (call.when == "setup" and record["status"] == "error"):
        report.extras = _extras(record)  # type: ignore[attr-defined]
    return report


def _extras(record: dict[str, Any]) -> list[dict[str, Any]]:
    check = spec(record["id"])
    evidence = dict(record.get("evidence") or {})
    images = evidence.pop("imagenes", [])
    body = (
        f"<p><strong>{escape(check.title)}</strong> — cláusula {escape(record['clause'])}</p>"
        f"<p>{escape(record['message'])}</p>"
    )
    if record["status"] in ("fail", "warn", "error"):
        body += f"<p><strong>Cómo corregirlo:</strong> {escape(check.fix)}</p>"
    if evidence:
        pretty = json.dumps(evidence, ensure_ascii=False, indent=2, default=str)
        body += f"<p><strong>Evidencia</strong></p><pre>{escape(pretty)}</pre>"
    found = [extras.html(body)]
    found += [extras.png(img["png_base64"], name=img.get("nombre", "imagen")) for img in images]
    return found


def pytest_html_report_title(report: Any) -> None:
    document = _document(report.config)
    name = document.get("display_name", document["difusor"])
    report.title = f"Informe de conformidad PREP — {name}"


def pytest_html_results_summary(
    prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
) -> None:
    document = _document(session.config)
    prefix.extend(_summary_html(document))


def _summary_html(document: dict[str, Any]) -> list[str]:
    verdict_ok = document["verdict"] == "pass"
    label = "CUMPLE" if verdict_ok else "NO CUMPLE"
    counts = {status: 0 for status in Status}
    for record in document["checks"]:
        counts[Status(record["status"])] += 1
    rows = "".join(f"<li>{STATUS_LABELS[s]}: {n}</li>" for s, n in counts.items())
    return [
        "<style>.logwrapper{display:none}</style>",
        f'<p class="prepcheck-verdict {"ok" if verdict_ok else "bad"}" '
        f'style="font-size:1.6em;font-weight:bold;color:{"#11691b" if verdict_ok else "#a40e0e"}">'
        f"Veredicto: {label}</p>",
        f"<p>Difusor: <strong>{escape(document.get('display_name', document['difusor']))}</strong>"
        f" — <code>{escape(document['base_url'])}</code></p>",
        f"<p>Elección: {escape(str(document.get('election', '')))}</p>",
        f"<p>Revisión: {escape(document['started_at'])} a {escape(document['finished_at'])}</p>",
        "<p>Una verificación <em>obligatoria</em> con resultado «No cumple» o «Error» hace que el "
        "difusor no cumpla; las <em>recomendadas</em> solo generan advertencias.</p>",
        f"<ul>{rows}</ul>",
    ]


def pytest_html_results_table_header(cells: list[str]) -> None:
    cells[:] = [
        '<th class="sortable" data-column-type="result">Resultado</th>',
        '<th class="sortable" data-column-type="testId">Verificación</th>',
        "<th>Grupo</th>",
        "<th>Severidad</th>",
        "<th>Cláusula</th>",
        "<th>Mensaje</th>",
    ]


def pytest_html_results_table_row(report: Any, cells: list[str]) -> None:
    record = getattr(report, "prepcheck_record", None)
    if record is None:
        return
    check = spec(record["id"])
    severity = "Obligatoria" if record["severity"] == "required" else "Recomendada"
    cells[:] = [
        cells[0],  # the pytest outcome: filters and sorting need it; render.py translates it
        f'<td class="col-testId"><code>{escape(record["id"])}</code><br>{escape(check.title)}</td>',
        f"<td>{escape(GROUP_TITLES[check.group])}</td>",
        f"<td>{severity}</td>",
        f"<td>{escape(record['clause'])}</td>",
        f"<td>{escape(record['message'])}</td>",
    ]


def pytest_html_results_table_html(report: Any, data: list[str]) -> None:
    data.clear()  # no captured logs: the report shows records only


def pytest_metadata(metadata: dict[str, Any], config: pytest.Config) -> None:
    document = _document(config)
    metadata.clear()
    metadata.update(
        {
            "Difusor": document.get("display_name", document["difusor"]),
            "URL base": document["base_url"],
            "Elección": document.get("election", ""),
            "Esquema de resultados": document["schema"],
        }
    )
