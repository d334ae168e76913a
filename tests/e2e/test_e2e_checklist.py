"""End to end: real nginx and Apache reference difusores, broken variants, one checklist run.

One ``prepcheck run`` covers five difusores at once (the suites are parametrized per difusor):
the good references on nginx and Apache, a variant without the main.json header, a variant with
one byte changed in one data file, and an address where nothing listens.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime

import pytest

from prepcheck.checklist.runner import run_checklist
from prepcheck.cli import main
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.variants import Variant
from prepcheck.sample import build_package

pytestmark = pytest.mark.slow

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)
TAMPERED_FILE = "prepver2021/json/diputaciones/distrito_07.json"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tamper_one_byte(difusor: ReferenceDifusor, relative: str) -> None:
    path = difusor.published / "current" / relative
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def checklist_run(tmp_path_factory):
    """Start the five difusores, run the checklist once, stop them; yield (exit, results)."""
    base = tmp_path_factory.mktemp("e2e")
    built = build_package(CORTE, base / "packages", utc_offset=CENTRE_TIME)
    specs = {
        "ref-nginx": ("nginx", Variant()),
        "ref-apache": ("apache", Variant()),
        "sin-encabezado": ("nginx", Variant(name="no-header", main_json_cache_control=None)),
        "alterado": ("nginx", Variant()),
    }
    difusores = {}
    try:
        for name, (kind, variant) in specs.items():
            difusor = ReferenceDifusor(base / name, kind=kind, variant=variant)
            difusor.publish(built.archive, built.digest_file)
            difusor.start()
            difusores[name] = difusor
        tamper_one_byte(difusores["alterado"], TAMPERED_FILE)
        entries = [(n, d.base_url, d.ca_file) for n, d in difusores.items()]
        ca_file = difusores["ref-nginx"].ca_file
        entries.append(("apagado", f"https://127.0.0.1:{closed_port()}/", ca_file))
        config = write_config(base / "prepcheck.toml", built.archive, entries, render_pages=["#/"])
        outcome = run_checklist(config, base / "reports")
    finally:
        for difusor in difusores.values():
            difusor.stop()
    results = {
        path.parent.name: json.loads(path.read_text(encoding="utf-8")) for path in outcome.results
    }
    yield outcome, results, base / "reports"


def statuses(document: dict) -> dict[str, str]:
    return {record["id"]: record["status"] for record in document["checks"]}


def required_not_passing(document: dict) -> dict[str, str]:
    """Required checks a checklist run measures that do not pass (nor do not apply)."""
    return {
        r["id"]: r["status"]
        for r in document["checks"]
        if r["severity"] == "required"
        and r["measured_by"] == "run"
        and r["status"] not in ("pass", "not_applicable")
        and not r["id"].startswith(("sftp.", "ingest."))  # no SFTP configured here
    }


IMPLEMENTED_REQUIRED = (
    "site.reachable",
    "site.public-folder",
    "headers.main-json-cache-control",
    "integrity.files-identical",
    "integrity.no-missing-files",
    "freshness.corte-current",
    "package.checksum",
    "package.safe-archive",
)


@pytest.mark.parametrize("name", ["ref-nginx", "ref-apache"])
def test_reference_passes_every_implemented_required_check(checklist_run, name):
    _, results, _ = checklist_run
    document = results[name]
    assert required_not_passing(document) == {}
    found = statuses(document)
    for check_id in IMPLEMENTED_REQUIRED:
        assert found[check_id] == "pass", check_id
    assert found["render.embedded"] == "not_applicable"
    # load, monitor, selftest and SFTP were not measured: never CUMPLE on a checklist alone.
    assert found["sftp.reachable"] == "skipped" and found["load.capacity"] == "skipped"
    assert document["verdict"] == "incomplete"


def test_missing_header_fails_only_that_check(checklist_run):
    _, results, _ = checklist_run
    document = results["sin-encabezado"]
    assert required_not_passing(document) == {"headers.main-json-cache-control": "fail"}
    record = next(r for r in document["checks"] if r["id"] == "headers.main-json-cache-control")
    assert "sin encabezado Cache-Control" in record["message"]
    assert document["verdict"] == "fail"


def test_one_changed_byte_fails_files_identical_naming_the_file(checklist_run):
    _, results, _ = checklist_run
    document = results["alterado"]
    assert required_not_passing(document) == {"integrity.files-identical": "fail"}
    record = next(r for r in document["checks"] if r["id"] == "integrity.files-identical")
    assert TAMPERED_FILE in json.dumps(record["evidence"])


def test_unreachable_difusor_gives_errors_not_a_crash(checklist_run):
    _, results, _ = checklist_run
    found = statuses(results["apagado"])
    for check_id in ("site.reachable", "site.public-folder", "headers.main-json-cache-control"):
        assert found[check_id] == "error", check_id
    assert found["package.checksum"] == "pass"  # the package itself is fine
    assert results["apagado"]["verdict"] == "fail"


def test_reports_and_board_exist_and_exit_code_is_1(checklist_run):
    outcome, results, reports = checklist_run
    assert outcome.exit_code == 1
    assert (reports / "index.html").exists()
    for name in results:
        assert (reports / name / "report.html").stat().st_size > 10_000
    board = (reports / "index.html").read_text(encoding="utf-8")
    assert board.count('data-verdict="fail"') == 3 and board.count('data-verdict="incomplete"') == 2


def test_checks_measured_elsewhere_are_skipped_naming_their_command(checklist_run):
    _, results, _ = checklist_run
    record = next(r for r in results["ref-nginx"]["checks"] if r["id"] == "monitor.availability")
    assert record["status"] == "skipped"
    assert "prepcheck monitor" in record["message"]
    assert record["command"].startswith("prepcheck monitor --config ARCHIVO --difusor ref-nginx")


def test_cli_run_exit_code_0_when_all_pass(checklist_run, tmp_path, capsys):
    # Re-using the e2e config with only the (stopped) unreachable difusor shows exit 1;
    # a config error shows exit 2; the passing path is covered by the demo test.
    _, _, reports = checklist_run
    config = reports.parent / "prepcheck.toml"
    code = main(
        ["run", "--config", str(config), "--out", str(tmp_path), "--difusor", "apagado", "--quiet"]
    )
    assert code == 1
    assert (tmp_path / "apagado" / "results.json").exists()
    assert main(["run", "--config", str(config), "--difusor", "nadie", "--out", str(tmp_path)]) == 2
    assert "nadie" in capsys.readouterr().err


def test_rerun_keeps_measurements_made_by_other_commands(checklist_run, tmp_path):
    from prepcheck.results import Subject, new_document, outcome, write_document

    _, _, reports = checklist_run
    config = reports.parent / "prepcheck.toml"
    earlier = [outcome("load.capacity", True, "medido antes", p95_ms=12)]
    path = tmp_path / "apagado" / "results.json"
    subject = Subject("apagado", "apagado", "https://127.0.0.1:1/", "e", "-05:00")
    before = new_document(subject, earlier, started_at="2026-11-01T00:00:00+00:00")
    write_document(before, path)
    run_checklist(config, tmp_path, ["apagado"])
    document = json.loads(path.read_text(encoding="utf-8"))
    records = {r["id"]: r for r in document["checks"]}
    assert records["load.capacity"]["status"] == "pass"
    assert records["load.capacity"]["evidence"]["p95_ms"] == 12
    measured = next(r for r in before["checks"] if r["id"] == "load.capacity")["measured_at"]
    assert records["load.capacity"]["measured_at"] == measured
    assert document["previous"]["statuses"]["load.capacity"] == "pass"
    assert records["load.spike"]["status"] == "skipped"
    assert "prepcheck load" in records["load.spike"]["message"]
    assert "prepcheck monitor" in records["monitor.availability"]["message"]
