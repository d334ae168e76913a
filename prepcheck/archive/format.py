"""What a package is, from its first bytes and its names: format detection and entry names.

Contract:

* The format is decided by magic bytes, never by extension: ``PK\\x03\\x04``/``PK\\x05\\x06``
  is zip, ``\\x1f\\x8b`` is a gzip-compressed tar; :func:`detect_format` rejects anything else
  with :class:`PackageError` (messages in Spanish), :func:`detect_bytes` answers None.
* :func:`normalize` returns the safe relative form of an entry name or raises naming the entry
  (NUL, backslash, absolute path, drive letter, ``..``); :func:`label` is for messages only.
* :func:`corte_id`/:func:`corte_from_name` read the corte from a ``YYYYMMDD_HHMM_PREP`` file
  name and never raise.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from prepcheck.errors import PackageError

_CORTE = re.compile(r"^(\d{8}_\d{4})_PREP")
_DRIVE = re.compile(r"^[A-Za-z]:")


def corte_id(name: str) -> str | None:
    """``"20210606_2100"`` for ``20210606_2100_PREP_VER.zip``; None when the name has none."""
    match = _CORTE.match(Path(name).name)
    if match is None:
        return None
    try:
        datetime.strptime(match[1], "%Y%m%d_%H%M")
    except ValueError:
        return None
    return match[1]


def corte_from_name(name: str) -> datetime | None:
    """The corte (local election time, naive) encoded in a package file name, if any."""
    found = corte_id(name)
    return datetime.strptime(found, "%Y%m%d_%H%M") if found else None


def detect_format(path: Path) -> str:
    """``"zip"`` or ``"tar.gz"`` from the magic bytes; PackageError for anything else."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if magic[:2] == b"\x1f\x8b":
        return "tar.gz"
    seen = f"sus primeros bytes son {magic.hex(' ')}" if magic else "está vacío"
    raise PackageError(
        f"el archivo no es zip ni tar.gz ({seen}): formato desconocido", package=path.name
    )


def label(raw: str) -> str:
    """A printable form of a raw entry name (undecodable bytes shown as ``\\xNN``)."""
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def normalize(raw: str, *, package: str, entry: str) -> str:
    """Return the safe relative form of an entry name, or raise naming the entry.

    ``.`` and empty components are dropped (``./a//b`` is ``a/b``); the root itself is ``""``.
    """
    problem = None
    if "\x00" in raw:
        problem = "el nombre contiene un byte nulo (NUL)"
    elif "\\" in raw:
        problem = "el nombre contiene una diagonal invertida «\\» (separador de rutas de Windows)"
    elif raw.startswith("/"):
        problem = "ruta absoluta (empieza con «/»): apunta fuera del paquete"
    elif _DRIVE.match(raw):
        problem = "ruta con letra de unidad (como «C:»): apunta fuera del paquete"
    elif ".." in raw.split("/"):
        problem = "la ruta intenta salir de la carpeta del paquete (contiene «..»)"
    if problem:
        raise PackageError(problem, package=package, entry=entry)
    return "/".join(part for part in raw.split("/") if part not in ("", "."))


def detect_bytes(magic: bytes) -> str | None:
    """The format named by leading bytes, or None."""
    if magic[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return "tar.gz" if magic[:2] == b"\x1f\x8b" else None
