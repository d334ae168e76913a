"""The check registry: one evaluator per catalogue id, and checks that stay pure evaluators.

Every catalogue id, whichever command measures it, has exactly one evaluator, registered by a
module of ``ALL_MODULES``; importing them all loads no network library and no probe.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from prepcheck.catalogue import CATALOGUE
from prepcheck.checks.registry import ALL_MODULES, REGISTRY, check, load_all

#: The ids measured by other commands than ``run``, and the module that must register each.
NOT_RUN = {
    "host.disk-free": "prepcheck.checks.host",
    "host.history-kept": "prepcheck.checks.host",
    "host.access-log": "prepcheck.checks.host",
    "load.capacity": "prepcheck.checks.load",
    "load.spike": "prepcheck.checks.load",
    "load.bandwidth": "prepcheck.checks.load",
    "monitor.availability": "prepcheck.checks.monitor.evaluate",
    "freshness.publication-window": "prepcheck.checks.monitor.evaluate",
    "freshness.missed-periods": "prepcheck.checks.monitor.evaluate",
}
#: Network, browser, TLS-scanner, load-generator and SSH libraries: collection, never checks.
FORBIDDEN = ("httpx", "pycurl", "playwright", "sslyze", "locust", "asyncssh")

IMPORT_ALL = """
import importlib, json, sys
from prepcheck.checks.registry import ALL_MODULES
FORBIDDEN = set({forbidden!r})

def loaded():
    tops = {{n.split(".")[0] for n in sys.modules}} & FORBIDDEN
    return tops | {{n for n in sys.modules if n.startswith("prepcheck.probes")}}

import prepcheck.checks
pulled = {{"prepcheck.checks": sorted(loaded())}}
absent = []
for name in ALL_MODULES:
    before = loaded()
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        absent.append(name)
    pulled[name] = sorted(loaded() - before)
print(json.dumps({{"pulled": pulled, "absent": absent}}))
"""


def import_registering_modules() -> list[str]:
    """Import every module of ``ALL_MODULES``; returns those that do not exist (yet).

    A module that exists but fails to import (a missing dependency, a duplicate registration)
    raises: that is a defect, never a skip.
    """
    absent = []
    for name in ALL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            absent.append(name)
    return absent


@pytest.fixture(scope="module")
def absent() -> list[str]:
    return import_registering_modules()


def test_load_monitor_and_selftest_ids_have_their_evaluator(absent: list[str]) -> None:
    assert set(NOT_RUN) == {i for i, spec in CATALOGUE.items() if spec.measured_by != "run"}
    for check_id, module in NOT_RUN.items():
        assert check_id in REGISTRY, f"{check_id} has no registered evaluator"
        assert REGISTRY[check_id].__module__ == module, check_id
        assert module not in absent


def test_every_catalogue_id_has_exactly_one_evaluator(absent: list[str]) -> None:
    assert set(REGISTRY) <= set(CATALOGUE)
    assert absent == []
    assert [i for i in CATALOGUE if i not in REGISTRY] == []
    assert set(load_all()) == set(CATALOGUE)


def test_a_second_registration_or_an_unknown_id_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        check("host.disk-free")(lambda: None)
    with pytest.raises(KeyError, match="unknown check id"):
        check("host.no-such-check")


def test_importing_the_checks_loads_no_network_library_nor_probe() -> None:
    """In a fresh interpreter: ``import prepcheck.checks`` and then every registering module;
    the failure names which module pulled which library in."""
    code = IMPORT_ALL.format(forbidden=FORBIDDEN)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout)
    pulled = {module: names for module, names in report["pulled"].items() if names}
    assert pulled == {}, f"imported by (module: libraries): {pulled}"
    assert not set(report["absent"]) & set(NOT_RUN.values())
