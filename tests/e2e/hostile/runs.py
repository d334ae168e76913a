"""One ``prepcheck run`` against the hostile site, measured: wall time and the process tree's peak
memory. Shared by the run-level battery (``test_runs.py``) and ``bench/hostile.py``.

Contract: ``write_config`` writes a prepcheck TOML with one difusor per behaviour (named after
it); ``measure_run`` runs ``prepcheck run`` for one difusor in its own session, samples the
proportional set size (PSS, so pages shared between chromium's processes count once) of the
whole process tree every ``SAMPLE_S`` from /proc, kills the tree at ``limit_s`` and returns
what it saw. It never leaves a process behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prepcheck.demo.simulacro import current_corte, publication_window
from prepcheck.reference.process import descendants

from .server import HostileServer

SAMPLE_S = 0.2
#: ``timeout_seconds`` per behaviour where the default (10 s) is not what is being shown.
TIMEOUTS = {"encabezados-lentos": 2.0}
#: Narrowed browser checks (one page, one viewport) keep a battery run short.
ONE_PAGE = ("#/",)


@dataclass
class RunMeasure:
    """What one run did: seconds, peak PSS of the tree (MB = 10⁶ bytes), exit code, records."""

    behaviour: str
    seconds: float
    peak_mb: float
    exit_code: int | None
    out_dir: Path
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    killed_for: str | None = None  # "time" or "memory" when the run was killed at a limit

    @property
    def killed(self) -> bool:
        return self.killed_for is not None

    def status(self, check_id: str) -> str | None:
        record = self.records.get(check_id)
        return None if record is None else str(record["status"])

    def message(self, check_id: str) -> str:
        return str(self.records.get(check_id, {}).get("message", ""))


def _toml(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def write_config(
    path: Path,
    package: Path,
    server: HostileServer,
    behaviours: Sequence[str],
    *,
    pages: Sequence[str] | None = None,
    timeouts: Mapping[str, float] = TIMEOUTS,
) -> Path:
    """A prepcheck TOML: the election around the current corte, one difusor per behaviour.

    ``pages`` narrows the browser checks to those pages on a desktop viewport."""
    start, end = publication_window(current_corte())
    lines = [
        "[election]",
        'name = "Simulacro contra un sitio hostil"',
        'folder = "prepver2021"',
        'utc_offset = "-06:00"',
        f"window_start = {start.replace(tzinfo=None).isoformat()}",
        f"window_end = {end.replace(tzinfo=None).isoformat()}",
        f"official_packages_dir = {_toml(package.parent.resolve())}",
        "[election.package]",
        f"path = {_toml(package.resolve())}",
        f"digest_file = {_toml(f'{package.resolve()}.sha256')}",
    ]
    for name in behaviours:
        lines += [
            "[[difusor]]",
            f"name = {_toml(name)}",
            f"base_url = {_toml(server.base_url(name))}",
            f"ca_file = {_toml(server.ca.cert_path)}",
            f"timeout_seconds = {timeouts.get(name, 10.0)}",
        ]
        if pages is not None:
            listed = ", ".join(_toml(page) for page in pages)
            lines += [
                "[difusor.render]",
                f"pages = [{listed}]",
                "viewports = {escritorio = [1366, 768]}",
            ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def prepcheck_command() -> list[str]:
    """How to start the prepcheck command of this interpreter's environment."""
    script = Path(sys.executable).with_name("prepcheck")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from prepcheck.cli import main; sys.exit(main())"]


def session_pids(session: int) -> set[int]:
    """Live processes of ``session`` (the run started it): the tree, orphans included."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[3]) == session:
            found.add(int(entry.name))
    return found


def tree_pss_mb(root: int) -> float:
    """PSS of ``root``'s session and descendants, in MB (10⁶ bytes); RSS where PSS is
    unreadable."""
    pids = session_pids(root) | {root, *descendants(root)}
    return sum(_pss_kib(pid) for pid in pids) * 1024 / 1e6


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        pass
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def measure_run(
    config: Path,
    out_dir: Path,
    behaviour: str,
    *,
    limit_s: float,
    memory_limit_mb: float | None = None,
    shots: Path | None = None,
) -> RunMeasure:
    """Run ``prepcheck run`` for ``behaviour``'s difusor; see the module contract. A tree whose
    PSS passes ``memory_limit_mb`` is killed too (a shared machine must not run out). Unless
    ``shots`` names a reference-shot cache to share, each run has one of its own, empty: every
    run renders the official package, as a corte's first run does, so runs compare like with
    like (``bench/hostile.py``)."""
    command = [
        *prepcheck_command(), "run", "--config", str(config), "--out", str(out_dir),
        "--difusor", behaviour, "--quiet",
    ]  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    peak = [0.0]
    done, over = threading.Event(), threading.Event()
    started = time.monotonic()
    killed_for = None
    with (out_dir / "prepcheck-run.out").open("wb") as output:
        env = {**os.environ, "PREPCHECK_CACHE_DIR": str(shots or out_dir / "cache")}
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        sampler = threading.Thread(
            target=_sample, args=(process, peak, memory_limit_mb, done, over), daemon=True
        )
        sampler.start()
        try:
            exit_code: int | None = process.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            exit_code, killed_for = None, "time"
        finally:
            seconds = time.monotonic() - started
            done.set()
            sampler.join()
            _kill_tree(process)
    if over.is_set():
        killed_for = "memory"
    records = _records(out_dir, behaviour)
    return RunMeasure(
        behaviour, seconds, round(peak[0], 1), exit_code, out_dir, records, killed_for
    )


def _sample(
    process: subprocess.Popen[bytes],
    peak: list[float],
    limit_mb: float | None,
    done: threading.Event,
    over: threading.Event,
) -> None:
    """Record the tree's peak PSS until ``done``; past ``limit_mb``, kill it and set ``over``."""
    while not done.is_set():
        peak[0] = max(peak[0], tree_pss_mb(process.pid))
        if limit_mb is not None and peak[0] > limit_mb and not over.is_set():
            over.set()
            _kill_tree(process, wait=False)
        done.wait(SAMPLE_S)


def _kill_tree(process: subprocess.Popen[bytes], *, wait: bool = True) -> None:
    """SIGKILL every process of the run's session (chromium runs in a group of its own)."""
    for pid in session_pids(process.pid) | set(descendants(process.pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    if wait:
        process.wait()


def _records(out_dir: Path, behaviour: str) -> dict[str, dict[str, Any]]:
    path = out_dir / behaviour / "results.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {record["id"]: record for record in document.get("checks", [])}
