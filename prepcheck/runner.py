"""One checklist run: suites in their own pytest process, then reports from results.json.

Contract of ``run_checklist``: every selected difusor ends with ``OUT/<name>/results.json`` and
``OUT/<name>/report.html``, and ``OUT/index.html`` lists them all, even if the suite process
crashed or hung (its difusores then get ``error`` records saying so). Records measured by other
commands (load, monitor, selftest) are kept. The exit code is the worst verdict (the one policy
of ``prepcheck.results.status``). Configuration errors raise ``ConfigError`` before anything runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prepcheck.catalogue import CATALOGUE
from prepcheck.config import Config, load_config
from prepcheck.outputs import Landed, land, subject_of
from prepcheck.plugin import session_path
from prepcheck.results import CheckResult, Status, error, exit_code, now_iso

SUITES_DIR = Path(__file__).resolve().parent.parent / "suites"
RUN_TIMEOUT_S = 4 * 3600
#: The ids a checklist run measures (the others belong to load, monitor and selftest).
RUN_IDS = tuple(cid for cid, check in CATALOGUE.items() if check.measured_by == "run")


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
    config = load_config(config_path)
    selected = difusores or [d.name for d in config.difusor]
    for name in selected:
        config.find(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = now_iso()
    for name in selected:
        session_path(out_dir, name).unlink(missing_ok=True)
    failure = _run_suites(config_path, out_dir, selected, quiet=quiet, timeout_s=timeout_s)
    landed = [_land(config, out_dir, name, started, failure) for name in selected]
    return RunOutcome(
        exit_code([item.verdict for item in landed]),
        out_dir / "index.html",
        tuple(item.path for item in landed),
    )


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


def _land(config: Config, out_dir: Path, name: str, started: str, failure: str | None) -> Landed:
    """Land the session's records of ``name``; ids it did not measure become ``error``."""
    path = session_path(out_dir, name)
    try:
        session = json.loads(path.read_text(encoding="utf-8"))
        records = {r["id"]: r for r in session["records"]}
    except (OSError, ValueError, KeyError, TypeError):
        records = {}
    reason = failure or "la sesión de revisión no produjo este resultado"
    results = [
        _result(records[cid]) if cid in records else error(cid, f"No se pudo verificar: {reason}")
        for cid in RUN_IDS
    ]
    difusor = config.find(name)
    subject = subject_of(config, difusor)
    landed = land(
        out_dir, subject, results, started_at=started, command="run", campaign=config.campaign
    )
    path.unlink(missing_ok=True)
    return landed


def _result(record: dict[str, Any]) -> CheckResult:
    """The result a session recorded (its record as written by ``CheckResult.to_record``)."""
    return CheckResult(
        record["id"],
        Status(record["status"]),
        record["message"],
        record["evidence"],
        fix=record["fix"],
        measured_at=record["measured_at"],
    )
