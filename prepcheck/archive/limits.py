"""The resource limits of a package and the two places they are enforced.

Contract:

* :class:`Limits` holds the caps; :class:`Ledger` is the bookkeeping of one pass over a
  package: it admits each entry (count, UTF-8 name, normalized path, declared size, duplicates,
  case-insensitive collisions, file/directory clashes) and counts the bytes actually read
  against the package totals and the compression-bomb ratio.
* :class:`EntryStream` hands out one entry's bytes and counts them again while streaming, so a
  lying header cannot get past the limits.
* Every violation raises :class:`PackageError` naming the package and the entry, in Spanish;
  :func:`damaged` says in Spanish what a reader's exception means (its own text is English and
  stays out of the message, chained as the cause).
"""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import Protocol

from prepcheck.archive.format import normalize
from prepcheck.errors import PackageError

MiB = 1024 * 1024
GiB = 1024 * MiB
CHUNK = 256 * 1024
# Ratios of small entries say nothing about bombs (a short run of '-' compresses 1000:1).
RATIO_FLOOR = 1 * MiB
CORRUPT = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError, ValueError)
#: Said after a rejected entry kind (link, device): what a package may hold instead.
ONLY_FILES = "un paquete solo puede contener archivos y carpetas normales"


def damaged(what: str, exc: BaseException) -> str:
    """``what`` (e.g. «el zip») is unreadable, and why, in plain Spanish (not ``exc``'s text).

    ``exc`` is one of ``CORRUPT`` or a ``NotImplementedError`` (unsupported compression).
    """
    text = str(exc).lower()
    if isinstance(exc, NotImplementedError) or "compression method" in text:
        return f"{what} usa un método de compresión no admitido"
    cause = ""
    if "crc" in text:
        cause = "la comprobación CRC falla"
    elif isinstance(exc, EOFError) or "ended before" in text or "unexpected end" in text:
        cause = "los datos se cortan antes del final"
    elif "not a zip file" in text:
        cause = "falta el índice con que termina todo zip"
    elif isinstance(exc, tarfile.TarError) or "checksum" in text or "header" in text:
        cause = "un encabezado interno está dañado"
    return f"{what} está incompleto o dañado" + (f": {cause}" if cause else "")


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to every package (declared sizes and bytes actually read)."""

    max_entries: int = 200_000
    max_entry_bytes: int = 512 * MiB
    max_total_bytes: int = 8 * GiB
    max_ratio: float = 200.0
    max_nesting: int = 1


@dataclass(frozen=True)
class Entry:
    """One regular file of a package: normalized ``/``-separated relative path and size."""

    path: str
    size: int


class Readable(Protocol):
    """Anything with ``read(size)`` returning bytes (a zip entry, a tar member, a gzip)."""

    def read(self, size: int = ..., /) -> bytes: ...


class Ledger:
    """Per-pass bookkeeping: entry count, byte totals and the names seen so far."""

    def __init__(self, limits: Limits, package: str, archive_size: int) -> None:
        self.limits = limits
        self.package = package
        self.archive_size = max(archive_size, 1)
        self.entries = 0
        self.declared = 0
        self.actual = 0
        self._explicit: set[str] = set()
        self._kinds: dict[str, tuple[str, str]] = {}  # casefolded -> (spelling, kind)

    def fail(self, message: str, entry: str) -> PackageError:
        return PackageError(message, package=self.package, entry=entry)

    def count_entry(self, entry: str) -> None:
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise self.fail(
                f"el paquete contiene más de {self.limits.max_entries} archivos y carpetas", entry
            )

    def admit(self, raw: str, *, is_dir: bool, declared: int, entry: str) -> str:
        """Check one entry's name and declared size; return its normalized path."""
        self.count_entry(entry)
        if not _is_utf8(raw):
            raise self.fail("el nombre no es UTF-8 válido", entry)
        path = normalize(raw, package=self.package, entry=entry)
        if not is_dir:
            self._declare(declared, entry)
        if path:
            self._register(path, is_dir=is_dir, entry=entry)
        return path

    def _declare(self, size: int, entry: str) -> None:
        if size > self.limits.max_entry_bytes:
            raise self.fail(
                f"su tamaño declarado, {size} bytes, supera el límite por archivo de "
                f"{self.limits.max_entry_bytes} bytes",
                entry,
            )
        self.declared += size
        self._check_total(self.declared, entry, "declarado")

    def consume(self, size: int, entry: str) -> None:
        """Count bytes actually read from any entry."""
        self.actual += size
        self._check_total(self.actual, entry, "real")

    def _check_total(self, total: int, entry: str, what: str) -> None:
        if total > self.limits.max_total_bytes:
            raise self.fail(
                f"el tamaño total {what}, {total} bytes, supera el límite del paquete de "
                f"{self.limits.max_total_bytes} bytes",
                entry,
            )
        ratio = total / self.archive_size
        if total > RATIO_FLOOR and ratio > self.limits.max_ratio:
            raise self.fail(
                f"el paquete crece {ratio:.0f} veces al descomprimirse "
                f"(límite {self.limits.max_ratio:g}): es una bomba de compresión",
                entry,
            )

    def _register(self, path: str, *, is_dir: bool, entry: str) -> None:
        if path in self._explicit:
            raise self.fail(f"ruta repetida: «{path}» aparece más de una vez", entry)
        self._explicit.add(path)
        parts = path.split("/")
        for depth in range(1, len(parts)):
            self._claim("/".join(parts[:depth]), "dir", entry)
        self._claim(path, "dir" if is_dir else "file", entry)

    def _claim(self, path: str, kind: str, entry: str) -> None:
        spelling, seen_kind = self._kinds.setdefault(path.casefold(), (path, kind))
        if spelling != path:
            raise self.fail(
                f"«{path}» choca con «{spelling}»: solo difieren en mayúsculas y minúsculas", entry
            )
        if seen_kind != kind:
            raise self.fail(f"«{path}» aparece a la vez como archivo y como carpeta", entry)


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class EntryStream:
    """Read-only stream over one entry; enforces the limits on the bytes actually read.

    ``read(n)`` raises :class:`PackageError` (naming the entry) when the data is corrupt or
    truncated, longer or shorter than declared, over a size limit, or a compression bomb.
    """

    def __init__(
        self,
        raw: Readable,
        *,
        entry: str,
        declared: int,
        compressed: int | None,
        ledger: Ledger | None,
        limits: Limits,
        package: str,
    ) -> None:
        self._raw = raw
        self._entry = entry
        self._declared = declared
        self._compressed = compressed
        self._ledger = ledger
        self._limits = limits
        self._package = package
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        closer = getattr(self._raw, "close", None)
        if closer is not None:
            closer()

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(CHUNK), b""))
        try:
            data = self._raw.read(size)
        except CORRUPT as exc:
            raise self._fail(damaged("el archivo", exc)) from exc
        if data:
            self._count(len(data))
        elif size and self.bytes_read < self._declared:
            raise self._fail(
                f"el archivo termina tras {self.bytes_read} bytes, pero su encabezado declara "
                f"{self._declared}"
            )
        return data

    def _fail(self, message: str) -> PackageError:
        return PackageError(message, package=self._package, entry=self._entry)

    def _count(self, size: int) -> None:
        self.bytes_read += size
        if self.bytes_read > self._declared:
            raise self._fail(
                f"el archivo trae más bytes de los que declara su encabezado ({self._declared})"
            )
        if self.bytes_read > self._limits.max_entry_bytes:
            raise self._fail(
                f"supera el límite por archivo de {self._limits.max_entry_bytes} bytes"
            )
        if self._ledger is not None:
            self._ledger.consume(size, self._entry)
        if self._compressed is not None and self.bytes_read > RATIO_FLOOR:
            ratio = self.bytes_read / max(self._compressed, 1)
            if ratio > self._limits.max_ratio:
                raise self._fail(
                    f"se comprime {ratio:.0f} a 1, más que el límite de "
                    f"{self._limits.max_ratio:g} a 1: es una bomba de compresión"
                )
