"""The summary board (``index.html``) across difusores, rendered from their results.json files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from prepcheck.results import VERDICT_LABELS, Verdict, now_iso, read_document

_TEMPLATES = Path(__file__).with_name("templates")


def _row(results_json: Path, out_dir: Path) -> dict[str, Any]:
    document = read_document(results_json)
    counts = document["counts"]
    failed = [
        r["id"]
        for r in document["checks"]
        if r["severity"] == "required" and r["status"] in ("fail", "error")
    ]
    folder = results_json.parent.relative_to(out_dir).as_posix()
    return {
        "label": document.get("display_name", document["difusor"]),
        "base_url": document["base_url"],
        "verdict": document["verdict"],
        "verdict_label": VERDICT_LABELS[Verdict(document["verdict"])],
        "counts": counts,
        "failed_required": failed,
        "report": f"{folder}/report.html",
        "results": f"{folder}/results.json",
        "memoria": f"{folder}/memoria.html"
        if results_json.with_name("memoria.html").exists()
        else None,
        "election": document.get("election", ""),
    }


def render_board(out_dir: Path, results_files: list[Path]) -> Path:
    """Write ``out_dir/index.html`` listing every difusor with its verdict; returns its path."""
    rows = [_row(path, out_dir) for path in results_files]
    environment = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    html = environment.get_template("board.html.j2").render(
        rows=rows,
        election=rows[0]["election"] if rows else "",
        passed=sum(1 for row in rows if row["verdict"] == "pass"),
        generated=now_iso(),
    )
    target = out_dir / "index.html"
    target.write_text(html, encoding="utf-8")
    return target
