"""Reading a file a person named: a regular file only, and whole only under a size bound.

Contract: ``open_regular(path)`` opens ``path`` for binary reading without ever waiting (a
named pipe with no writer, a terminal) and raises ``NotRegularFile`` for anything but a
regular file: a pipe or device would keep the reader waiting, or feeding it, for ever.
``read_bounded(path, limit)`` returns the whole content of such a file, or raises
``FileTooLarge`` when it holds more than ``limit`` bytes, before reading them. Both raise
``OSError`` subclasses whose ``strerror`` is a Spanish phrase, so callers that already report
``exc.strerror`` need no change; a missing file stays ``FileNotFoundError``. ``why(exc)`` says
in Spanish what any ``OSError`` means (the system's own text is English).
``foreign_database(connection, path)`` says why a SQLite file another program made is not to be
used, so a database path given by mistake is refused before anything is written into it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path
from typing import BinaryIO

_REASONS = {
    errno.ENOENT: "no existe",
    errno.EACCES: "no hay permiso",
    errno.EPERM: "no hay permiso",
    errno.EISDIR: "es una carpeta, no un archivo",
    errno.ENOTDIR: "una parte de la ruta no es una carpeta",
    errno.ELOOP: "la ruta da vueltas entre enlaces simbólicos",
    errno.ENOSPC: "no queda espacio en el disco",
    errno.EDQUOT: "se agotó la cuota de disco",
    errno.EROFS: "el sistema de archivos es de solo lectura",
    errno.ENAMETOOLONG: "el nombre es demasiado largo",
    errno.EEXIST: "ya existe",
    errno.EBUSY: "está en uso",
    errno.EIO: "error de entrada/salida del disco",
}


def why(exc: OSError) -> str:
    """What ``exc`` means, in Spanish (ours carry it already; the system's are English)."""
    if isinstance(exc, NotRegularFile | FileTooLarge) and exc.strerror:
        return exc.strerror
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    name = errno.errorcode.get(exc.errno or 0)
    return f"error del sistema ({name})" if name else "error del sistema"


class NotRegularFile(OSError):
    """The path names a folder, a pipe or a device."""


class FileTooLarge(OSError):
    """The file holds more than the reader's bound."""


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for binary reading, when it is a regular file (see the module contract).

    O_NONBLOCK makes opening a named pipe return at once; it changes nothing for a regular file.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise NotRegularFile(errno.EISDIR, "es una carpeta, no un archivo", str(path))
        raise NotRegularFile(
            errno.EINVAL,
            "no es un archivo regular (es una tubería o un dispositivo) y no se lee",
            str(path),
        )
    os.set_blocking(descriptor, True)
    return open(descriptor, "rb")


def read_bounded(path: Path, limit: int) -> bytes:
    """The content of the regular file ``path``, at most ``limit`` bytes (module contract)."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        data = b"" if size > limit else handle.read(limit + 1)  # +1: a file that grew meanwhile
    if size > limit or len(data) > limit:
        raise FileTooLarge(
            errno.EFBIG,
            f"es demasiado grande ({max(size, len(data)):,} bytes; el máximo es {limit:,})",
            str(path),
        )
    return data


def foreign_database(connection: sqlite3.Connection, path: Path) -> str | None:
    """Why the SQLite file at ``path`` is not to be used, when another program made it; None for
    a new file or one of ours (prepcheck stamps ``user_version`` on every database it creates,
    so tables under version 0 are someone else's). Reads only: call it before any PRAGMA
    that writes."""
    if connection.execute("PRAGMA user_version").fetchone()[0] != 0:
        return None
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
    tables = [row[0] for row in rows]
    if not tables:
        return None
    shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
    return (
        f"{path}: es una base de datos SQLite de otro programa (tablas: {shown}); prepcheck no "
        "la modifica: indique otro archivo"
    )
