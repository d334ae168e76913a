"""End to end: reference difusores with a real sshd, a real watcher and nginx; one checklist run.

Entries: ``sftp-ok`` (sshd + ``prepcheck ingest --watch``), ``sin-escritura`` (read-only
upload folder), ``sin-vigilante`` (uploads never published, short deadline), ``ingenuo`` (a
naive procedure that publishes whatever arrives, without checking the digest) and
``credencial-erronea`` (the first difusor with a key it does not accept and a password: secrets
must never reach a report or the log).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import asyncssh
import pytest

from prepcheck.checklist.options import Options
from prepcheck.checklist.runner import run_checklist
from prepcheck.checks.sftp import NOT_AUTHORIZED
from prepcheck.demo.simulacro import CENTRE_TIME, sftp_table, write_config
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.process import ManagedProcess
from prepcheck.sample import build_package

pytestmark = pytest.mark.slow

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)
PASSWORD = "Contrasena-E2E-9xQ!"
PASSPHRASE = "Frase-E2E-4kW?"
MIN_MB_PER_S = 1.0
THROUGHPUT_BYTES = 32 * 1024 * 1024

# Publishes every zip that has a sidecar, trusting the archive itself for the digest.
NAIVE_WATCHER = """
import sys, time
from pathlib import Path
from prepcheck.archive.digest import file_digest
from prepcheck.ingest import ingest
upload, root, history = map(Path, sys.argv[1:4])
print("ingenuo vigilando", flush=True)
for _ in range(600):
    for archive in sorted(upload.glob("*.zip")):
        sidecar = archive.with_name(archive.name + ".sha256")
        if sidecar.exists():
            time.sleep(0.3)
            ingest(archive, expected_digest=file_digest(archive), root=root, history=history)
            archive.unlink()
            sidecar.unlink()
    time.sleep(0.2)
