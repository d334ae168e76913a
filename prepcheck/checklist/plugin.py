"""The pytest plugin that turns ``suites/`` into a checklist run.

Options: ``--prepcheck-config FILE`` (required to run suites), ``--prepcheck-out DIR``,
``--prepcheck-difusor NAME`` (repeatable; default all). Fixtures: ``difusor`` (a ``Target``,
parametrized per configured difusor, session scope), ``official`` (the verified official
package), ``record`` (stores a ``CheckResult`` for the test's ``check`` marker id and sets the
pytest outcome from it).

Contract: at the end of the session every selected difusor gets its session file
(``session_path``): the records of the checks this session measured, written atomically. A
suite test that crashes is recorded as ``error`` with the exception, never lost. The runner
lands these records in results.json (``prepcheck.outputs.land``); ids the session should have
measured but did not are recorded there as ``error``, never as passed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path

import pytest

from prepcheck.archive.official import OfficialPackage, load_official
from prepcheck.catalogue import spec
from prepcheck.checklist.target import Target
from prepcheck.config import Config, load_config
from prepcheck.errors import ConfigError
from prepcheck.results import CheckResult, Status, error, now_iso, write_json

Recorder = Callable[[CheckResult], None]
_STATE_KEY = pytest.StashKey["RunState"]()
_RECORDED_KEY = pytest.StashKey[bool]()


def session_path(out_dir: Path, name: str) -> Path:
    """Where a checklist session leaves the records it measured for difusor ``name``."""
    return out_dir / name / "checklist-session.json"


class RunState:
    """Everything one checklist session shares: config, targets, the package, the results."""

    def __init__(self, config: Config, out_dir: Path, selected: list[str]) -> None:
        self.config = config
        self.out_dir = out_dir
        self.selected = selected or [d.name for d in config.difusor]
        for name in self.selected:
            config.find(name)  # raises ConfigError naming unknown difusores
        self.started_at = now_iso()
        self.results: dict[str, list[CheckResult]] = {name: [] for name in self.selected}
        self._targets: dict[str, Target] = {}
        self._package: OfficialPackage | None = None

    @property
    def package(self) -> OfficialPackage | None:
        """The official package, loaded and verified once (None when not configured)."""
        source = self.config.election.package
        if self._package is None and source is not None:
            self._package = load_official(source, self.config.election.folder)
        return self._package

    def target(self, name: str) -> Target:
        if name not in self._targets:
            self._targets[name] = Target(self.config.find(name), self.config.election, self.package)
        return self._targets[name]

    def write_sessions(self) -> list[Path]:
        """Write every selected difusor's session file; returns the paths written."""
        written = []
        for name in self.selected:
            path = session_path(self.out_dir, name)
            records = [result.to_record() for result in self.results[name]]
            write_json({"started_at": self.started_at, "records": records}, path)
            written.append(path)
        return written

    def close(self) -> None:
        for target in self._targets.values():
            target.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("prepcheck", "PREP difusor checklist")
    group.addoption("--prepcheck-config", default=None, help="election + difusores TOML file")
    group.addoption("--prepcheck-out", default="reports", help="folder for results.json files")
    group.addoption(
        "--prepcheck-difusor",
        action="append",
        default=[],
        help="check only this difusor (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "check(id): the catalogue id a suite test verifies")
    path = config.getoption("--prepcheck-config")
    if path is None:
        return
    try:
        loaded = load_config(Path(path))
        state = RunState(
            loaded,
            Path(config.getoption("--prepcheck-out")),
            config.getoption("--prepcheck-difusor"),
        )
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_STATE_KEY] = state


def _state(config: pytest.Config) -> RunState:
    try:
        return config.stash[_STATE_KEY]
    except KeyError:
        raise pytest.UsageError("suites need --prepcheck-config FILE") from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "difusor" in metafunc.fixturenames:
        names = _state(metafunc.config).selected
        metafunc.parametrize("difusor", names, ids=names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def difusor(request: pytest.FixtureRequest) -> Target:
    """The difusor under test (one per configured difusor)."""
    return _state(request.config).target(request.param)


@pytest.fixture(scope="session")
def official(request: pytest.FixtureRequest) -> OfficialPackage | None:
    """The official package (None when the configuration names none)."""
    return _state(request.config).package


@pytest.fixture
def record(request: pytest.FixtureRequest, difusor: Target) -> Recorder:
    """Store a result for this test's check id, then pass/fail/skip the test accordingly."""
    marker = request.node.get_closest_marker("check")
    if marker is None:
        raise pytest.UsageError(f"{request.node.nodeid} uses 'record' without @pytest.mark.check")
    check_id = spec(marker.args[0]).id
    results = _state(request.config).results[difusor.name]

    def _record(result: CheckResult) -> None:
        __tracebackhide__ = True
        if result.id != check_id:
            raise AssertionError(f"test marked {check_id} recorded {result.id}")
        results.append(result)
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
    if result.status is Status.SKIPPED:
        pytest.skip(result.message)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A check test that crashed before recording is recorded as ``error`` with the exception."""
    report = yield
    marker = item.get_closest_marker("check")
    crashed = call.excinfo is not None and not item.stash.get(_RECORDED_KEY, False)
    if marker is not None and crashed and report.failed and call.excinfo is not None:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("difusor") if callspec is not None else None
        if isinstance(name, str):
            reason = f"{call.excinfo.typename}: {call.excinfo.value}"
            message = f"Falla interna al revisar ({call.when}): {reason}"
            _state(item.config).results[name].append(error(marker.args[0], message))
            item.stash[_RECORDED_KEY] = True
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_STATE_KEY, None)
    if state is None:
        return
    state.close()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for path in state.write_sessions():
        if reporter is not None:
            reporter.write_line(f"prepcheck: {path}")
