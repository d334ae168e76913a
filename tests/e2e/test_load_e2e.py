"""``prepcheck load`` end to end: real Locust processes against real nginx/Apache on loopback.

Runs are short (4-6 s) with few users so the 2-core generator is not saturated, except in the
test that provokes saturation on purpose.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
import pytest

from prepcheck.cli import main
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.variants import VARIANTS
from prepcheck.sample import BuiltPackage, build_package

pytestmark = pytest.mark.slow

FAST = "bandwidth_seconds = 2\nspike_ramp_seconds = 1\nspike_drop_seconds = 1\n"
#: For the tests that expect a pass: thresholds a shared, busy machine meets whatever else runs
#: (these tests check the wiring; capacity itself is the load benchmark's question).
LENIENT = "bandwidth_mbps = 1\np95_ms = 5000\np99_ms = 10000\nmin_rate_ratio = 0.3\n"


def _serve(workdir: Path, package: BuiltPackage, **options: Any) -> ReferenceDifusor:
    difusor = ReferenceDifusor(workdir, **options)
    difusor.publish(package.archive, package.digest_file, force=True)
    difusor.start()
    return difusor


@pytest.fixture(scope="module")
def nginx(
    tmp_path_factory: pytest.TempPathFactory, package: BuiltPackage
) -> Iterator[ReferenceDifusor]:
    difusor = _serve(tmp_path_factory.mktemp("nginx"), package)
    yield difusor
    difusor.stop()


def configure(tmp: Path, package: BuiltPackage, difusor: ReferenceDifusor, load: str) -> Path:
    """The demo's configuration for ``difusor`` (named ``ref``) plus a ``[difusor.load]`` table."""
    config = write_config(
        tmp / "prepcheck.toml", package.archive, [("ref", difusor.base_url, difusor.ca_file)]
    )
    with config.open("a", encoding="utf-8") as handle:
        handle.write(f"\n[difusor.load]\n{load}")
    return config


def run(
    config: Path, out: Path, *args: str, saturation_expected: bool = False
) -> tuple[int, dict[str, dict[str, Any]]]:
    """``prepcheck load``'s exit code and records. A run the product itself calls inconclusive
    because the generator was starved of CPU (a busy shared machine) cannot show what these
    tests look for: it is skipped, saying so, never counted as their pass or their failure."""
    code = main(["load", "--difusor", "ref", "--config", str(config), "--out", str(out), *args])
    results = out / "ref" / "results.json"
    if not results.exists():
        return code, {}
    records = {r["id"]: r for r in json.loads(results.read_text())["checks"]}
    if not saturation_expected:
        for check_id in ("load.capacity", "load.spike"):
            message = records.get(check_id, {}).get("message", "")
            if records.get(check_id, {}).get("status") == "error" and "saturado" in message:
                pytest.skip(f"la máquina está ocupada: {message}")
    return code, records


def test_short_run_against_the_reference_passes(
    tmp_path: Path, package: BuiltPackage, nginx: ReferenceDifusor
) -> None:
    load = f"authorized = true\nusers = 8\nrate = 40\nduration_seconds = 4\n{FAST}{LENIENT}"
    code, records = run(
        configure(tmp_path, package, nginx, load), tmp_path / "out", "--shape", "both"
    )
    capacity, spike, bandwidth = (
        records[i] for i in ("load.capacity", "load.spike", "load.bandwidth")
    )
    assert (capacity["status"], spike["status"], bandwidth["status"]) == ("pass",) * 3, records
    assert code == 3  # every load record passes; the unmeasured checklist keeps it INCOMPLETO
    evidence = capacity["evidence"]
    assert evidence["solicitudes"] > 50 and evidence["fallas"] == 0
    assert evidence["sol_por_segundo_logradas"] > 0
    names = {"json/main.json", "index.html", "json/diputaciones/distrito_[id].json"}
    files = {
        a["kind"] + ":" + a["path"]: tmp_path / "out" / "ref" / a["path"]
        for a in capacity["artifacts"]
    }
    assert "csv:load/steady_stats.csv" in files and "html:load/steady.html" in files  # relative
    stats = files["csv:load/steady_stats.csv"].read_text()
    assert all(name in stats for name in names)  # the citizen's views, grouped by name=
    assert files["html:load/steady.html"].stat().st_size > 10_000
    assert (
        len(evidence["serie"]["segundos"]) >= 3
        and max(v or 0 for v in evidence["serie"]["p95_ms"]) > 0
    )
    # Measured, and judged against the configured threshold (its pass above); how fast this
    # machine is belongs to bench/load.py, not here.
    assert bandwidth["evidence"]["mbps"] > 0
    report = (tmp_path / "out" / "ref" / "report.html").read_text()
    assert "load.capacity" in report and (tmp_path / "out" / "index.html").exists()


def test_server_side_delay_fails_the_p95_threshold(tmp_path: Path, package: BuiltPackage) -> None:
    slow = _serve(tmp_path / "apache", package, kind="apache", variant=VARIANTS["slow"])
    try:
        load = f"authorized = true\nusers = 4\nrate = 8\nduration_seconds = 4\np95_ms = 300\n{FAST}"
        load += "bandwidth_mbps = 20\n"
        code, records = run(
            configure(tmp_path, package, slow, load), tmp_path / "out", "--shape", "steady"
        )
    finally:
        slow.stop()
    capacity = records["load.capacity"]
    assert capacity["status"] == "fail" and code == 1
    assert "p95" in capacity["message"] and capacity["evidence"]["p95_ms"] >= 500
    # 500 ms per request: 4 connections cannot sustain 20 Mbps of a small package's CSVs.
    assert records["load.bandwidth"]["status"] == "warn"


