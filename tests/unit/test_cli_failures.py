"""Failures no check foresaw end with one Spanish line and exit 2, never a traceback: a folder
that cannot be written, a full disk, a damaged SQLite file."""

from __future__ import annotations

import argparse
import errno
import sqlite3

import pytest

from prepcheck.cli import entry
from prepcheck.cli.entry import main


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
