"""Reading and validating difusion packages (zip, tar.gz, zip-of-zips) without trusting them.

Contract:

* The format is decided by magic bytes, never by extension: ``PK\\x03\\x04``/``PK\\x05\\x06``
  is zip, ``\\x1f\\x8b`` is a gzip-compressed tar. Anything else is rejected.
* A zip whose file entries are all ``*.zip`` is a *zip of zips* (INE 2024 style): the inner
  zips are expanded transparently and their entries merged at the package root. Expansion
  goes at most ``Limits.max_nesting`` levels deep; an archive found below that is rejected.
  A ``.zip`` inside an ordinary package is an ordinary file (e.g. a download link).
* Every entry name, type and size is checked before any of its bytes are handed out, and
  the bytes are counted again while streaming, so a lying header cannot get past the limits.
* Every violation raises :class:`PackageError` naming the package and the entry (inner
  entries are labelled ``inner.zip!path``) and saying in Spanish what is wrong.

The work is split by job: :mod:`~prepcheck.archive.format` (magic bytes, entry names,
corte), :mod:`~prepcheck.archive.limits` (limits ledger, counting stream),
:mod:`~prepcheck.archive.zip_reader` and :mod:`~prepcheck.archive.tar_reader` (the readers).
This module keeps the public surface: :func:`open_package`, :func:`validate` and the names
re-exported below.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prepcheck.archive.format import (
    corte_from_name,
    corte_id,
    detect_bytes,
    detect_format,
    label,
    normalize,
)
from prepcheck.archive.limits import (
    CHUNK,
    RATIO_FLOOR,
    Entry,
    EntryStream,
    GiB,
    Ledger,
    Limits,
    MiB,
)
from prepcheck.archive.tar_reader import tar_files
from prepcheck.archive.zip_reader import is_zip_of_zips, open_zip, zip_files
from prepcheck.errors import PackageError

_Ledger = Ledger  # the historical private name (tests drive the ledger directly)

__all__ = [
    "CHUNK",
    "RATIO_FLOOR",
    "Entry",
    "EntryStream",
    "GiB",
    "Limits",
    "MiB",
    "PackageReader",
    "PackageSummary",
    "corte_from_name",
    "corte_id",
    "detect_bytes",
    "detect_format",
    "label",
    "normalize",
    "open_package",
    "validate",
]


@dataclass(frozen=True)
class PackageSummary:
    """What :func:`validate` found: file count, total bytes and the corte named by the file."""

    files: int
    bytes: int
    corte_from_name: datetime | None
    format: str = ""


class PackageReader:
    """Lists and streams the regular files of one package (see the module contract).

    Each call to :meth:`iter_files` is an independent pass with fresh limit accounting.
    Directory entries are validated but not yielded.
    """

    def __init__(self, path: Path, limits: Limits, fmt: str) -> None:
        self.path = path
        self.limits = limits
        self.format = fmt

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def iter_files(self) -> Iterator[tuple[Entry, EntryStream]]:
        """Yield ``(entry, stream)`` per regular file; each stream is valid until the next."""
        ledger = Ledger(self.limits, self.path.name, self.path.stat().st_size)
        if self.format == "tar.gz":
            yield from tar_files(self.path, ledger)
        else:
            with open_zip(self.path, self.path.name) as zf:
                yield from zip_files(zf, ledger, prefix="", depth=0)

    def entries(self) -> list[Entry]:
        """All regular files (a tar.gz is decompressed once to list it)."""
        return [entry for entry, _ in self.iter_files()]


def open_package(path: Path | str, limits: Limits | None = None) -> PackageReader:
    """Open a package for reading; the format comes from its magic bytes.

    A zip's central directory is read here, so a truncated zip fails immediately.
    """
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise PackageError(
            "no se encontró el archivo del paquete, o no es un archivo normal", package=str(path)
        )
    fmt = detect_format(path)
    if fmt == "zip":
        with open_zip(path, path.name) as zf:
            fmt = "zip-of-zips" if is_zip_of_zips(zf) else "zip"
    return PackageReader(path, limits, fmt)


def validate(path: Path | str, limits: Limits | None = None) -> PackageSummary:
    """Read every entry to the end (checking CRCs and limits); return what was found."""
    reader = open_package(path, limits)
    files = total = 0
    for _entry, stream in reader.iter_files():
        while chunk := stream.read(CHUNK):
            total += len(chunk)
        files += 1
    if files == 0:
        raise PackageError("el paquete no contiene ningún archivo", package=reader.path.name)
    return PackageSummary(files, total, corte_from_name(reader.path.name), reader.format)
