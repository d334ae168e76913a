"""The campaign history: schema migrations, what ``outputs.land`` records, failing-since,
retention and ``prepcheck history``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from prepcheck.campaign import history
from prepcheck.campaign.changes import FIXED, NEW_FAILURE, STILL_FAILING, change_label
from prepcheck.campaign.db import MIGRATIONS, SCHEMA_VERSION, CampaignDBError, connect
from prepcheck.cli import main
from prepcheck.config.settings.campaign import CampaignSettings
from prepcheck.outputs import land
from prepcheck.results import Subject, error, new_document, outcome, skipped

SUBJECT = Subject("uv", "Universidad Veracruzana", "https://x/", "Simulacro", "-06:00")


def land_run(out: Path, *results, command: str = "run", **kwargs) -> None:
    """What ``outputs.land`` records, without rendering reports (fast): see the land test."""
    started = datetime.now(UTC).isoformat()
    document = new_document(SUBJECT, list(results), started_at=started)
    campaign = kwargs.get("campaign")
    ids = [r.id for r in results]
    history.record_landing(out, campaign, document, ids, command=command, started_at=started)


def test_outputs_land_records_in_the_campaign_history(tmp_path: Path) -> None:
    out = tmp_path / "out"
    started = datetime.now(UTC).isoformat()
    not_measured = skipped("sftp.reachable", "no configurado")  # no measured_at
    land(
        out,
        SUBJECT,
        [outcome("site.reachable", False, "caído"), not_measured],
        started_at=started,
        command="selftest",
    )
    [run] = history.runs(out / "historial.sqlite", "uv")
    assert (run.command, run.started_at, run.verdict) == ("selftest", started, "fail")
    assert [(m.check_id, m.status, m.message) for m in run.measurements] == [
        ("sftp.reachable", "skipped", "no configurado"),
        ("site.reachable", "fail", "caído"),
    ]


def test_a_results_file_it_cannot_read_is_set_aside_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "uv").mkdir(parents=True)
    newer = b'{"schema_version": 3, "checks": [], "written_by": "a newer prepcheck"}'
    (out / "uv" / "results.json").write_bytes(newer)
    land(out, SUBJECT, [outcome("site.reachable", True, "ok")], started_at=datetime.now(UTC)
         .isoformat(), command="selftest")  # fmt: skip
    [kept] = (out / "uv").glob("results.json.ilegible-*")
    assert kept.read_bytes() == newer
    assert "versión de formato 3" in capsys.readouterr().err
    assert (out / "uv" / "report.html").exists()  # the new results landed beside it


def test_change_labels() -> None:
    assert change_label(None, "fail") is None
    assert change_label("pass", "fail") == NEW_FAILURE
    assert change_label("skipped", "error") == NEW_FAILURE
    assert change_label("fail", "pass") == FIXED
    assert change_label("error", "not_applicable") == FIXED
    assert change_label("fail", "warn") == STILL_FAILING
    assert change_label("fail", "skipped") is None  # not measured is not fixed
    assert change_label("pass", "pass") is None


def test_a_version_1_database_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "historial.sqlite"
    with sqlite3.connect(path) as old:
        for statement in MIGRATIONS[0]:
            old.execute(statement)
        old.execute(
            "INSERT INTO runs VALUES (1, 'uv', 'run', 'a', '2026-01-01T00:00:00+00:00',"
            " 1767225600, 'fail')"
        )
        old.execute("INSERT INTO results VALUES (1, 'site.reachable', 'fail', 'caído', 'a')")
        old.execute("PRAGMA user_version = 1")
    connection = connect(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT election FROM runs").fetchall() == [("",)]
        assert connection.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0
    finally:
        connection.close()
    assert history.failing_since(path, "uv") == {"site.reachable": "a"}


def test_a_newer_or_foreign_database_is_refused_in_spanish(tmp_path: Path) -> None:
    newer = tmp_path / "nuevo.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(CampaignDBError, match="más nuevo que esta versión"):
        connect(newer)
    junk = tmp_path / "basura.sqlite"
    junk.write_bytes(b"esto no es sqlite" * 100)
    with pytest.raises(CampaignDBError, match="no es una base de datos"):
        connect(junk)


def test_a_failed_migration_leaves_the_previous_version(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as old:
        for statement in MIGRATIONS[0]:
            old.execute(statement)
        old.execute("PRAGMA user_version = 1")
    broken = (MIGRATIONS[0], (*MIGRATIONS[1][:2], "CREATE TABLE roto (x"))
    monkeypatch.setattr("prepcheck.campaign.db.MIGRATIONS", broken)
    with pytest.raises(CampaignDBError):
        connect(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = [row[1] for row in db.execute("PRAGMA table_info(runs)")]
        assert "election" not in columns  # the whole step rolled back


def test_land_records_each_command_and_failing_since_follows_streaks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    db = out / "historial.sqlite"
    land_run(out, outcome("site.reachable", True, "ok"), outcome("headers.hsts", True, "ok"))
    land_run(out, outcome("site.reachable", False, "caído"), outcome("headers.hsts", True, "ok"))
    land_run(out, outcome("monitor.availability", True, "99.95 %"), command="monitor")
    land_run(out, error("site.reachable", "sin red"), outcome("headers.hsts", False, "sin HSTS"))
    runs = history.runs(db, "uv")
    assert [r.command for r in runs] == ["run", "run", "monitor", "run"]
    assert [m.check_id for m in runs[2].measurements] == ["monitor.availability"]
    assert runs[1].measurements[1].message == "caído" and runs[1].verdict == "fail"
    series = history.series(db, "uv")
    since = history.failing_since(db, "uv")
    assert since == {
        "site.reachable": series["site.reachable"][1].measured_at,  # failing since run 2
        "headers.hsts": series["headers.hsts"][2].measured_at,
    }
    labels = {c.check_id: c.label for c in history.latest_changes(db, "uv")}
    assert labels == {"site.reachable": STILL_FAILING, "headers.hsts": NEW_FAILURE}
    land_run(out, outcome("site.reachable", True, "ok"), outcome("headers.hsts", True, "ok"))
    assert history.failing_since(db, "uv") == {}
    assert {c.label for c in history.latest_changes(db, "uv")} == {FIXED}


def test_history_db_and_retention_come_from_the_campaign_settings(tmp_path: Path) -> None:
    db = tmp_path / "otra" / "campana.sqlite"
    settings = CampaignSettings(history_db=db, retention_days=30)
    land_run(tmp_path / "out", outcome("site.reachable", True, "ok"), campaign=settings)
    assert not (tmp_path / "out" / "historial.sqlite").exists()
    assert len(history.runs(db, "uv")) == 1
    old = (datetime.now(UTC) - timedelta(days=31)).timestamp()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE runs SET ts = ?", (old,))
    land_run(tmp_path / "out", outcome("site.reachable", False, "caído"), campaign=settings)
    runs = history.runs(db, "uv")
    assert len(runs) == 1 and runs[0].measurements[0].status == "fail"
    with sqlite3.connect(db) as raw:  # the pruned run's results went with it
        assert raw.execute("SELECT count(*) FROM results").fetchone()[0] == 1


def test_an_unwritable_history_warns_and_keeps_the_results(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "archivo"
    blocker.write_text("no soy carpeta")
    settings = CampaignSettings(history_db=blocker / "h.sqlite")
    started = datetime.now(UTC).isoformat()
    land(
        tmp_path / "out",
        SUBJECT,
        [outcome("site.reachable", True, "ok")],
        started_at=started,
        command="run",
        campaign=settings,
    )
    assert (tmp_path / "out" / "uv" / "results.json").exists()
    assert "no se registró el historial" in capsys.readouterr().err


def test_history_command_prints_the_trend_in_spanish(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    land_run(out, outcome("integrity.files-identical", True, "idénticos"))
    land_run(out, outcome("integrity.files-identical", False, "1 archivo difiere"))
    land_run(out, outcome("integrity.files-identical", True, "idénticos"))
    land_run(out, outcome("headers.hsts", False, "sin HSTS"))
    assert main(["history", "--out", str(out), "--difusor", "uv"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].startswith("Historial de uv (4 ejecuciones")
    assert "nuevo fallo: integrity.files-identical" in lines[2]
    assert "corregido: integrity.files-identical" in lines[3]
    assert "revisión" in lines[1] and "NO CUMPLE" in lines[2]
    assert "Fallando ahora:" in text and "headers.hsts desde" in text
    assert main(["history", "--out", str(out), "--difusor", "nadie"]) == 2
    assert "no tiene al difusor 'nadie'" in capsys.readouterr().err
    assert main(["history", "--out", str(tmp_path / "vacío")]) == 2
    assert "no existe el historial" in capsys.readouterr().err
