"""``prepcheck selftest``: host.disk-free, host.history-kept, host.access-log on real files.

Each check runs as the command does: the collector reads the host, the evaluator judges what it
read. The evaluators alone, on facts built by hand, are in ``test_host_checks.py``.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from prepcheck.checks.host import GB, access_log, disk_free, history_kept
from prepcheck.cli import main
from prepcheck.host.access_log import read_access_log
from prepcheck.host.disk import measure_folders
from prepcheck.host.history import read_history
from prepcheck.ingest import ingest
from prepcheck.results import CheckResult
from prepcheck.sample import build_package

CDMX = timezone(timedelta(hours=-5))


def check_history(folder: Path, max_problems: int = 20) -> CheckResult:
    return history_kept(read_history(folder), max_problems)


def check_disk_free(folders: dict[str, Path], min_free_bytes: int) -> CheckResult:
    return disk_free(measure_folders(folders), min_free_bytes)


def check_access_log(
    log: Path, spec: str = "combined", *, now: datetime | None = None
) -> CheckResult:
    """Collect then judge; ``now`` stands for a later reading of the same tail."""
    tail = read_access_log(log)
    if now is not None:
        tail = replace(tail, read_at=now)
    return access_log(tail, spec)


def now_line(ip: str = "127.0.0.1", agent: str = "Mozilla/5.0", common: bool = False) -> str:
    stamp = datetime.now(CDMX).strftime("%d/%b/%Y:%H:%M:%S -0500")
    base = f'{ip} - - [{stamp}] "GET /prepver2021/ HTTP/1.1" 200 512'
    return base + "\n" if common else f'{base} "-" "{agent}"\n'


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


def test_package_without_sidecar_fails_and_problem_list_is_bounded(tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    for minute in range(5):
        (folder / f"20210606_21{minute:02d}_PREP_VER.zip").write_bytes(b"x")
    result = check_history(folder, max_problems=2)
    assert result.status == "fail"
    assert result.evidence["problemas_por_tipo"] == {"sin_huella": 5}
    assert len(result.evidence["problemas"]) == 2
    assert "y 2 más" in result.message
    assert "sin ingest.log" in result.evidence["nota"]


def test_empty_or_absent_history_cannot_be_verified(tmp_path):
    assert check_history(tmp_path / "nope").status == "error"
    (tmp_path / "empty").mkdir()
    assert check_history(tmp_path / "empty").status == "error"


def test_unreadable_ingest_log_is_a_fact_then_an_error(history, tmp_path):
    copy = copy_history(history, tmp_path / "history")
    (copy / "ingest.log").unlink()
    (copy / "ingest.log").mkdir()  # exists, cannot be read as a file
    facts = read_history(copy)
    assert facts.ingest_log is not None and facts.ingest_log.error
    result = history_kept(facts)
    assert result.status == "error"
    assert "ingest.log" in result.message


def test_disk_free_threshold(tmp_path):
    site, hist = tmp_path / "site", tmp_path / "history"
    site.mkdir()
    hist.mkdir()
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    passing = check_disk_free({"sitio": site, "históricos": hist}, 0)
    assert passing.status == "pass"
    (mount,) = passing.evidence["sistemas_de_archivos"]  # same filesystem: reported once
    assert len(mount["contiene"]) == 2
    failing = check_disk_free({"sitio": site}, free + 100 * GB)
    assert failing.status == "fail"
    assert mount["punto_de_montaje"] in failing.message
    assert check_disk_free({"sitio": tmp_path / "missing"}, 0).status == "error"


def test_live_combined_log_passes(tmp_path):
    log = tmp_path / "access.log"
    log.write_text("".join(now_line(agent=f"UA {n}") for n in range(5)), encoding="utf-8")
    result = check_access_log(log)
    assert result.status == "pass", result.message
    assert result.evidence["lineas_reconocidas"] == 5


def test_common_format_log_fails_with_the_fix(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(now_line(common=True) * 3, encoding="utf-8")
    result = check_access_log(log)
    assert result.status == "fail"
    assert "formato common" in result.message
    assert "LogFormat" in result.message and "access_log <archivo> combined;" in result.message


def test_declared_format_without_user_agent_fails(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(now_line(common=True), encoding="utf-8")
    result = check_access_log(log, '%h %l %u %t "%r" %>s %b')
    assert result.status == "fail"
    assert "agente de usuario" in result.message


def test_stale_missing_empty_unrecognised_and_rotated_logs(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(now_line(), encoding="utf-8")
    later = datetime.now(UTC) + timedelta(hours=3)
    assert check_access_log(log, now=later).status == "fail"
    assert check_access_log(tmp_path / "nope.log").status == "fail"
    (tmp_path / "empty.log").write_text("", encoding="utf-8")
    assert "vacía" in check_access_log(tmp_path / "empty.log").message
    (tmp_path / "json.log").write_text('{"msg": "hola"}\n' * 4, encoding="utf-8")
    assert check_access_log(tmp_path / "json.log").status == "fail"
    (tmp_path / "access.log.1.gz").write_bytes(gzip.compress(now_line().encode()))
    assert check_access_log(tmp_path / "access.log.1.gz").status == "error"
    assert check_access_log(log, "%h %Q").status == "error"


def test_unreadable_log_is_a_fact_then_an_error(tmp_path):
    tail = read_access_log(tmp_path)  # a folder: exists, cannot be read as a log
    assert tail.exists and tail.error
    result = access_log(tail)
    assert result.status == "error"
    assert "No se pudo leer" in result.message


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
