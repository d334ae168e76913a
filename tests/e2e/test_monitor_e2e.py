"""``prepcheck monitor`` end to end: real nginx difusores on loopback, one stopped mid-run, a TCP
server that never answers, and ``--report-only`` over the kept SQLite history.

Periods are simulated (``--period-seconds 1``) so a 3-period outage takes seconds.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from prepcheck.cli import main
from prepcheck.demo.simulacro import write_config
from prepcheck.memoria.incidents import read_incidents
from prepcheck.monitor.history import open_history
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.pki import LocalCA
from prepcheck.reference.process import free_port, free_ports
from prepcheck.reference.silent import SilentServer
from prepcheck.sample import BuiltPackage

MONITOR_IDS = ("monitor.availability", "freshness.missed-periods", "freshness.publication-window")


def serve(workdir: Path, package: BuiltPackage) -> ReferenceDifusor:
    # Fixed ports: a restarted server must come back at the same address.
    https_port, http_port = free_ports(2)
    difusor = ReferenceDifusor(workdir, https_port=https_port, http_port=http_port)
    difusor.publish(package.archive, package.digest_file)
    difusor.start()
    return difusor


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def monitor(config: Path, out: Path, *args: str) -> int:
    return main(["monitor", "--config", str(config), "--out", str(out), *args])


def records(out: Path, name: str) -> dict[str, dict[str, Any]]:
    document = json.loads((out / name / "results.json").read_text())
    return {r["id"]: r for r in document["checks"] if r["id"] in MONITOR_IDS}


def without_time(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {cid: {k: v for k, v in r.items() if k != "measured_at"} for cid, r in found.items()}


def test_outage_of_three_periods_fails_and_report_only_reproduces(
    tmp_path: Path, package: BuiltPackage
) -> None:
    flaky = serve(tmp_path / "flaky", package)
    steady = serve(tmp_path / "steady", package)
    try:
        config = write_config(
            tmp_path / "prepcheck.toml",
            package.archive,
            [
                ("caido", flaky.base_url, flaky.ca_file),
                ("estable", steady.base_url, steady.ca_file),
            ],
        )
        out = tmp_path / "out"
        codes: list[int] = []
        args = ("--every", "0.25", "--period-seconds", "1", "--for", "9s")
        runner = threading.Thread(target=lambda: codes.append(monitor(config, out, *args)))
        runner.start()
        time.sleep(2.5)
        flaky.stop()
        time.sleep(4.5)
        flaky.start()  # same ports: the difusor comes back at the same URL
        runner.join(timeout=20)
        assert not runner.is_alive()
    finally:
        flaky.stop()
        steady.stop()
    assert codes == [1]

    down = records(out, "caido")
    assert down["monitor.availability"]["status"] == "fail"
    missed = down["freshness.missed-periods"]
    assert missed["status"] == "fail", missed["message"]
    run = missed["evidence"]["tramos_fallidos"][0]
    # The outage's reason is its first failed probe: a refused connection, or, when that probe
    # met nginx still shutting down (a busy machine stretches it), a TLS handshake cut short.
    assert run["periodos"] >= 3
    assert "conexión rechazada" in run["motivo"] or "saludo TLS falló" in run["motivo"]
    # The OPLE interrupts at the start of the third consecutive failed period.
    third = datetime.fromisoformat(run["inicio"]) + timedelta(seconds=2)
    assert datetime.fromisoformat(missed["evidence"]["interrupcion"]) == third
    assert third.strftime("%H:%M:%S") in missed["message"]
    assert down["freshness.publication-window"]["status"] == "fail"

    incidents = json.loads((out / "caido" / "incidentes.json").read_text())
    assert len(incidents["incidentes"]) == 1
    outage = incidents["incidentes"][0]
    assert 4 <= outage["duracion_s"] <= 7 and not outage["en_curso_al_terminar"]
    assert read_incidents(out / "caido" / "incidentes.json")["total"] == 1  # the memoria reads it

    up = records(out, "estable")
    assert {r["status"] for r in up.values()} == {"pass"}, up
    assert "periodo simulado de 1 s" in up["freshness.missed-periods"]["message"]
    assert (out / "estable" / "report.html").exists() and (out / "index.html").exists()

    with sqlite3.connect(out / "monitor.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        timings = db.execute(
            "SELECT connect_ms, tls_ms, processing_ms FROM observations WHERE status = 200"
        ).fetchall()
        assert timings and all(value is not None for row in timings for value in row)

    again = tmp_path / "again"
    assert monitor(config, again, "--db", str(out / "monitor.sqlite"), "--report-only") == 1
    for name in ("caido", "estable"):  # the same records, measured at another moment
        assert without_time(records(again, name)) == without_time(records(out, name))


def test_a_hanging_difusor_is_bounded_and_recorded(
    tmp_path: Path, package: BuiltPackage, silent: SilentServer
) -> None:
    steady = serve(tmp_path / "steady", package)
    try:
        config = write_config(
            tmp_path / "prepcheck.toml",
            package.archive,
            [
                ("estable", steady.base_url, steady.ca_file),
                ("colgado", f"https://127.0.0.1:{silent.port}/", steady.ca_file),
            ],
        )
        with config.open("a", encoding="utf-8") as handle:
            handle.write("timeout_seconds = 0.5\n")  # the last [[difusor]]: colgado
        started = time.monotonic()
        code = monitor(
            config, tmp_path / "out", "--every", "0.25", "--for", "3s", "--period-seconds", "1"
        )
        elapsed = time.monotonic() - started
    finally:
        steady.stop()
    # The hanging difusor is bounded by its timeout each cycle; the margin over --for (3 s) is
    # generous because a busy shared machine starts and reports slowly, but a probe that hung
    # would hold the command until the test's own timeout.
    assert code == 1 and elapsed < 3 + 60
    history = open_history(tmp_path / "out" / "monitor.sqlite")
    try:
        hung, fine = history.observations("colgado"), history.observations("estable")
    finally:
        history.close()
    assert len(hung) == len(fine) >= 3  # one row per cycle for each, none skipped
    assert all(not obs.reachable and obs.elapsed_ms <= 1000 for obs in hung)
    assert all("plazo total" in (obs.error or "") for obs in hung), {obs.error for obs in hung}
    assert all(obs.fresh(timedelta(minutes=15)) for obs in fine)
    gaps = [b.at - a.at for a, b in pairwise(fine)]
    assert max(gaps) <= timedelta(seconds=1.1)  # the hung one costs at most its bound
    availability = records(tmp_path / "out", "colgado")["monitor.availability"]
    assert availability["status"] == "fail"
    assert availability["evidence"]["disponibilidad_pct"] == 0


def test_one_writer_and_bounded_runs_are_enforced(tmp_path: Path, package: BuiltPackage) -> None:
    config = write_config(
        tmp_path / "prepcheck.toml",
        package.archive,
        [("nadie", f"https://127.0.0.1:{free_port()}/", LocalCA.create(tmp_path / "ca").cert_path)],
    )
    out = tmp_path / "out"
    assert monitor(config, out) == 2  # no --for/--until/--max-probes: refused
    history = open_history(out / "monitor.sqlite")
    try:
        with history.writer():
            assert monitor(config, out, "--max-probes", "1") == 2
    finally:
        history.close()
    assert monitor(config, out, "--max-probes", "2", "--every", "0.1") == 1
    assert records(out, "nadie")["monitor.availability"]["status"] == "error"  # too few


def test_sigterm_stops_the_loop_and_still_records(tmp_path: Path, package: BuiltPackage) -> None:
    steady = serve(tmp_path / "steady", package)
    try:
        config = write_config(
            tmp_path / "prepcheck.toml",
            package.archive,
            [("estable", steady.base_url, steady.ca_file)],
        )
        command = [str(Path(sys.executable).with_name("prepcheck")), "monitor", "--config"]
        command += [str(config), "--out", str(tmp_path / "out"), "--for", "60s", "--every", "0.2"]
        command += ["--period-seconds", "0.5"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            # SIGTERM after a dozen rounds (2.4 s: several simulated periods); a signal during
            # start-up is an interruption of the command (exit 130), tested elsewhere.
            seen: list[str] = []
            while len(seen) < 50 and not any("ronda 12:" in line for line in seen):
                seen.append(process.stdout.readline())  # type: ignore[union-attr]
            assert any("ronda 12:" in line for line in seen), seen
            process.send_signal(signal.SIGTERM)
            rest, _ = process.communicate(timeout=60)
            output = "".join(seen) + rest
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    finally:
        steady.stop()
    # A stop by SIGTERM is the normal end of monitoring: the records land and the exit code is
    # the difusor's verdict, INCOMPLETO (3) as its checklist was never run here.
    assert process.returncode == 3 and "Monitoreo terminado" in output
    assert {r["status"] for r in records(tmp_path / "out", "estable").values()} == {"pass"}
