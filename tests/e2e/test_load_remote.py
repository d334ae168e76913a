"""Remote workers on loopback: the master's options, ``prepcheck load-worker`` and their errors.

Across separate hosts (network namespaces) see ``test_load_multihost.py``; here the master and
its worker share loopback so the remaining paths run everywhere: usage errors, workers that
never come, and ``--shape both`` served by one worker with ``--runs 2``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from prepcheck.cli import main
from prepcheck.demo.simulacro import write_config
from prepcheck.load.remote import parse_master_address
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.process import free_port
from prepcheck.sample import BuiltPackage

LOAD = "authorized = true\nusers = 4\nrate = 20\nduration_seconds = 3\n"
LOAD += "spike_ramp_seconds = 1\nspike_drop_seconds = 1\n"


@pytest.fixture(scope="module")
def nginx(
    tmp_path_factory: pytest.TempPathFactory, package: BuiltPackage
) -> Iterator[ReferenceDifusor]:
    difusor = ReferenceDifusor(tmp_path_factory.mktemp("nginx"))
    difusor.publish(package.archive, package.digest_file, force=True)
    with difusor:
        yield difusor


def configure(tmp: Path, package: BuiltPackage, difusor: ReferenceDifusor) -> Path:
    entries = [("ref", difusor.base_url, difusor.ca_file)]
    return write_config(tmp / "prepcheck.toml", package.archive, entries, load_table=LOAD)


def records(out: Path) -> dict[str, dict]:
    document = json.loads((out / "ref" / "results.json").read_text())
    return {record["id"]: record for record in document["checks"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.5:5558", ("10.0.0.5", 5558)),
        ("10.0.0.5", ("10.0.0.5", 5557)),
        ("maestro.ople.mx:6000", ("maestro.ople.mx", 6000)),
        ("[fe80::1]:5557", ("fe80::1", 5557)),
    ],
)
def test_master_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_master_address(text) == expected


@pytest.mark.parametrize(
    ("text", "complaint"),
    [(":5557", "falta la dirección"), ("h:0", "entre 1 y 65535"), ("maestro:5557:1", "corchetes")],
)
def test_bad_master_addresses_are_named(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_master_address(text)


def test_load_refuses_conflicting_worker_options(
    tmp_path: Path, package: BuiltPackage, nginx: ReferenceDifusor, capsys: pytest.CaptureFixture
) -> None:
    base = ["load", "--difusor", "ref", "--config", str(configure(tmp_path, package, nginx))]
    base += ["--out", str(tmp_path / "out")]
    cases = [
        (["--master-bind", "127.0.0.1:5557"], "--master-bind va con --expect-workers"),
        (["--expect-workers", "2", "--workers", "2"], "se excluyen"),
        (["--expect-workers", "0"], "--expect-workers debe estar entre 1"),
        (["--expect-workers", "1", "--master-bind", "x:y"], "--master-bind: 'x:y'"),
        (["--expect-workers", "1", "--worker-wait", "0"], "--worker-wait debe ser positivo"),
    ]
    for extra, complaint in cases:
        assert main([*base, *extra]) == 2, extra
        assert complaint in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_load_worker_checks_its_inputs_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "host": "https://x/",
                "users": 1,
                "rate": 1,
                "stages": [{"end": 3}],
                "weights": {},
                "ca_file": "/no/existe/ca.pem",
                "timeout_seconds": 5,
            }
        )
    )
    fifo = tmp_path / "plan.fifo"  # would block a plain read for ever
    os.mkfifo(fifo)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(2**31)  # sparse: read whole it took 4 GB of memory
    base = ["load-worker", "--out", str(tmp_path / "out")]
    cases = [
        (["--master", "m:99999", "--plan", str(plan)], "--master: 'm:99999'"),
        (["--master", "m", "--plan", str(tmp_path / "none.json")], "none.json: no existe"),
        (["--master", "m", "--plan", str(fifo)], "no es un archivo regular"),
        (["--master", "m", "--plan", "/dev/zero"], "no es un archivo regular"),
        (["--master", "m", "--plan", str(deep)], "no es un plan legible"),
        (["--master", "m", "--plan", str(huge)], "es demasiado grande"),
        (["--master", "m", "--plan", str(plan)], "nombra la CA /no/existe/ca.pem"),
        (["--master", "m", "--plan", str(plan), "--ca-file", "/no/ca"], "/no/ca no existe"),
        (["--master", "m", "--plan", str(plan), "--runs", "0"], "--runs debe ser 1 o más"),
    ]
    for extra, complaint in cases:
        assert main([*base, *extra]) == 2, extra
        assert complaint in capsys.readouterr().err
    assert not list((tmp_path / "out").glob("worker-*"))  # no worker was started


def test_workers_that_never_come_give_an_error_and_no_load(
    tmp_path: Path, package: BuiltPackage, nginx: ReferenceDifusor
) -> None:
    before = nginx.server.access_log.read_text()
    out = tmp_path / "out"
    config = configure(tmp_path, package, nginx)
    args = ["load", "--difusor", "ref", "--config", str(config), "--out", str(out), "--shape",
            "steady", "--no-bandwidth", "--expect-workers", "1", "--master-bind",
            f"127.0.0.1:{free_port()}", "--worker-wait", "2"]  # fmt: skip
    code = main(args)
    capacity = records(out)["load.capacity"]
    assert code == 1 and capacity["status"] == "error"
    assert "No se conectaron a tiempo los 1 trabajadores" in capacity["message"]
    assert nginx.server.access_log.read_text() == before  # nothing was sent


def test_one_worker_serves_both_shapes_with_two_runs(
    tmp_path: Path, package: BuiltPackage, nginx: ReferenceDifusor
) -> None:
    out, address = tmp_path / "out", f"127.0.0.1:{free_port()}"
    plan = out / "ref" / "load" / "steady_plan.json"
    command = [sys.executable, "-m", "prepcheck.cli", "load", "--difusor", "ref", "--config",
               str(configure(tmp_path, package, nginx)), "--out", str(out), "--shape", "both",
               "--no-bandwidth", "--expect-workers", "1", "--master-bind", address,
               "--worker-wait", "60"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as master:
        try:
            deadline = time.monotonic() + 60
            while not plan.exists() and master.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            serving = ["load-worker", "--master", address, "--plan", str(plan), "--runs", "2"]
            worker = main([*serving, "--out", str(tmp_path / "worker")])
            output = master.communicate(timeout=120)[0].decode()
        finally:
            if master.poll() is None:  # Ctrl-C: prepcheck stops its Locust processes by pid
                master.send_signal(signal.SIGINT)
                master.wait(timeout=30)
    # The load passed; the difusor is INCOMPLETO (3): its checklist was never run here.
    assert worker == 0 and master.returncode == 3, output
    found = records(out)
    for check in ("load.capacity", "load.spike"):
        evidence = found[check]["evidence"]
        assert found[check]["status"] == "pass", found[check]["message"]
        assert evidence["trabajadores_remotos"] is True
        assert sum(evidence["solicitudes_por_generador"].values()) == evidence["solicitudes"] > 0
    sent = [json.loads((tmp_path / "worker" / f"worker-{run}.json").read_text()) for run in (1, 2)]
    assert [own["requests"] for own in sent] == [
        found["load.capacity"]["evidence"]["solicitudes"],
        found["load.spike"]["evidence"]["solicitudes"],
    ]
