"""One checklist run: suites in their own pytest process, then reports from results.json.

Contract of ``run_checklist``: every selected difusor ends with ``OUT/<name>/results.json`` and
``OUT/<name>/report.html``, and ``OUT/index.html`` lists them all, even if the suite process
crashed or hung (its difusores then get ``error`` records saying so). Exit code 0 when every
verdict is ``pass``, 1 otherwise. Configuration errors raise ``ConfigError`` before anything runs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prepcheck.catalogue import ids
from prepcheck.config import Config, Needs, load_config
from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import (
    build_document,
    error,
    merge_records,
    now_iso,
    read_document,
    write_document,
)

SUITES_DIR = Path(__file__).resolve().parent.parent / "suites"
RUN_TIMEOUT_S = 4 * 3600
# Ids measured by their own commands (prepcheck load / monitor / selftest), not by a run.
MEASURED_ELSEWHERE = (
    "load.",
    "monitor.",
    "host.",
    "freshness.publication-window",
    "freshness.missed-periods",
)


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int
    board: Path
    results: tuple[Path, ...]


def run_checklist(
    config_path: Path,
    out_dir: Path,
    difusores: list[str] | None = None,
    *,
    quiet: bool = False,
    timeout_s: float = RUN_TIMEOUT_S,
) -> RunOutcome:
    """Run the whole checklist for the selected difusores (all by default). See module contract."""
    config = load_config(
        config_path, needs=Needs(sftp_secrets=True, difusores=tuple(difusores or ()))
    )
    selected = difusores or [d.name for d in config.difusor]
    for name in selected:
        config.find(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = now_iso()
    earlier = {name: _earlier_measurements(out_dir / name / "results.json") for name in selected}
    for name in selected:
        (out_dir / name / "results.json").unlink(missing_ok=True)
    failure = _run_suites(config_path, out_dir, selected, quiet=quiet, timeout_s=timeout_s)
    results = [_ensure_results(config, out_dir, name, started, failure) for name in selected]
    for path in results:
        _keep_earlier(path, earlier[path.parent.name])
    for path in results:
        render_report(path, path.with_name("report.html"))
    board = render_board(out_dir, results)
    verdicts = [read_document(path)["verdict"] for path in results]
    return RunOutcome(0 if all(v == "pass" for v in verdicts) else 1, board, tuple(results))


def suites_command(
    config_path: Path,
    out_dir: Path,
    *,
    suites: Sequence[str] = (),
    difusores: Sequence[str] = (),
) -> list[str]:
    """The command line of one checklist session: every suite (or only the ``suites`` files
    named) for every difusor (or only ``difusores``), writing results.json under ``out_dir``."""
    paths = [str(SUITES_DIR / name) for name in suites] or [str(SUITES_DIR)]
    return [
        sys.executable, "-m", "pytest", *paths,
        "-c", str(SUITES_DIR / "pytest.ini"), f"--rootdir={SUITES_DIR}",
        "-p", "prepcheck.plugin", "-q", "-rN",
        f"--prepcheck-config={config_path.resolve()}", f"--prepcheck-out={out_dir.resolve()}",
        *(f"--prepcheck-difusor={name}" for name in difusores),
    ]  # fmt: skip


def _run_suites(
    config_path: Path, out_dir: Path, selected: list[str], *, quiet: bool, timeout_s: float
) -> str | None:
    """Run the suites; returns None when pytest ran to the end, else what went wrong."""
    command = suites_command(config_path, out_dir, difusores=selected)
    log = out_dir / "checklist-run.log"
    try:
        with log.open("w", encoding="utf-8") as handle:
            done = subprocess.run(
                command,
                stdout=handle if quiet else None,
                stderr=subprocess.STDOUT if quiet else None,
                timeout=timeout_s,
                check=False,
            )
    except subprocess.TimeoutExpired:
        return f"la revisión excedió el límite de {int(timeout_s)} s y se detuvo"
    # pytest: 0 all passed, 1 some failed; both mean the session completed.
    if done.returncode in (0, 1):
        return None
    return f"la sesión de pytest terminó con código {done.returncode}"


def _earlier_measurements(path: Path) -> list[dict[str, Any]]:
    """Records of checks measured by their own commands (load, monitor, selftest) that an
    earlier results.json holds, so a new checklist run does not throw them away."""
    try:
        document = read_document(path)
    except (OSError, ValueError, KeyError):
        return []
    kept = []
    for record in document["checks"]:
        if record["id"].startswith(MEASURED_ELSEWHERE) and record["status"] != "skipped":
            evidence = {**record.get("evidence", {}), "medido_en": document["finished_at"]}
            kept.append({**record, "evidence": evidence})
    return kept


def _keep_earlier(path: Path, earlier: list[dict[str, Any]]) -> None:
    if earlier:
        write_document(merge_records(read_document(path), earlier), path)


def _ensure_results(
    config: Config, out_dir: Path, name: str, started: str, failure: str | None
) -> Path:
    """The difusor's results.json; synthesized with ``error`` records if the session lost it."""
    path = out_dir / name / "results.json"
    if path.exists():
        return path
    reason = failure or "la sesión de revisión no produjo resultados"
    difusor = config.find(name)
    records = [error(cid, f"No se pudo verificar: {reason}") for cid in ids()]
    document = build_document(name, difusor.base_url, started, records)
    document.update(display_name=difusor.label, election=config.election.name)
    write_document(document, path)
    return path
