"""Land load results in the difusor's ``results.json`` and re-render its report and the board.

Contract: ``record_results`` merges (``prepcheck.results.merge_results``) into an existing
``OUT/<difusor>/results.json`` or creates a fresh document; the report is re-rendered from it,
and ``OUT/index.html`` from every ``OUT/*/results.json``. Returns the results.json path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prepcheck.config import Difusor
from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import (
    CheckResult,
    build_document,
    merge_results,
    now_iso,
    read_document,
    write_document,
)


def record_results(
    out_dir: Path, difusor: Difusor, results: Sequence[CheckResult], started_at: str
) -> Path:
    """Merge ``results`` into ``out_dir/<name>/results.json``; re-render report and board."""
    path = out_dir / difusor.name / "results.json"
    if path.exists():
        document = merge_results(read_document(path), results)
        document["finished_at"] = now_iso()
    else:
        document = build_document(difusor.name, difusor.base_url, started_at, results)
    write_document(document, path)
    render_report(path, path.with_name("report.html"))
    render_board(out_dir, sorted(out_dir.glob("*/results.json")))
    return path
