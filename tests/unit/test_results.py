"""The results package: the three-state verdict, documents, merges, storage and validation."""

import json
import os
import stat

import pytest

from prepcheck.catalogue import CATALOGUE
from prepcheck.errors import ResultsFileError
from prepcheck.results import (
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_OK,
    FILE_MODE,
    CheckResult,
    Status,
    Subject,
    Verdict,
    changes,
    error,
    exit_code,
    merge,
    new_document,
    not_applicable,
    outcome,
    pending,
    read_document,
    skipped,
    summary,
    write_document,
)

SUBJECT = Subject("uv", "Universidad Veracruzana", "https://x/", "Simulacro", "-06:00")
T0 = "2026-11-29T00:00:00+00:00"


def every_id_passes() -> list[CheckResult]:
    """A pass for every id, except render.embedded which does not apply."""
    results = [outcome(cid, True, "ok") for cid in CATALOGUE if cid != "render.embedded"]
    return [*results, not_applicable("render.embedded", "sin portal")]


def sample_results():
    return [
        outcome("site.reachable", True, "https://x/ responde 200 por HTTPS", saltos=[1]),
        outcome("headers.main-json-cache-control", False, "sin encabezado", cache_control=None),
        outcome("headers.hsts", False, "sin HSTS"),
        error("integrity.files-identical", "No se pudo consultar: conexión fallida"),
        skipped("sftp.reachable", "no configurado"),
    ]


def document(results, **kwargs):
    return new_document(SUBJECT, results, started_at=T0, **kwargs)


def by_id(doc):
    return {r["id"]: r for r in doc["checks"]}


def test_one_record_per_catalogue_id_self_describing():
    doc = document(sample_results())
    assert [r["id"] for r in doc["checks"]] == list(CATALOGUE)
    records = by_id(doc)
    assert records["headers.hsts"]["status"] == "warn"  # advisory failure is a warning
    assert records["headers.main-json-cache-control"]["status"] == "fail"
    assert records["headers.main-json-cache-control"]["clause"] == "II (regla de encabezado)"
    assert records["headers.main-json-cache-control"]["title"].startswith("main.json con")
    assert records["site.reachable"]["measured_at"] is not None
    unmeasured = records["load.capacity"]
    assert unmeasured["status"] == "skipped" and unmeasured["measured_at"] is None
    assert "prepcheck load" in unmeasured["message"]
    assert unmeasured["command"].startswith("prepcheck load --config ARCHIVO --difusor uv")
    assert doc["verdict"] == "fail"
    assert doc["counts"]["fail"] == 1 and doc["counts"]["error"] == 1


def test_cumple_only_when_every_required_check_was_measured_and_passes():
    assert document(every_id_passes())["verdict"] == Verdict.PASS
    advisory_warning = [*every_id_passes(), outcome("headers.hsts", False, "sin HSTS")]
    assert document(advisory_warning)["verdict"] == Verdict.PASS


def test_a_plain_run_with_unmeasured_required_checks_is_incompleto():
    run_only = [r for r in every_id_passes() if CATALOGUE[r.id].measured_by == "run"]
    doc = document(run_only)
    assert doc["verdict"] == Verdict.INCOMPLETE
    missing = {r["id"] for r in pending(doc["checks"])}
    assert {"load.capacity", "monitor.availability", "host.disk-free"} <= missing
    assert "load.spike" not in missing  # advisory: never keeps a difusor incomplete


def test_unconfigured_sftp_is_not_measured_but_no_portal_is_not_applicable():
    results = [r for r in every_id_passes() if not r.id.startswith(("sftp.", "ingest."))]
    results += [skipped(cid, "no configurado") for cid in CATALOGUE if cid.startswith("sftp.")]
    assert document(results)["verdict"] == Verdict.INCOMPLETE
    assert by_id(document(every_id_passes()))["render.embedded"]["status"] == "not_applicable"


def test_an_error_is_never_fine():
    results = [*every_id_passes(), error("site.reachable", "sin respuesta")]
    assert document(results)["verdict"] == Verdict.FAIL


def test_one_exit_code_policy():
    assert exit_code([Verdict.PASS, Verdict.PASS]) == EXIT_OK
    assert exit_code([Verdict.PASS, Verdict.INCOMPLETE]) == EXIT_INCOMPLETE
    assert exit_code([Verdict.INCOMPLETE, Verdict.FAIL]) == EXIT_FAILED
    assert EXIT_INCOMPLETE not in (EXIT_OK, EXIT_FAILED, 2)