def test_five_percent_errors_fail_the_error_rate_threshold(
    tmp_path: Path, package: BuiltPackage
) -> None:
    flaky = _serve(tmp_path / "nginx", package, variant=VARIANTS["flaky"])
    try:
        load = f"authorized = true\nusers = 8\nrate = 80\nduration_seconds = 5\n{FAST}"
        code, records = run(
            configure(tmp_path, package, flaky, load),
            tmp_path / "out",
            "--shape",
            "steady",
            "--no-bandwidth",
        )
    finally:
        flaky.stop()
    capacity = records["load.capacity"]
    assert capacity["status"] == "fail" and code == 1
    assert "errores" in capacity["message"]
    assert 0.02 < capacity["evidence"]["tasa_de_error"] < 0.10
    assert records["load.bandwidth"]["status"] == "skipped"  # not run, not invented


def test_unauthorized_difusor_is_refused_without_a_request(
    tmp_path: Path, package: BuiltPackage, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = _serve(tmp_path / "nginx", package)
    try:
        config = configure(tmp_path, package, fresh, "users = 5\n")
        code, records = run(config, tmp_path / "out")
        log = fresh.server.access_log.read_text()
    finally:
        fresh.stop()
    assert code == 2 and records == {}
    assert "load.authorized = true" in capsys.readouterr().err
    assert log == ""  # nothing was sent: not even main.json


def test_two_workers_run_and_their_stats_are_merged(
    tmp_path: Path, package: BuiltPackage, nginx: ReferenceDifusor
) -> None:
    load = f"authorized = true\nusers = 8\nrate = 40\nduration_seconds = 5\n{FAST}{LENIENT}"
    code, records = run(
        configure(tmp_path, package, nginx, load),
        tmp_path / "out",
        "--shape",
        "steady",
        "--workers",
        "2",
        "--no-bandwidth",
    )
    capacity = records["load.capacity"]
    assert capacity["status"] == "pass" and code == 3, capacity["message"]  # INCOMPLETO
    evidence = capacity["evidence"]
    per_worker = evidence["solicitudes_por_generador"]
    assert evidence["procesos_trabajadores"] == 2 and len(per_worker) == 2
    assert all(count > 0 for count in per_worker.values())
    assert sum(per_worker.values()) == evidence["solicitudes"]  # the master merged both
    assert set(evidence["generador"]["por_proceso"]) == {"master", "worker1", "worker2"}


def test_saturated_generator_gives_error_not_pass(
    tmp_path: Path, package: BuiltPackage, nginx: ReferenceDifusor
) -> None:
    load = "authorized = true\nusers = 60\nrate = 1000000\nmax_rate = 1000000\n"
    load += f"duration_seconds = 6\np95_ms = 60000\np99_ms = 60000\nmin_rate_ratio = 0\n{FAST}"
    code, records = run(
        configure(tmp_path, package, nginx, load),
        tmp_path / "out",
        "--shape",
        "steady",
        "--no-bandwidth",
        saturation_expected=True,
    )
    capacity = records["load.capacity"]
    assert capacity["status"] == "error" and code == 1
    assert "generador saturado" in capacity["message"]
    assert capacity["evidence"]["fallas"] == 0  # the thresholds alone would have passed


def test_no_locust_process_is_left() -> None:
    """Every run above stopped its processes by pid; nothing of ours still runs Locust."""
    mine = psutil.Process(os.getpid()).children(recursive=True)
    assert not [p for p in mine if _runs_locust(p.cmdline())]


def _runs_locust(argv: list[str]) -> bool:
    """``python -m locust …`` or the ``locust`` script (a fork server preloading Locust's pytest
    plugin only names it among its arguments)."""
    return argv[1:3] == ["-m", "locust"] or any(Path(a).name == "locust" for a in argv[:2])


def test_a_difusor_on_an_older_corte_fails_at_content_level(
    tmp_path: Path, package: BuiltPackage, nginx: ReferenceDifusor
) -> None:
    newer = build_package(
        datetime(2021, 6, 6, 21, 30), tmp_path / "official", utc_offset=CENTRE_TIME
    )
    load = f"authorized = true\nusers = 4\nrate = 20\nduration_seconds = 3\n{FAST}"
    config = configure(tmp_path, package, nginx, load)
    # The official package, and the official packages folder (which takes precedence), now
    # hold a later corte than the one the difusor serves.
    text = config.read_text(encoding="utf-8").replace(str(package.archive), str(newer.archive))
    text = text.replace(str(package.archive.parent.resolve()), str(newer.archive.parent))
    config.write_text(text, encoding="utf-8")
    code, records = run(config, tmp_path / "out", "--shape", "steady", "--no-bandwidth")
    capacity = records["load.capacity"]
    assert capacity["status"] == "fail" and code == 1
    assert capacity["evidence"]["fallas"] > 0
    failures = (tmp_path / "out" / "ref" / "load" / "steady_failures.csv").read_text()
    assert {"path": "load/steady_failures.csv", "label": "Fallas (CSV)", "kind": "csv"} in (
        capacity["artifacts"]
    )
    assert "se esperaba 2021-06-06T21:30:00-06:00 o posterior" in failures
