"""``prepcheck selftest`` on a history of real ingests: host.history-kept and the command.

The history is made by the reference ingest procedure (real archives extracted, synced to disk
and published), so these tests are in the end-to-end tier; the host checks on hand-made folders
and logs are in ``tests/unit/test_host_selftest.py``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from host_facts import CDMX, check_history, now_line

from prepcheck.checks.host import history_kept
from prepcheck.cli import main
from prepcheck.host.history import read_history
from prepcheck.ingest import ingest
from prepcheck.sample import build_package


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A real ingest history: two packages published through the reference procedure."""
    base = tmp_path_factory.mktemp("host")
    for corte in (datetime(2021, 6, 6, 21, 0), datetime(2021, 6, 6, 21, 15)):
        built = build_package(corte, base / "uploads", utc_offset=CDMX)
        outcome = ingest(built.archive, root=base / "site", history=base / "history")
        assert outcome.status == "published"
    return base / "history"


def copy_history(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def test_history_of_real_ingests_passes(history):
    result = check_history(history)
    assert result.status == "pass", result.message
    assert result.evidence["paquetes"] == 2
    assert result.evidence["integros"] == 2
    assert result.evidence["publicados_segun_ingest_log"] == 2


def test_tampered_package_fails_naming_it(history, tmp_path):
    copy = copy_history(history, tmp_path / "history")
    victim = sorted(copy.glob("*.zip"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    result = check_history(copy)
    assert result.status == "fail"
    assert victim.name in result.message
    assert result.evidence["problemas"][0]["problema"] == "no coincide con su huella"
    assert result.evidence["integros"] == 1


def test_missing_published_package_and_orphan_sidecar_fail(history, tmp_path):
    copy = copy_history(history, tmp_path / "history")
    victim = sorted(copy.glob("*.zip"))[1]
    victim.unlink()
    result = check_history(copy)
    assert result.status == "fail"
    kinds = {p["archivo"]: p["problema"] for p in result.evidence["problemas"]}
    assert kinds[victim.name] == "publicado según ingest.log pero ausente"
    assert kinds[victim.name + ".sha256"] == "huella sin su paquete"


def test_unreadable_ingest_log_is_a_fact_then_an_error(history, tmp_path):
    copy = copy_history(history, tmp_path / "history")
    (copy / "ingest.log").unlink()
    (copy / "ingest.log").mkdir()  # exists, cannot be read as a file
    facts = read_history(copy)
    assert facts.ingest_log is not None and facts.ingest_log.error
    result = history_kept(facts)
    assert result.status == "error"
    assert "ingest.log" in result.message


def test_selftest_command_merges_records_and_renders(history, tmp_path):
    config = tmp_path / "prepcheck.toml"
    config.write_text(
        '[election]\nname = "Prueba"\nwindow_start = 2021-06-06T19:00:00\n'
        "window_end = 2021-06-07T20:00:00\n\n"
        '[[difusor]]\nname = "propio"\nbase_url = "https://localhost:8443/"\n\n'
        "[difusor.host]\nmin_free_gb = 0\n",
        encoding="utf-8",
    )
    log = tmp_path / "access.log"
    log.write_text(now_line(), encoding="utf-8")
    out = tmp_path / "reports"
    argv = ["selftest", "--config", str(config), "--difusor", "propio", "--out", str(out)]
    argv += ["--site-root", str(history.parent / "site"), "--history", str(history)]
    # The three host checks pass; the difusor as a whole is INCOMPLETO (exit 3): the checklist,
    # load and monitoring are measured by other commands.
    assert main([*argv, "--access-log", str(log)]) == 3
    document = json.loads((out / "propio" / "results.json").read_text(encoding="utf-8"))
    statuses = {r["id"]: r["status"] for r in document["checks"] if r["id"].startswith("host.")}
    assert statuses == dict.fromkeys(
        ("host.disk-free", "host.history-kept", "host.access-log"), "pass"
    )
    assert (out / "propio" / "report.html").stat().st_size > 0
    log.write_text(now_line(common=True), encoding="utf-8")
    assert main([*argv, "--access-log", str(log)]) == 1
    document = json.loads((out / "propio" / "results.json").read_text(encoding="utf-8"))
    record = next(r for r in document["checks"] if r["id"] == "host.access-log")
    assert record["status"] == "fail"
    assert document["verdict"] == "fail"
