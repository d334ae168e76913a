"""One checklist run: every selected difusor in its own checking session, several at a time.

Contract of :func:`run_checklist`:

* the official package is verified and indexed once and, when usable, handed to every session
  as that index (no session hashes or indexes the archive again) and served once on loopback as
  the reference every session renders against; reference shots are shared through a cache
  folder, kept between runs of the same package (``reference_cache``);
* each difusor is checked by its own pytest session (a child process in a session of its
  own, forked from a preloaded fork server: ``session_process``), at most ``jobs`` at a time
  and at most ``browsers`` browsers at a time; a session that outlives its difusor's budget
  (``difusor.budget_seconds``) plus a grace is killed with its whole process tree, and the
  checks it had not measured are ``error`` saying so;
* a difusor's results.json and report are written the moment its session ends, atomically
  and on their own: a failure writing one difusor never touches another's;
* SIGINT and SIGTERM stop every child (whatever session its own children moved to): finished
  difusores keep their new results, unfinished ones keep their earlier results.json intact,
  marked ``interrupted`` (or, with no earlier results, get what was measured plus ``error``
  records); the board is rewritten to match and the exit code is 130. The run timeout does the
  same for the difusores still running;
* otherwise the exit code is the worst verdict (the one policy of ``results.status``).
Configuration errors raise ``ConfigError`` before anything runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prepcheck.archive.official import OfficialPackage, save_index
from prepcheck.checklist import sources
from prepcheck.checklist.options import BROWSER_IDS, Options
from prepcheck.checklist.progress import RunProgress, SilentProgress
from prepcheck.checklist.reference_cache import shots_folder
from prepcheck.checklist.session_file import read_session, session_path, session_results
from prepcheck.checklist.session_process import SessionProcess, start_session
from prepcheck.checklist.shard import Shard
from prepcheck.config import Config, Difusor, Needs, load_config
from prepcheck.errors import HarnessError, ResultsFileError
from prepcheck.lifecycle import stop_requested
from prepcheck.outputs import Landed, land, mark_interrupted, render_board_of, subject_of
from prepcheck.reference.official_site import ReferenceSite
from prepcheck.reference.process import descendants, group_members
from prepcheck.results import EXIT_INTERRUPTED, Verdict, exit_code, now_iso, read_document

SUITES_DIR = Path(__file__).resolve().parent / "suites"
#: Time a session gets beyond its difusor's budget: interpreter start-up, report writing.
GRACE_S = 30.0
_POLL_S = 0.2


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int
    board: Path
    results: tuple[Path, ...]


@dataclass
class Session:
    """One running checking session (a child process) and what it reported so far."""

    name: str
    process: SessionProcess
    deadline: float
    seen: set[str] = field(default_factory=set)


def select(config: Config, names: Sequence[str] | None, shard: Shard | None) -> list[str]:
    """The difusores of this run: ``names`` (each must exist) or all, then the shard's slice."""
    chosen = list(names) if names else [d.name for d in config.difusor]
    for name in chosen:
        config.find(name)
    return shard.select(chosen) if shard else chosen


def run_checklist(
    config_path: Path,
    out_dir: Path,
    difusores: Sequence[str] | None = None,
    *,
    shard: Shard | None = None,
    options: Options | None = None,
    progress: RunProgress | None = None,
) -> RunOutcome:
    """Run the checklist for the selected difusores (see the module contract)."""
    needs = Needs(sftp_secrets=True, difusores=tuple(difusores or ()))
    config = load_config(config_path, needs=needs)
    selected = select(config, difusores, shard)
    options = options or Options()
    progress = progress or SilentProgress()
    out_dir.mkdir(parents=True, exist_ok=True)
    run = _Run(config, config_path.resolve(), out_dir.resolve(), options, progress)
    try:
        landed, interrupted = run.execute(selected)
    finally:
        progress.close()
    board = render_board_of(out_dir)
    # A difusor whose results could not be written has no verdict anyone can read: a failure.
    verdicts = [item.verdict for item in landed] + run.stopped_verdicts
    verdicts += [Verdict.FAIL] * len(run.unwritten)
    code = EXIT_INTERRUPTED if interrupted else exit_code(verdicts)
    return RunOutcome(code, board, tuple(item.path for item in landed))


