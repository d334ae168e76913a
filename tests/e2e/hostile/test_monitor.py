"""Monitoring against hostile difusores: every probe isolated, rounds never stop, the process
exits within its bound whatever a probe thread is doing.

Bounds are generous (the machine is shared): a round waits at most the slowest difusor's
``timeout_seconds`` plus the loop's margin; ``SLACK_S`` is added for interpreter start-up and
scheduling.
"""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

from prepcheck.config import load_config
from prepcheck.monitor import loop
from prepcheck.monitor.loop import Bounds, Watch, watch

from .conftest import assert_plain_spanish
from .runs import prepcheck_command, write_config

SLACK_S = 20.0
HOSTILE = ["encabezados-lentos", "tls-sin-encabezados", "main-goteo", "json-anidado", "redir-data"]


@pytest.fixture(scope="module")
def config(hostile, tmp_path_factory):
    path = tmp_path_factory.mktemp("monitor") / "prepcheck.toml"
    timeouts = {name: 2.0 for name in ["sano", *HOSTILE]}
    write_config(path, hostile.package, hostile.server, ["sano", *HOSTILE], timeouts=timeouts)
    return load_config(path)


def test_every_round_observes_every_difusor_whatever_they_do(config):
    observations = []
    started = time.monotonic()
    rounds = watch(
        Watch(config.difusor, config.election),
        Bounds(every_s=0.5, max_cycles=2),
        observations.extend,
        threading.Event(),
    )
    assert rounds == 2
    assert time.monotonic() - started < 2 * (2.0 + loop.MARGIN_S) + SLACK_S
    seen = {obs.difusor for obs in observations}
    assert seen == {"sano", *HOSTILE}
    sound = [obs for obs in observations if obs.difusor == "sano"]
    assert all(obs.reachable and obs.corte is not None for obs in sound)
    for obs in observations:
        if obs.difusor != "sano":
            assert_plain_spanish(obs.reason(config.election.update_interval))


def test_a_probe_that_raises_is_its_difusors_failure_not_the_rounds(config, monkeypatch):
    real = loop.probe_main_json

    def breaks_for_one(url, **kwargs):
        if "/json-anidado/" in url:
            raise RecursionError("maximum recursion depth exceeded")
        return real(url, **kwargs)

    monkeypatch.setattr(loop, "probe_main_json", breaks_for_one)
    observations = []
    watch(
        Watch(config.difusor, config.election),
        Bounds(every_s=0.1, max_cycles=1),
        observations.extend,
        threading.Event(),
    )
    by_name = {obs.difusor: obs for obs in observations}
    assert by_name["sano"].reachable
    assert by_name["json-anidado"].error is not None
    assert_plain_spanish(by_name["json-anidado"].error)


def test_the_monitor_command_exits_within_its_bound(config, hostile, tmp_path):
    """A difusor dripping its headers forever must not keep ``prepcheck monitor`` alive."""
    path = tmp_path / "prepcheck.toml"
    write_config(path, hostile.package, hostile.server, ["sano", "encabezados-lentos"])
    command = [
        *prepcheck_command(), "monitor", "--config", str(path), "--out", str(tmp_path / "out"),
        "--max-probes", "2", "--every", "1",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    # Two rounds, each waiting at most the 2 s timeout of the dripping difusor plus a margin.
    assert time.monotonic() - started < 2 * (2.0 + loop.MARGIN_S + 1) + SLACK_S
    assert done.returncode in (0, 1, 3), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
