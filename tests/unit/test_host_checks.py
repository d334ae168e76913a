"""The ``host.*`` evaluators on facts built by hand (no filesystem, no clock)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from prepcheck.checks.host import GB, access_log, disk_free, history_kept
from prepcheck.snapshots.host import (
    AccessLogTail,
    Digest,
    Filesystem,
    FolderSpace,
    HistoryFolder,
    IngestLog,
    KeptPackage,
)

CDMX = timezone(timedelta(hours=-5))
READ_AT = datetime(2021, 6, 7, 2, 30, tzinfo=UTC)  # 21:30 in CDMX
ROOT = Filesystem("/", device=1, free_bytes=50 * GB, total_bytes=100 * GB)
SRV = Filesystem("/srv", device=2, free_bytes=5 * GB, total_bytes=10 * GB)


def line(minute: int = 29, agent: str = "Mozilla/5.0", common: bool = False) -> str:
    base = (
        f'127.0.0.1 - - [06/Jun/2021:21:{minute:02d}:00 -0500] "GET /prepver2021/ HTTP/1.1" 200 9'
    )
    return base if common else f'{base} "-" "{agent}"'


def tail(*lines: str) -> AccessLogTail:
    modified = datetime(2021, 6, 7, 2, 29, tzinfo=UTC)
    return AccessLogTail("/var/log/nginx/access.log", READ_AT, lines=lines, modified=modified)


# --- host.disk-free


def test_disk_free_reports_each_filesystem_once_and_passes_above_the_minimum():
    folders = [FolderSpace("sitio", "/var/www", ROOT), FolderSpace("históricos", "/var/h", ROOT)]
    result = disk_free(folders, 20 * GB)
    assert result.status == "pass", result.message
    (mount,) = result.evidence["sistemas_de_archivos"]
    assert mount["contiene"] == ["sitio: /var/www", "históricos: /var/h"]
    assert mount["libres_gb"] == 50.0
    assert "al menos 50.0 GB libres (mínimo 20.0 GB)" in result.message


def test_disk_free_fails_naming_the_short_filesystem():
    folders = [FolderSpace("sitio", "/var/www", ROOT), FolderSpace("históricos", "/srv/h", SRV)]
    result = disk_free(folders, 20 * GB)
    assert result.status == "fail"
    assert result.message == "/srv tiene 5.0 GB libres; se requieren 20.0 GB."
    assert len(result.evidence["sistemas_de_archivos"]) == 2


def test_disk_free_error_names_the_folder_it_could_not_measure():
    folders = [
        FolderSpace("sitio", "/var/www", ROOT),
        FolderSpace("históricos", "/nope", None, "No such file or directory"),
    ]
    result = disk_free(folders, 0)
    assert result.status == "error"
    assert result.message == "No se pudo medir históricos (/nope): No such file or directory"


# --- host.history-kept

A, B = "20210606_2100_PREP_VER.zip", "20210606_2115_PREP_VER.zip"


def folder(*packages: KeptPackage, sidecars: tuple[str, ...] = (), **facts: Any) -> HistoryFolder:
    base = HistoryFolder(
        "/srv/historicos",
        is_folder=True,
        packages=packages,
        sidecars=sidecars,
        ingest_log=IngestLog(frozenset({A, B})),
    )
    return replace(base, **facts)


def test_history_with_every_package_intact_passes():
    result = history_kept(
        folder(
            KeptPackage(A, Digest.INTACT),
            KeptPackage(B, Digest.INTACT),
            sidecars=(A + ".sha256", B + ".sha256"),
        )
    )
    assert result.status == "pass", result.message
    assert result.evidence["integros"] == 2
    assert result.evidence["publicados_segun_ingest_log"] == 2
    assert "nota" not in result.evidence


def test_history_problems_are_counted_and_named_in_order():
    facts = folder(
        KeptPackage(A, Digest.MISMATCH, "sha256 distinto"),
        sidecars=(A + ".sha256", "huerfano.zip.sha256"),
    )
    result = history_kept(facts)
    assert result.status == "fail"
    assert result.evidence["problemas_por_tipo"] == {
        "no_coincide": 1,
        "huella_sin_paquete": 1,
        "falta_publicado": 1,
    }
    assert [p["archivo"] for p in result.evidence["problemas"]] == [
        A,
        "huerfano.zip.sha256",
        B,
    ]
    assert result.evidence["problemas"][0]["detalle"] == "sha256 distinto"
    assert result.message.startswith(f"3 problema(s): {A} (no coincide con su huella);")


def test_history_problem_list_is_bounded_and_without_log_says_so():
    packages = [KeptPackage(f"p{n}.zip", Digest.NO_SIDECAR) for n in range(5)]
    result = history_kept(folder(*packages, ingest_log=None), max_problems=2)
    assert result.status == "fail"
    assert len(result.evidence["problemas"]) == 2
    assert "y 2 más" in result.message
    assert result.evidence["publicados_segun_ingest_log"] is None
    assert "sin ingest.log" in result.evidence["nota"]


def test_history_that_cannot_be_verified_is_an_error():
    cases = {
        "No existe la carpeta": HistoryFolder("/nope", is_folder=False),
        "No se pudo leer la carpeta": folder(error="Permission denied"),
        "No se pudo leer ingest.log": folder(ingest_log=IngestLog(error="Permission denied")),
        "nada que verificar": folder(ingest_log=None),
    }
    for expected, facts in cases.items():
        result = history_kept(facts)
        assert result.status == "error", expected
        assert expected in result.message


def test_history_with_only_published_names_still_fails_for_the_missing_packages():
    result = history_kept(folder())
    assert result.status == "fail"
    assert result.evidence["problemas_por_tipo"] == {"falta_publicado": 2}


# --- host.access-log


def test_recent_combined_lines_pass_against_the_reading_time():
    result = access_log(tail(*(line(agent=f"UA {n}") for n in range(4))))
    assert result.status == "pass", result.message
    assert result.evidence["lineas_reconocidas"] == 4
    assert result.evidence["modificada"] == "2021-06-07T02:29:00+00:00"
    assert result.evidence["linea_mas_reciente"] == "2021-06-06T21:29:00-05:00"


def test_stale_log_fails_by_the_reading_time_and_max_age():
    facts = tail(line(minute=0))  # 30 min before READ_AT
    assert access_log(facts).status == "pass"
    stale = access_log(facts, max_age=timedelta(minutes=10))
    assert stale.status == "fail"
    assert "más de 10 min" in stale.message


def test_common_unrecognised_and_declared_formats():
    common = access_log(tail(*(line(common=True) for _ in range(3))))
    assert common.status == "fail" and common.evidence["formato_detectado"] == "common"
    garbage = access_log(tail('{"msg": "hola"}', '{"msg": "hola"}'))
    assert garbage.status == "fail" and "Solo 0 de 2" in garbage.message
    declared = access_log(tail(line(common=True)), '%h %l %u %t "%r" %>s %b')
    assert declared.status == "fail" and "agente de usuario" in declared.message
    assert access_log(tail(line()), "%h %Q").status == "error"


def test_missing_empty_rotated_and_unreadable_logs():
    path = "/var/log/nginx/access.log"
    missing = access_log(AccessLogTail(path, READ_AT, exists=False))
    assert (missing.status, missing.message) == ("fail", f"No existe la bitácora {path}.")
    empty = access_log(AccessLogTail(path, READ_AT))
    assert empty.status == "fail" and "vacía" in empty.message
    assert access_log(AccessLogTail(path, READ_AT, gzip=True)).status == "error"
    unreadable = access_log(AccessLogTail(path, READ_AT, error="Permission denied"))
    assert unreadable.status == "error"
    assert unreadable.message == f"No se pudo leer {path}: Permission denied."