class _Run:
    """The state of one run: the shared reference, the queue, the running sessions."""

    def __init__(
        self,
        config: Config,
        config_path: Path,
        out_dir: Path,
        options: Options,
        progress: RunProgress,
    ) -> None:
        self.config = config
        self.config_path = config_path
        self.out_dir = out_dir
        self.options = options
        self.progress = progress
        self.started = now_iso()
        self.landed: list[Landed] = []
        self.unwritten: list[str] = []
        #: Verdicts of the difusores a stop left unfinished (their kept or partial results).
        self.stopped_verdicts: list[Verdict] = []

    def execute(self, selected: list[str]) -> tuple[list[Landed], bool]:
        """Run every selected difusor; returns what landed and whether the run was stopped."""
        with tempfile.TemporaryDirectory(prefix="prepcheck-run-") as scratch:
            package = sources.load_package(self.config.election)
            browsing = self.options.measures(BROWSER_IDS)
            with _reference(package, browsing) as reference_url, stop_requested() as stop:
                shared = _Shared(Path(scratch), package, reference_url, self.options.browsers)
                stopped = self._loop(selected, shared, stop)
        return self.landed, stopped

    def _loop(self, queue: list[str], shared: _Shared, stop: Any) -> bool:
        queue = list(queue)
        running: dict[str, Session] = {}
        run_deadline = time.monotonic() + self.options.timeout_s
        while queue or running:
            if stop.is_set() or time.monotonic() > run_deadline:
                reason = "interrumpida" if stop.is_set() else "límite de tiempo de la revisión"
                self._stop_all(running, queue, reason)
                return stop.is_set()
            while queue and len(running) < self.options.jobs:
                name = queue.pop(0)
                running[name] = self._start(name, shared)
            for name, session in list(running.items()):
                self._report_progress(session)
                if session.process.poll() is not None:
                    self._finish(running.pop(name), None)
                elif time.monotonic() > session.deadline:
                    _kill_tree(session.process)
                    self._finish(running.pop(name), self._budget_reason(name))
            time.sleep(_POLL_S)
        return False

    def _budget_reason(self, name: str) -> str:
        budget = _budget_of(self.config.find(name))
        return f"se agotó el presupuesto de {budget:g} s de este difusor y su revisión se detuvo"

    def _start(self, name: str, shared: _Shared) -> Session:
        difusor = self.config.find(name)
        path = session_path(self.out_dir, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        log = path.parent / "checklist.log"
        log.write_bytes(b"")
        process = start_session(self._args(name, shared), None if self.options.verbose else log)
        self.progress.started(name, len(self.options.ids()))
        deadline = time.monotonic() + _budget_of(difusor) + GRACE_S
        return Session(name, process, deadline)

    def _args(self, name: str, shared: _Shared) -> list[str]:
        args = suites_args(
            self.config_path, self.out_dir, difusores=[name], checks=self.options.checks
        )
        args += shared.options()
        if self.options.technical_report:
            report = self.out_dir / name / TECHNICAL_REPORT
            args += [f"--html={report}", "--self-contained-html"]
        return args

    def _report_progress(self, session: Session) -> None:
        records = read_session(session_path(self.out_dir, session.name))
        ids = self.options.ids()
        for check_id in ids:
            if check_id in records and check_id not in session.seen:
                session.seen.add(check_id)
                upcoming = [cid for cid in ids if cid not in session.seen]
                self.progress.measured(session.name, records[check_id], next(iter(upcoming), None))

    def _finish(self, session: Session, failure: str | None) -> None:
        self._report_progress(session)
        code = session.process.returncode
        if failure is None and code not in (0, 1):
            failure = f"la sesión de revisión terminó de forma anormal (código {code})"
        try:
            landed = self._land(session.name, failure)
        except (OSError, HarnessError, ValueError) as exc:
            self.unwritten.append(session.name)
            self.progress.stopped(session.name, f"no se pudieron escribir sus resultados: {exc}")
            return
        self.landed.append(landed)
        self.progress.finished(session.name, landed.verdict, _relative(landed.report, self.out_dir))

    def _land(self, name: str, failure: str | None) -> Landed:
        """Land the session's records of ``name``; ids it did not measure become ``error``."""
        path = session_path(self.out_dir, name)
        reason = failure or "la sesión de revisión no produjo este resultado"
        results = session_results(read_session(path), self.options.ids(), reason)
        difusor = self.config.find(name)
        technical = TECHNICAL_REPORT if (path.parent / TECHNICAL_REPORT).exists() else None
        landed = land(
            self.out_dir,
            subject_of(self.config, difusor),
            results,
            started_at=self.started,
            command="run",
            technical_report=technical,
            campaign=self.config.campaign,
        )
        path.unlink(missing_ok=True)
        return landed

    def _stop_all(self, running: dict[str, Session], queue: list[str], reason: str) -> None:
        """Stop every session; unfinished difusores keep their earlier results, marked."""
        for session in running.values():
            _kill_tree(session.process)
        for name in running:
            self._interrupted(name, reason)
        for name in queue:
            self._interrupted(name, reason)
        running.clear()
        queue.clear()

    def _interrupted(self, name: str, reason: str) -> None:
        path = session_path(self.out_dir, name)
        note = f"La revisión del {self.started} quedó {reason} antes de terminar."
        unmeasured = f"revisión {reason} antes de medirla"
        measured = session_results(read_session(path), self.options.ids(), unmeasured)
        try:
            marked = mark_interrupted(
                self.out_dir,
                subject_of(self.config, self.config.find(name)),
                measured,
                started_at=self.started,
                note=note,
            )
        except (OSError, HarnessError, ValueError, ResultsFileError) as exc:
            self.progress.stopped(name, f"no se pudo marcar como interrumpida: {exc}")
            return
        path.unlink(missing_ok=True)
        self.stopped_verdicts.append(Verdict(read_document(marked)["verdict"]))
        self.progress.stopped(name, f"revisión {reason}; se conservan sus resultados anteriores")


TECHNICAL_REPORT = "tecnico.html"


class _Shared:
    """What every session of a run shares: the verified package, the reference, the slots."""

    def __init__(
        self, scratch: Path, package: OfficialPackage | None, reference: str | None, browsers: int
    ) -> None:
        self.scratch = scratch
        self.reference = reference
        self.slots = scratch / "navegadores"
        self.slots.mkdir()
        self.browsers = max(1, browsers)
        self.shots = _kept_shots(package) or scratch / "referencia"
        self.index: Path | None = None
        if package is not None and package.usable:
            self.index = save_index(package, scratch / "paquete-oficial.pickle")

    def options(self) -> list[str]:
        found = [f"--prepcheck-browser-slots={self.slots}:{self.browsers}"]
        found.append(f"--prepcheck-cache={self.shots}")
        if self.reference is not None:
            found.append(f"--prepcheck-reference={self.reference}")
        if self.index is not None:
            found.append(f"--prepcheck-package-index={self.index}")
        return found


@contextlib.contextmanager
def _reference(package: OfficialPackage | None, browsing: bool) -> Any:
    """The reference site's folder URL for the whole run: None when the run measures no
    browser id (nothing would read it; serving it extracts the whole package), or when there is
    no usable package (every session then says why in its render checks)."""
    if not browsing or package is None or not package.usable:
        yield None
        return
    site = ReferenceSite(package.archive, package.folder)
    try:
        site.start()
    except (HarnessError, OSError):
        yield None
        return
    try:
        yield site.folder_url
    finally:
        site.stop()


def _kept_shots(package: OfficialPackage | None) -> Path | None:
    """The reference-shot folder kept for a usable package, keyed by its verified digest."""
    if package is None or not package.usable or package.digest.found is None:
        return None
    return shots_folder(package.digest.found)


def _budget_of(difusor: Difusor) -> float:
    return difusor.budget_seconds


def _kill_tree(process: SessionProcess) -> None:
    """SIGKILL a session, its process group and every descendant, whatever their session."""
    pids = {process.pid, *descendants(process.pid), *group_members(process.pid)}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    for pid in descendants(process.pid):  # anything forked while we were killing
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def suites_args(
    config_path: Path,
    out_dir: Path,
    *,
    difusores: Sequence[str] = (),
    checks: Sequence[str] = (),
) -> list[str]:
    """The pytest arguments of one checklist session for ``difusores`` (all when empty) and
    the ids starting with ``checks`` (all when empty), leaving its session files under
    ``out_dir``. Asserts are not rewritten: the plugin may be imported already (a forked
    session) and the checklist's one test asserts nothing."""
    return [
        str(SUITES_DIR / "test_checklist.py"),
        "-c", str(SUITES_DIR / "pytest.ini"), f"--rootdir={SUITES_DIR}",
        "-p", "prepcheck.checklist.plugin", "--assert=plain", "-q", "-rN", "--no-header",
        f"--prepcheck-config={config_path.resolve()}", f"--prepcheck-out={out_dir.resolve()}",
        *(f"--prepcheck-difusor={name}" for name in difusores),
        *(f"--prepcheck-check={prefix}" for prefix in checks),
    ]  # fmt: skip
