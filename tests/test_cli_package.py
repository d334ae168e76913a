"""The package and ingest commands, end to end through the CLI entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

from prepcheck.cli import main


def build(tmp_path: Path, corte: str, fmt: str = "zip") -> Path:
    out = tmp_path / "packages"
    assert main(["package", "build", "--corte", corte, "--out", str(out), "--format", fmt]) == 0
    stamp = corte.replace("-", "").replace(" ", "_").replace(":", "")
    return out / f"{stamp}_PREP_VER.{fmt}"


def test_build_is_deterministic_and_verifies(tmp_path, capsys):
    first = build(tmp_path / "a", "2021-06-06 21:15")
    second = build(tmp_path / "b", "2021-06-06 21:15")
    assert first.read_bytes() == second.read_bytes()
    capsys.readouterr()
    assert main(["package", "verify", str(first)]) == 0
    out = capsys.readouterr().out
    assert "íntegro y seguro" in out and "corte 06/06/2021 21:15" in out


def test_verify_rejects_a_changed_package_naming_it(tmp_path, capsys):
    package = build(tmp_path, "2021-06-06 21:15", fmt="tar.gz")
    with package.open("ab") as handle:
        handle.write(b"\0")
    assert main(["package", "verify", str(package)]) == 1
    assert "sha256 mismatch" in capsys.readouterr().err


def test_ingest_publish_repeat_reject_and_older(tmp_path, capsys):
    root, history = tmp_path / "site", tmp_path / "history"
    newer = build(tmp_path, "2021-06-06 21:30")
    older = build(tmp_path, "2021-06-06 21:15")
    common = ["--root", str(root), "--history", str(history)]
    assert main(["ingest", str(newer), *common]) == 0
    assert main(["ingest", str(newer), *common]) == 0
    assert "ya estaba publicado" in capsys.readouterr().out
    assert main(["ingest", str(older), *common]) == 1
    assert "rechazado" in capsys.readouterr().out
    assert (root / "current" / "prepver2021" / "json" / "main.json").is_file()
    assert main(["ingest", str(older), *common, "--force"]) == 0


def test_watch_takes_complete_uploads_and_quarantines_bad_ones(tmp_path, capsys):
    upload, quarantine = tmp_path / "upload", tmp_path / "quarantine"
    upload.mkdir()
    good = build(tmp_path, "2021-06-06 21:15")
    for path in (good, good.with_name(good.name + ".sha256")):
        shutil.copy(path, upload / path.name)
    bad = build(tmp_path / "bad", "2021-06-06 21:30")
    shutil.copy(bad.with_name(bad.name + ".sha256"), upload / (bad.name + ".sha256"))
    (upload / bad.name).write_bytes(bad.read_bytes()[:-10])  # truncated upload, wrong digest
    code = main(
        [
            "ingest",
            "--watch",
            str(upload),
            "--root",
            str(tmp_path / "site"),
            "--history",
            str(tmp_path / "history"),
            "--quarantine",
            str(quarantine),
            "--poll",
            "0.5",
            "--max-iterations",
            "8",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "publicado: corte 20210606_2115" in out and "rechazado" in out
    assert (quarantine / bad.name).exists()


def test_ingest_usage_errors_exit_2(tmp_path, capsys):
    common = ["--root", str(tmp_path / "s"), "--history", str(tmp_path / "h")]
    assert main(["ingest", *common]) == 2
    assert main(["ingest", "--watch", str(tmp_path), *common]) == 2
    assert "--quarantine" in capsys.readouterr().err
