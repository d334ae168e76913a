"""Checks measured by their own commands, not by a checklist run (checklist: load.*, monitor.*,
freshness.publication-window, freshness.missed-periods, host.*).

A checklist run records them ``skipped`` with the command that measures them; the runner keeps
an earlier measurement of the same difusor instead, when results.json already holds one.
"""

import pytest

from prepcheck.results import skipped


def _elsewhere(check_id: str, command: str, difusor) -> object:
    return skipped(
        check_id,
        f"se mide con «{command}», no en esta revisión",
        comando=command.replace("NOMBRE", difusor.name),
    )


def _load(difusor) -> str:
    load = difusor.difusor.load
    if load is None or not load.authorized:
        return "prepcheck load --difusor NOMBRE (requiere load.authorized = true)"
    return "prepcheck load --difusor NOMBRE"


MONITOR = "prepcheck monitor --difusor NOMBRE --for DURACIÓN"
SELFTEST = "prepcheck selftest --difusor NOMBRE, en el servidor del difusor"


@pytest.mark.check("load.capacity")
def test_load_capacity(difusor, record):
    record(_elsewhere("load.capacity", _load(difusor), difusor))


@pytest.mark.check("load.spike")
def test_load_spike(difusor, record):
    record(_elsewhere("load.spike", _load(difusor), difusor))


@pytest.mark.check("load.bandwidth")
def test_load_bandwidth(difusor, record):
    record(_elsewhere("load.bandwidth", _load(difusor), difusor))


@pytest.mark.check("monitor.availability")
def test_monitor_availability(difusor, record):
    record(_elsewhere("monitor.availability", MONITOR, difusor))


@pytest.mark.check("freshness.publication-window")
def test_publication_window(difusor, record):
    record(_elsewhere("freshness.publication-window", MONITOR, difusor))


@pytest.mark.check("freshness.missed-periods")
def test_missed_periods(difusor, record):
    record(_elsewhere("freshness.missed-periods", MONITOR, difusor))


@pytest.mark.check("host.disk-free")
def test_host_disk_free(difusor, record):
    record(_elsewhere("host.disk-free", SELFTEST, difusor))


@pytest.mark.check("host.history-kept")
def test_host_history_kept(difusor, record):
    record(_elsewhere("host.history-kept", SELFTEST, difusor))


@pytest.mark.check("host.access-log")
def test_host_access_log(difusor, record):
    record(_elsewhere("host.access-log", SELFTEST, difusor))
