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
    assert "la huella sha256 no coincide" in capsys.readouterr().err


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


def _main_json(package: Path) -> dict:
    import json
    import zipfile

    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read("prepver2021/json/main.json"))


def test_build_stamps_the_offset_of_the_date(tmp_path, capsys):
    """A 2027 package is stamped −06:00 (no daylight saving time since 2022), a 2021 one −05:00."""
    for corte, offset in (("2021-06-06 21:15", "-05:00"), ("2027-06-06 21:15", "-06:00")):
        main_json = _main_json(build(tmp_path / corte[:4], corte))
        assert main_json["corte"] == corte.replace(" ", "T") + ":00" + offset
    assert "apertura de la elección 06/06/2027 19:00 (UTC-6)" in capsys.readouterr().out


def test_build_flags_win_over_the_defaults(tmp_path):
    out = tmp_path / "flags"
    args = ["package", "build", "--corte", "2027-06-06 21:15", "--out", str(out)]
    flags = ["--utc-offset=-05:00", "--election-start", "2027-06-06 20:00"]
    assert main([*args, *flags]) == 0
    package = out / "20270606_2115_PREP_VER.zip"
    main_json = _main_json(package)
    assert main_json["corte"] == "2027-06-06T21:15:00-05:00"
    assert main_json["horaCorte"] == "06/06/2027 21:15 (UTC-5)"
    first = package.read_bytes()
    assert main([*args, *flags]) == 0 and package.read_bytes() == first  # same flags, same bytes
    assert main([*args, "--utc-offset=-05:00"]) == 0  # opening at 19:00: more actas counted
    assert package.read_bytes() != first


def test_build_refuses_a_corte_before_the_opening(tmp_path, capsys):
    out = tmp_path / "early"
    code = main(
        ["package", "build", "--corte", "2027-06-06 18:30", "--out", str(out),
         "--election-start", "2027-06-06 19:00"]
    )  # fmt: skip
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "anterior a la apertura de la elección (06/06/2027 19:00 (UTC-6))" in err


def test_build_names_the_option_it_cannot_read(tmp_path, capsys):
    base = ["package", "build", "--out", str(tmp_path / "bad")]
    assert main([*base, "--corte", "mañana"]) == 2
    assert "--corte: se esperaba una fecha y hora" in capsys.readouterr().err
    assert main([*base, "--corte", "2027-06-06 21:15", "--utc-offset=-6 horas"]) == 2
    assert "--utc-offset: se esperaba un desfase como -06:00" in capsys.readouterr().err
    assert main([*base, "--corte", "2027-06-06 21:15", "--election-start", "19h"]) == 2
    assert "--election-start: se esperaba" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
