"""``prepcheck selftest``: host.disk-free, host.history-kept, host.access-log on real files.

Each check runs as the command does: the collector reads the host, the evaluator judges what it
read. The evaluators alone, on facts built by hand, are in ``test_host_checks.py``; the history
of real ingests and the command itself are in ``tests/e2e/test_host_history_real.py``.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from host_facts import check_history, now_line

from prepcheck.checks.host import GB, access_log, disk_free
from prepcheck.host.access_log import read_access_log
from prepcheck.host.disk import measure_folders
from prepcheck.results import CheckResult


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


def test_a_package_that_no_longer_matches_is_named_once_with_a_spanish_reason(tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    package = folder / "20210606_2100_PREP_VER.zip"
    package.write_bytes(b"x")
    (folder / f"{package.name}.sha256").write_text(f"{'0' * 64}  {package.name}\n")
    result = check_history(folder)
    [problem] = result.evidence["problemas"]
    assert problem["archivo"] == package.name
    assert problem["detalle"].startswith("la huella sha256 no coincide: se esperaba 000")
    assert package.name not in problem["detalle"]


def test_empty_or_absent_history_cannot_be_verified(tmp_path):
    assert check_history(tmp_path / "nope").status == "error"
    (tmp_path / "empty").mkdir()
    assert check_history(tmp_path / "empty").status == "error"


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


def test_a_named_pipe_as_the_log_is_an_error_without_waiting(tmp_path):
    """A FIFO with no writer would block an open() forever; one with a silent writer, a read()."""
    fifo = tmp_path / "access.log"
    os.mkfifo(fifo)
    tail = read_access_log(fifo)
    assert tail.exists and tail.error and "tubería" in tail.error
    writer = os.open(fifo, os.O_RDWR)  # a writer that never writes
    try:
        result = access_log(read_access_log(fifo))
    finally:
        os.close(writer)
    assert result.status == "error"
    assert "no es un archivo regular" in result.message


def test_a_folder_as_the_log_says_it_is_a_folder(tmp_path):
    assert read_access_log(tmp_path).error == "es una carpeta, no un archivo"