"""


def naive_watcher(difusor: ReferenceDifusor, folder: Path) -> ManagedProcess:
    script = folder / "ingenuo.py"
    script.write_text(NAIVE_WATCHER, encoding="utf-8")
    argv = [sys.executable, str(script), str(difusor.upload_dir), str(difusor.published)]
    argv.append(str(difusor.history))
    return ManagedProcess(argv, output=folder / "ingenuo.log", cwd=folder)


def wrong_key(path: Path) -> Path:
    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(str(path), format_name="pkcs8-pem", passphrase=PASSPHRASE)
    return path


@pytest.fixture(scope="module")
def sftp_run(tmp_path_factory):
    """Start four difusores (+ a naive watcher), run the checklist once, stop everything."""
    base = tmp_path_factory.mktemp("e2e-sftp")
    built = build_package(CORTE, base / "packages", utc_offset=CENTRE_TIME)
    specs = {
        "sftp-ok": {"sftp": True},
        "sin-escritura": {"sftp": True, "sftp_read_only": True, "sftp_watcher": False},
        "sin-vigilante": {"sftp": True, "sftp_watcher": False},
        "ingenuo": {"sftp": True, "sftp_watcher": False},
    }
    difusores: dict[str, ReferenceDifusor] = {}
    naive = None
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PREPCHECK_E2E_SFTP_PASSWORD", PASSWORD)
        env.setenv("PREPCHECK_E2E_SFTP_PASSPHRASE", PASSPHRASE)
        try:
            for name, options in specs.items():
                difusor = ReferenceDifusor(base / name, **options)
                difusor.publish(built.archive, built.digest_file)
                difusor.start()
                difusores[name] = difusor
            naive = naive_watcher(difusores["ingenuo"], base)
            naive.start()
            config = write_config(
                base / "prepcheck.toml",
                built.archive,
                entries(difusores),
                render_pages=["#/"],
                sftp_tables=tables(difusores, wrong_key(base / "otra_llave.pem")),
            )
            # The ids the tests read: the browser and TLS suites are other files' subject.
            checks = ("site.", "integrity.", "freshness.corte-current", "sftp.", "ingest.")
            outcome = run_checklist(config, base / "reports", options=Options(checks=checks))
        finally:
            if naive is not None:
                naive.stop()
            for difusor in difusores.values():
                difusor.stop()
    results = {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in outcome.results}
    yield results, base / "reports", difusores


def entries(difusores: dict[str, ReferenceDifusor]) -> list[tuple[str, str, Path]]:
    """One config entry per difusor, plus the first difusor again with refused credentials."""
    listed = [(name, d.base_url, d.ca_file) for name, d in difusores.items()]
    first = difusores["sftp-ok"]
    return [*listed, ("credencial-erronea", first.base_url, first.ca_file)]


def tables(difusores: dict[str, ReferenceDifusor], other_key: Path) -> dict[str, str]:
    # The threshold is lowered to 1 MB/s here: whether a busy, shared machine moves 40 MB/s is
    # a benchmark's question; this test checks the measurement and the verdict's wiring (the
    # threshold rule itself is unit-tested at 40 MB/s).
    common = {"throughput_bytes": THROUGHPUT_BYTES, "min_mb_per_s": MIN_MB_PER_S}
    return {
        "sftp-ok": sftp_table(
            difusores["sftp-ok"], rehearsal_uploads=True, publish_deadline_seconds=30, **common
        ),
        "sin-escritura": sftp_table(difusores["sin-escritura"], **common),
        "sin-vigilante": sftp_table(
            difusores["sin-vigilante"], rehearsal_uploads=True, publish_deadline_seconds=5, **common
        ),
        "ingenuo": sftp_table(
            difusores["ingenuo"], rehearsal_uploads=True, publish_deadline_seconds=30, **common
        ),
        "credencial-erronea": sftp_table(
            difusores["sftp-ok"],
            key_file=other_key,
            key_passphrase_env="PREPCHECK_E2E_SFTP_PASSPHRASE",
            password_env="PREPCHECK_E2E_SFTP_PASSWORD",
            known_hosts=None,
            **common,
        ),
    }


def record(results: dict, difusor: str, check_id: str) -> dict:
    return next(r for r in results[difusor]["checks"] if r["id"] == check_id)


def statuses(results: dict, difusor: str) -> dict[str, str]:
    return {
        r["id"]: r["status"]
        for r in results[difusor]["checks"]
        if r["id"].startswith(("sftp.", "ingest."))
    }


def test_reference_with_sftp_and_watcher_passes_all_four(sftp_run):
    results, _, difusores = sftp_run
    assert statuses(results, "sftp-ok") == {
        "sftp.reachable": "pass",
        "sftp.throughput": "pass",
        "ingest.valid-package-published": "pass",
        "ingest.corrupt-package-rejected": "pass",
    }
    quarantine = difusores["sftp-ok"].workdir / "sftp" / "quarantine"
    assert any(p.name.endswith(".reason.txt") for p in quarantine.iterdir())
    assert list(difusores["sftp-ok"].upload_dir.iterdir()) == []


def test_checks_before_the_rehearsal_saw_the_official_corte(sftp_run):
    results, _, _ = sftp_run
    for check_id in ("freshness.corte-current", "integrity.files-identical", "site.public-folder"):
        assert record(results, "sftp-ok", check_id)["status"] == "pass", check_id


def test_throughput_is_measured_and_judged_against_the_configured_minimum(sftp_run):
    # The threshold logic is unit-tested; here the measurement must be real and consistent.
    results, _, _ = sftp_run
    evidence = record(results, "sftp-ok", "sftp.throughput")["evidence"]
    assert evidence["bytes"] == THROUGHPUT_BYTES and evidence["segundos_de_carga"] > 0
    assert evidence["mb_por_segundo"] == pytest.approx(
        THROUGHPUT_BYTES / 1e6 / evidence["segundos_de_carga"], rel=0.01
    )
    assert evidence["minimo_mb_por_segundo"] == MIN_MB_PER_S


def test_read_only_upload_folder_fails_reachable(sftp_run):
    results, _, _ = sftp_run
    found = statuses(results, "sin-escritura")
    assert found["sftp.reachable"] == "fail"
    assert record(results, "sin-escritura", "sftp.reachable")["evidence"]["resultado"] == (
        "write-refused"
    )
    assert found["sftp.throughput"] == "error"
    reason = record(results, "sin-escritura", "ingest.valid-package-published")["message"]
    assert reason == NOT_AUTHORIZED


def test_without_a_watcher_nothing_is_published_within_the_deadline(sftp_run):
    results, _, difusores = sftp_run
    valid = record(results, "sin-vigilante", "ingest.valid-package-published")
    assert valid["status"] == "fail" and valid["evidence"]["resultado"] == "not-published"
    left = ["20210606_2116_PREP_VER.zip", "20210606_2116_PREP_VER.zip.sha256"]
    assert valid["evidence"]["limpieza"] == {"presentes": left}
    corrupt = record(results, "sin-vigilante", "ingest.corrupt-package-rejected")
    assert corrupt["status"] == "error" and "No concluyente" in corrupt["message"]
    assert list(difusores["sin-vigilante"].upload_dir.iterdir()) == []


def test_a_procedure_that_does_not_verify_publishes_the_corrupt_package(sftp_run):
    results, _, _ = sftp_run
    assert record(results, "ingenuo", "ingest.valid-package-published")["status"] == "pass"
    corrupt = record(results, "ingenuo", "ingest.corrupt-package-rejected")
    assert corrupt["status"] == "fail"
    assert corrupt["evidence"]["resultado"] == "corrupt-published"


def test_refused_credentials_fail_clearly_and_no_secret_is_written(sftp_run):
    results, reports, _ = sftp_run
    reachable = record(results, "credencial-erronea", "sftp.reachable")
    assert reachable["status"] == "fail"
    assert reachable["evidence"]["resultado"] == "login-refused"
    assert "rechazó las credenciales" in reachable["message"]
    assert reachable["evidence"]["credenciales_ofrecidas"] == ["llave", "contraseña"]
    assert "no verificada" in reachable["evidence"]["llave_del_servidor"]
    written = [p for p in reports.rglob("*") if p.is_file()]
    assert any(p.name == "checklist.log" for p in written)  # each session's own log
    assert any(p.name == "tecnico.html" for p in written)  # pytest-html, the technical report
    for path in written:
        data = path.read_bytes()
        assert PASSWORD.encode() not in data and PASSPHRASE.encode() not in data, path
