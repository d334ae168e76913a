"""Render a difusor's ``report.html`` from its ``results.json`` (pytest-html, self-contained).

Contract: ``render_report(results_json, html_path)`` runs a separate pytest process that replays
the records (``records_suite`` + ``pytest_render``), so the report can be re-rendered at any
time from the JSON alone (e.g. after a load test merges new records). Fixed English strings of
the pytest-html template are then translated to Spanish.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from prepcheck.errors import HarnessError
from prepcheck.results import STATUS_LABELS, Status

_SUITE = Path(__file__).with_name("records_suite.py")
# Passed and skipped rows start collapsed; failures, errors and warnings open.
_RENDER_INI = "[pytest]\naddopts = -p no:cacheprovider\nrender_collapsed = passed,skipped\n"
_TRANSLATIONS = (
    ("<h2>Environment</h2>", "<h2>Datos de la revisión</h2>"),
    ("<h2>Summary</h2>", "<h2>Resumen</h2>"),
    ("(Un)check the boxes to filter the results.", "Marque o desmarque para filtrar."),
    ("No results found. Check the filters.", "Sin resultados: revise los filtros."),
    ("Show all details", "Mostrar detalles"),
    ("Hide all details", "Ocultar detalles"),
    ("There are still tests running.", "La revisión sigue en curso."),
    ("Reload this page to get the latest results!", "Recargue la página."),
)
# pytest outcome (as pytest-html names it) -> the record status it stands for.
_OUTCOME_STATUS = {
    "Passed": Status.PASS,
    "Failed": Status.FAIL,
    "Error": Status.ERROR,
    "XFailed": Status.WARN,
    "Skipped": Status.SKIPPED,
}
_OUTCOME_LABELS = {
    "Failed": "No cumple",
    "Passed": "Cumple",
    "Skipped": "Omitidas",
    "Expected failures": "Advertencias",
    "Unexpected passes": "—",
    "Errors": "Error",
    "Reruns": "Repeticiones",
    "Retried": "Reintentos",
}


def render_report(results_json: Path, html_path: Path, timeout_s: float = 120.0) -> Path:
    """Write ``html_path`` from ``results_json``; raises ``HarnessError`` if rendering fails."""
    # The render session runs in a scratch folder: relative paths would point there.
    results_json, html_path = results_json.resolve(), html_path.resolve()
    html_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="prepcheck-render-") as scratch:
        ini = Path(scratch) / "pytest.ini"
        ini.write_text(_RENDER_INI, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(_SUITE),
            "-c",
            str(ini),
            "-q",
            "-p",
            "prepcheck.report.pytest_render",
            "-p",
            "no:prepcheck.checklist.plugin",
            f"--prepcheck-results={results_json}",
            f"--html={html_path}",
            "--self-contained-html",
            f"--rootdir={scratch}",
        ]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=scratch,
            env=env,
            check=False,
        )
    if not html_path.exists():
        raise HarnessError(
            f"could not render {html_path}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    _translate(html_path)
    return html_path


def _translate(html_path: Path) -> None:
    text = html_path.read_text(encoding="utf-8")
    for english, spanish in _TRANSLATIONS:
        text = text.replace(english, spanish)
    text = re.sub(
        r"Report generated on (\S+) at (\S+) by", r"Informe generado el \1 a las \2 con", text
    )
    text = re.sub(r'<p class="run-count">[^<]*</p>', "", text)
    for english, spanish in _OUTCOME_LABELS.items():
        text = re.sub(
            rf'(<span class="[a-z]+">\d+) {re.escape(english)}(,?</span>)', rf"\1 {spanish}\2", text
        )
    text = re.sub(r'data-jsonblob="([^"]*)"', _translate_blob, text, count=1)
    text = text.replace("<html>", '<html lang="es-MX">', 1)
    html_path.write_text(text, encoding="utf-8")


def _translate_blob(match: re.Match[str]) -> str:
    """Show each row's outcome as the Spanish status label; keep ``result`` for the filters."""
    data = json.loads(html.unescape(match.group(1)))
    for runs in data["tests"].values():
        for test in runs:
            status = _OUTCOME_STATUS.get(test.get("result", ""))
            if status is not None:
                label = STATUS_LABELS[status]
                test["resultsTableRow"][0] = f'<td class="col-result">{label}</td>'
    return f'data-jsonblob="{html.escape(json.dumps(data))}"'