def test_merge_replaces_only_its_ids_and_recomputes(tmp_path):
    path = tmp_path / "uv" / "results.json"
    write_document(document(sample_results()), path)
    merged = merge(
        read_document(path),
        [
            outcome("headers.main-json-cache-control", True, "ok"),
            outcome("integrity.files-identical", True, "ok"),
        ],
    )
    assert merged["verdict"] == "incomplete"
    assert by_id(merged)["headers.hsts"]["status"] == "warn"
    assert json.loads(path.read_text())["verdict"] == "fail"


def test_changes_since_the_previous_run():
    first = document(every_id_passes())
    second = document([*every_id_passes(), outcome("site.reachable", False, "403")])
    second["previous"] = summary(first)
    assert changes(second) == [{"id": "site.reachable", "before": "pass", "after": "fail"}]


def test_written_files_share_one_mode_and_validate(tmp_path):
    path = write_document(document(sample_results()), tmp_path / "uv" / "results.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == FILE_MODE
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_site_text_is_cleaned_and_bounded(tmp_path):
    poisoned = outcome(
        "render.no-console-errors",
        False,
        "consola: \ud800 y \x00\x1b[31m",
        mensajes=["x" * 50_000] + ["m"] * 5_000,
    )
    path = write_document(document([poisoned]), tmp_path / "uv" / "results.json")
    record = by_id(read_document(path))["render.no-console-errors"]
    assert "\ud800" not in record["message"] and "\x00" not in record["message"]
    assert len(record["evidence"]["mensajes"][0]) < 21_000
    assert len(record["evidence"]["mensajes"]) == 1_001
    assert "más (omitidos)" in record["evidence"]["mensajes"][-1]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{no es json", "no es JSON válido"),
        ('{"a": 1}', "no es un results.json de prepcheck"),
        ('{"schema_version": 9, "checks": []}', "versión de formato 9"),
        ('{"schema_version": 2, "checks": []}', "results.json no válido"),
        (b"\xff\xfe", "no es texto UTF-8"),
    ],
)
def test_foreign_or_broken_files_are_clear_errors(tmp_path, content, expected):
    path = tmp_path / "results.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ResultsFileError, match=expected) as caught:
        read_document(path)
    assert str(path) in str(caught.value)


def test_files_that_are_no_document_are_refused_without_reading_them_whole(tmp_path):
    fifo = tmp_path / "fifo.json"  # a plain read would wait for a writer for ever
    os.mkfifo(fifo)
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(2**31)  # sparse: read whole it took 4 GB of memory
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    cases = [(fifo, "no es un archivo regular"), (huge, "es demasiado grande"),
             (deep, "anida demasiados niveles"), (tmp_path, "es una carpeta")]  # fmt: skip
    for path, expected in cases:
        with pytest.raises(ResultsFileError, match=expected) as caught:
            read_document(path)
        assert str(path) in str(caught.value)


def test_a_verdict_edited_by_hand_is_refused(tmp_path):
    path = write_document(document(sample_results()), tmp_path / "uv" / "results.json")
    data = json.loads(path.read_text())
    data["verdict"] = "pass"
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsFileError, match="veredicto"):
        read_document(path)


def test_version_1_documents_are_upgraded_with_the_new_rule(tmp_path):
    old = {
        "schema": "https://prepcheck.invalid/schema/results-1.json",
        "schema_version": 1,
        "difusor": "uv",
        "base_url": "https://x/",
        "started_at": T0,
        "finished_at": T0,
        "verdict": "pass",
        "checks": [
            {"id": "site.reachable", "status": "pass", "severity": "required", "clause": "I.b",
             "message": "ok", "evidence": {}},
            {"id": "render.embedded", "status": "skipped", "severity": "required", "clause": "I.f",
             "message": "no configurado", "evidence": {}},
        ],
    }  # fmt: skip
    path = tmp_path / "results.json"
    path.write_text(json.dumps(old))
    upgraded = read_document(path)
    assert upgraded["verdict"] == "incomplete"  # v1 said pass with unmeasured required checks
    assert by_id(upgraded)["render.embedded"]["status"] == "not_applicable"


def test_statuses_cover_the_schema():
    assert {s.value for s in Status} == {
        "pass", "fail", "warn", "error", "skipped", "not_applicable"
    }  # fmt: skip
