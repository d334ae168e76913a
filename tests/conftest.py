"""Shared test configuration.

* Tiers: every test under ``tests/unit`` is marked ``unit`` (no network, no server, seconds in
  all: ``pytest -m unit``), every test under ``tests/e2e`` ``e2e`` (real nginx, Apache, sshd,
  chromium, Locust on loopback or in network namespaces). Tests run slow files first, then the
  other end-to-end files, then the unit tier (``_start_order``).
* Every results.json the test suite writes is validated against the JSON Schema that
  ``prepcheck/results/store.py`` names: the schema is real, and everything the harness writes
  keeps to it.
* Reference shots are kept for the test session in one cache folder shared by the xdist
  workers (``PREPCHECK_CACHE_DIR``): each package is rendered once per session, as a user's
  repeated runs of one package are, and nothing lands in the user's own cache.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from prepcheck.results.store import problems

_TIERS = {"unit": "unit", "e2e": "e2e"}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """``-m unit`` (or ``-m e2e``) does not import the other tier's folder: every test there
    would be deselected, and importing the end-to-end modules costs seconds."""
    tier = _TIERS.get(collection_path.name)
    wanted = config.getoption("markexpr", "")
    if tier is not None and wanted in _TIERS and wanted != tier:
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = _TIERS.get(item.path.parent.name) or _TIERS.get(item.path.parent.parent.name)
        if tier is not None:
            item.add_marker(getattr(pytest.mark, tier))
    # Longest first: with `make test`'s one-file-per-worker scheduling (and xdist's own
    # reordering by test count turned off), the slow end-to-end files start at once and the
    # many quick unit files fill the gaps, instead of one long file starting last.
    items.sort(key=_start_order)


def _start_order(item: pytest.Item) -> int:
    if item.get_closest_marker("slow") is not None:
        return 0
    return 1 if item.get_closest_marker("e2e") is not None else 2


@pytest.fixture(scope="session", autouse=True)
def _session_shot_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    os.environ["PREPCHECK_CACHE_DIR"] = str(shared / "prepcheck-cache")


def _written_results(base: Path) -> list[Path]:
    return sorted(base.rglob("results.json")) if base.exists() else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    invalid = []
    for path in _written_results(factory.getbasetemp()):
        if not path.is_file():
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # tests write broken files on purpose to see them refused
        if isinstance(document, dict) and document.get("schema") == "prepcheck-results":
            found = problems(document)
            if found:
                invalid.append(f"{path}: {found[:2]}")
    if invalid:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("results.json that break the schema:\n" + "\n".join(invalid))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
