"""The pytest plugin that turns the check registry into a checklist session.

Options: ``--prepcheck-config FILE`` (required), ``--prepcheck-out DIR``,
``--prepcheck-difusor NAME`` (repeatable; default all). From the runner, to share work across
sessions: ``--prepcheck-package-index FILE`` (the official package as the runner verified or
downloaded and loaded it, pickled into the run's private scratch folder: a session then neither
hashes the archive nor indexes its files again), ``--prepcheck-reference URL`` (the reference
site it serves; default: this session serves its own), ``--prepcheck-cache DIR`` (reference
shots shared between sessions) and ``--prepcheck-browser-slots DIR:N`` (at most N browsers open
across sessions).
Fixtures: ``target`` (the difusor under test, a ``Target``, parametrized per selected difusor,
session scope) and ``recorder``. The suite (``suites/test_checklist.py``) is parametrized from
the catalogue: one test per (difusor, id a checklist run measures).

Contract: each result is appended to the difusor's session file (``session_path``) the moment
it is known, so a session killed half-way leaves everything it measured. A check whose test
crashes is recorded ``error`` (a harness failure), never lost and never passed. The runner
lands the session file in results.json (``prepcheck.outputs.land``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from prepcheck.archive.official import OfficialPackage, load_index
from prepcheck.catalogue import RUN_IDS
from prepcheck.checklist import sources
from prepcheck.checklist.options import BROWSER_IDS, TLS_SCAN_IDS, any_starts
from prepcheck.checklist.session_file import session_path
from prepcheck.checklist.target import Budget, Target
from prepcheck.config import Config, load_config
from prepcheck.errors import ConfigError, HarnessError
from prepcheck.probes.fidelity import ReferenceRenderer, RemoteReference, observe_difusor
from prepcheck.reference.official_site import ReferenceSite
from prepcheck.results import CheckResult, Status, error
from prepcheck.snapshots.pages import RenderObservation

Recorder = Callable[[CheckResult], None]
_STATE_KEY = pytest.StashKey["RunState"]()
_RECORDED_KEY = pytest.StashKey[bool]()
argparse_suppressed = "(interno: lo pasa prepcheck run)"


class RunState:
    """Everything one checklist session shares: config, targets, the package, the reference."""

    def __init__(
        self, config: Config, out_dir: Path, selected: list[str], shared: SharedOptions
    ) -> None:
        self.config = config
        self.out_dir = out_dir
        self.shared = shared
        self.selected = selected or [d.name for d in config.difusor]
        for name in self.selected:
            config.find(name)  # raises ConfigError naming unknown difusores
        self._targets: dict[str, Target] = {}
        self._lock = threading.Lock()
        self._site: ReferenceSite | None = None
        for name in self.selected:
            session_path(out_dir, name).parent.mkdir(parents=True, exist_ok=True)
            session_path(out_dir, name).write_text("", encoding="utf-8")

    @cached_property
    def package(self) -> OfficialPackage | None:
        """The official package, loaded and verified once per session."""
        if self.shared.package_index is not None:
            return load_index(self.shared.package_index)
        return sources.load_package(self.config.election)

    def target(self, name: str) -> Target:
        if name not in self._targets:
            difusor = self.config.find(name)
            budget = Budget(difusor.budget_seconds)
            self._targets[name] = Target(
                difusor, self.config.election, lambda: self.package, budget=budget,
                render=self.render,
            )  # fmt: skip
        return self._targets[name]

    @cached_property
    def reference(self) -> ReferenceRenderer | str:
        """The reference renderer, or why there is none (served once per session)."""
        if self.shared.reference is not None:
            return ReferenceRenderer(RemoteReference(self.shared.reference), self.shared.cache)
        package = self.package
        if package is None:
            return "sin paquete oficial configurado"
        if not package.usable:
            return package.unusable_reason()
        site = ReferenceSite(package.archive, package.folder)
        try:
            site.start()
        except (HarnessError, OSError) as exc:
            return f"no se pudo servir el paquete oficial para la referencia: {exc}"
        self._site = site
        return ReferenceRenderer(site, self.shared.cache)

    def render(self, target: Target) -> RenderObservation:
        """The difusor's pages in the browser beside the reference (bounded by its budget)."""
        with self._lock:
            reference = self.reference
        if isinstance(reference, str):
            return RenderObservation(error=f"sin referencia oficial: {reference}")
        with browser_slot(self.shared.slots, target.budget) as slot:
            if slot is None:
                return RenderObservation(
                    error="no hubo un navegador libre dentro del presupuesto del difusor"
                )
            settings = target.difusor.render
            timeout = target.budget.bound(settings.page_timeout_seconds)
            bounded = settings.model_copy(update={"page_timeout_seconds": timeout})
            return observe_difusor(
                target.folder_url,
                target.difusor.ca_file,
                bounded,
                reference,
                target.difusor.embed_url,
            )

    def record(self, name: str, result: CheckResult) -> None:
        """Append ``result`` to the difusor's session file (one JSON line)."""
        line = json.dumps(result.to_record(), ensure_ascii=False, default=str)
        with self._lock, session_path(self.out_dir, name).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def close(self) -> None:
        for target in self._targets.values():
            target.close()
        if self._site is not None:
            self._site.stop()


