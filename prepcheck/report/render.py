"""Render a difusor's ``report.html`` from its ``results.json``, in process.

Contract: ``render_report(results_json, html_path)`` reads the document (``read_document``:
validated, so a bad file raises ``ResultsFileError`` naming it), renders
``templates/report.html.j2`` and writes the page atomically. The page depends on the JSON
alone and on the moment of rendering (its generation time, shown once): rendering the same
file twice gives the same page apart from that time. Self-contained: inline CSS and SVG,
images as ``data:`` URIs, relative links only, nothing fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prepcheck.report.environment import environment
from prepcheck.report.model import report_view
from prepcheck.results import now_iso, read_document, write_text


def report_html(document: Mapping[str, Any], generated_at: str | None = None) -> str:
    """The report page of a (valid) results document."""
    view = report_view(document, generated_at or now_iso())
    return environment().get_template("report.html.j2").render(r=view)


def render_report(results_json: Path, html_path: Path) -> Path:
    """Write ``html_path`` from ``results_json`` (see the module contract); returns it."""
    return write_text(html_path, report_html(read_document(results_json)))
