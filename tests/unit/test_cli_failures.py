"""Failures no check foresaw end with one Spanish line and exit 2, never a traceback: a folder
that cannot be written, a full disk, a damaged SQLite file."""

from __future__ import annotations

import argparse
import errno
import sqlite3
from contextlib import closing

import pytest
from configs import MINIMAL_CONFIG

from prepcheck.cli import entry
from prepcheck.cli.entry import main
from prepcheck.results import Subject, new_document, outcome, write_document


def _parser_raising(exc: BaseException) -> argparse.ArgumentParser:
    def handler(_args: argparse.Namespace) -> int:
        raise exc

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler)
    return parser


@pytest.mark.parametrize(
    ("raised", "says"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/srv/informes/uv"),
         "prepcheck: /srv/informes/uv: no hay permiso"),
        (OSError(errno.ENOSPC, "No space left on device", "/srv/informes/uv/report.html"),
         "prepcheck: /srv/informes/uv/report.html: no queda espacio en el disco"),
        (OSError(errno.EROFS, "Read-only file system", "/mnt/a", None, "/mnt/b"),
         "prepcheck: /mnt/a → /mnt/b: el sistema de archivos es de solo lectura"),
        (OSError(errno.ENOTRECOVERABLE, "State not recoverable"),
         "prepcheck: error del sistema (ENOTRECOVERABLE)"),
        (sqlite3.OperationalError("unable to open database file"),
         "prepcheck: base de datos SQLite: no se pudo abrir el archivo"),
        (sqlite3.DatabaseError("database disk image is malformed"),
         "prepcheck: base de datos SQLite: el archivo está dañado"),
    ],
)  # fmt: skip
def test_unforeseen_file_failures_are_one_spanish_line(monkeypatch, capsys, raised, says):
    monkeypatch.setattr(entry, "build_parser", lambda: _parser_raising(raised))
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith(says), err
    assert "Traceback" not in err and "denied" not in err and "malformed" not in err


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path, capsys):
    """history and monitor --report-only once added their tables and WAL mode to any file."""
    foreign = tmp_path / "clientes.sqlite"
    with closing(sqlite3.connect(foreign)) as connection, connection:
        connection.execute("CREATE TABLE clientes (id INTEGER)")
    before = foreign.read_bytes()
    config = tmp_path / "prepcheck.toml"
    config.write_text(MINIMAL_CONFIG, encoding="utf-8")
    for argv in (["history", "--db", str(foreign)],
                 ["monitor", "--config", str(config), "--report-only", "--db", str(foreign),
                  "--out", str(tmp_path / "out")]):  # fmt: skip
        assert main(argv) == 2, argv
        assert "es una base de datos SQLite de otro programa (tablas: clientes)" in (
            capsys.readouterr().err
        )
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clientes.sqlite", "prepcheck.toml"]


def test_a_configuration_nested_too_deep_or_a_symlink_loop_is_a_usage_error(tmp_path, capsys):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000, encoding="utf-8")
    loop = tmp_path / "loop1"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    for argv, says in [(["run", "--config", str(deep)], "anida demasiados niveles"),
                       (["schedule", "--config", str(loop)], "loop1")]:  # fmt: skip
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err and "Symlink" not in err, err


def test_render_board_of_a_folder_without_results_is_refused(tmp_path, capsys):
    subject = Subject("uv", "UV", "https://x/", "Simulacro", "-06:00")
    started = "2026-12-01T21:00:00+00:00"
    document = new_document(subject, [outcome("site.reachable", True, "ok")], started_at=started)
    path = write_document(document, tmp_path / "out" / "uv" / "results.json")
    empty = tmp_path / "otra"
    empty.mkdir()
    assert main(["render", str(path), "--board", str(empty)]) == 2
    assert "--board: " in capsys.readouterr().err and not list(empty.iterdir())
    assert not (path.parent / "report.html").exists()  # refused before writing anything
    assert main(["render", str(path), "--board", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "index.html").exists()