@dataclass(frozen=True)
class SharedOptions:
    """What the runner shares with every session (see the module docstring)."""

    package_index: Path | None = None
    reference: str | None = None
    cache: Path | None = None
    slots: tuple[Path, int] | None = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> SharedOptions:
        slots = config.getoption("--prepcheck-browser-slots")
        folder, _, count = (slots or "").rpartition(":")
        index = config.getoption("--prepcheck-package-index")
        cache = config.getoption("--prepcheck-cache")
        return cls(
            package_index=Path(index) if index else None,
            reference=config.getoption("--prepcheck-reference"),
            cache=Path(cache) if cache else None,
            slots=(Path(folder), int(count)) if slots else None,
        )


@contextlib.contextmanager
def browser_slot(slots: tuple[Path, int] | None, budget: Budget) -> Iterator[object | None]:
    """Hold one of the run's browser slots (a file lock) while the block runs; None when
    none came free within the budget. Without slots, there is no bound to respect."""
    if slots is None:
        yield True
        return
    folder, count = slots
    deadline = time.monotonic() + budget.remaining()
    while time.monotonic() < deadline:
        for index in range(count):
            with (folder / f"navegador-{index}.lock").open("w") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                yield handle
                return
        time.sleep(0.2)
    yield None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("prepcheck", "PREP difusor checklist")
    for name in ("package-index", "reference", "cache", "browser-slots"):
        group.addoption(f"--prepcheck-{name}", default=None, help=argparse_suppressed)
    group.addoption("--prepcheck-config", default=None, help="election + difusores TOML file")
    group.addoption("--prepcheck-out", default="reports", help="folder for the session files")
    group.addoption(
        "--prepcheck-difusor",
        action="append",
        default=[],
        help="check only this difusor (repeatable)",
    )
    group.addoption(
        "--prepcheck-check",
        action="append",
        default=[],
        help="measure only the ids starting with this prefix (repeatable; default all)",
    )


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--prepcheck-config")
    if path is None:
        return
    try:
        loaded = load_config(Path(path))
        state = RunState(
            loaded,
            Path(config.getoption("--prepcheck-out")),
            config.getoption("--prepcheck-difusor"),
            SharedOptions.from_config(config),
        )
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_STATE_KEY] = state


def _state(config: pytest.Config) -> RunState:
    try:
        return config.stash[_STATE_KEY]
    except KeyError:
        raise pytest.UsageError("the checklist needs --prepcheck-config FILE") from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        names = _state(metafunc.config).selected
        metafunc.parametrize("target", names, ids=names, indirect=True, scope="session")
    if "check_id" in metafunc.fixturenames:
        wanted = _measured(metafunc.config)
        metafunc.parametrize("check_id", wanted, ids=wanted)


def _measured(config: pytest.Config) -> list[str]:
    """The ids this session measures (``--prepcheck-check`` prefixes; default all)."""
    prefixes = tuple(config.getoption("--prepcheck-check")) or ("",)
    return [cid for cid in RUN_IDS if cid.startswith(prefixes)]


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    """The difusor under test (one per selected difusor). When the session measures TLS ids its
    TLS scan, and when it measures browser ids its pages, start at once in the background;
    neither starts for a session that reads none of them."""
    target = _state(request.config).target(request.param)
    measured = _measured(request.config)
    if any_starts(measured, TLS_SCAN_IDS):
        target.start_tls_scan()
    if any_starts(measured, BROWSER_IDS):
        target.start_render()
    return target


@pytest.fixture
def recorder(request: pytest.FixtureRequest, target: Target, check_id: str) -> Recorder:
    """Store the result of this test's check id, then pass/fail/skip the test accordingly."""
    state = _state(request.config)

    def _record(result: CheckResult) -> None:
        __tracebackhide__ = True
        if result.id != check_id:
            raise AssertionError(f"test of {check_id} recorded {result.id}")
        state.record(target.name, result)
        request.node.stash[_RECORDED_KEY] = True
        _set_outcome(result)

    return _record


def _set_outcome(result: CheckResult) -> None:
    __tracebackhide__ = True
    if result.status is Status.FAIL:
        pytest.fail(result.message, pytrace=False)
    if result.status is Status.ERROR:
        pytest.fail(f"[error] {result.message}", pytrace=False)
    if result.status is Status.WARN:
        pytest.xfail(result.message)
    if result.status in (Status.SKIPPED, Status.NOT_APPLICABLE):
        pytest.skip(result.message)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:  # type: ignore[misc]
    """A check test that crashed before recording is recorded ``error`` with the exception."""
    report: pytest.TestReport = yield
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    crashed = call.excinfo is not None and not item.stash.get(_RECORDED_KEY, False)
    if crashed and report.failed and call.excinfo is not None and "check_id" in params:
        reason = f"{call.excinfo.typename}: {call.excinfo.value}"
        message = f"Falla interna al revisar ({call.when}): {reason}"
        _state(item.config).record(params["target"], error(params["check_id"], message))
        item.stash[_RECORDED_KEY] = True
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_STATE_KEY, None)
    if state is not None:
        state.close()
