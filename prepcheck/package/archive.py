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
  entries are labelled ``inner.zip!path``).
"""

from __future__ import annotations

import gzip
import re
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

from prepcheck.errors import PackageError

MiB = 1024 * 1024
GiB = 1024 * MiB
CHUNK = 256 * 1024
# Ratios of small entries say nothing about bombs (a short run of '-' compresses 1000:1).
RATIO_FLOOR = 1 * MiB
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".zst")
_CORRUPT = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError, ValueError)
_CORTE = re.compile(r"^(\d{8}_\d{4})_PREP")
_DRIVE = re.compile(r"^[A-Za-z]:")
_ZIP_UTF8_FLAG = 0x800


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


@dataclass(frozen=True)
class PackageSummary:
    """What :func:`validate` found: file count, total bytes and the corte named by the file."""

    files: int
    bytes: int
    corte_from_name: datetime | None
    format: str = ""


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


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
    raise PackageError(
        f"unknown archive format (magic bytes {magic!r}); expected zip or tar.gz", package=path.name
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
        problem = "entry name contains a NUL byte"
    elif "\\" in raw:
        problem = "entry name contains a backslash (Windows path separator)"
    elif raw.startswith("/"):
        problem = "absolute path"
    elif _DRIVE.match(raw):
        problem = "path with a drive letter"
    elif ".." in raw.split("/"):
        problem = "path traversal ('..' component)"
    if problem:
        raise PackageError(problem, package=package, entry=entry)
    return "/".join(part for part in raw.split("/") if part not in ("", "."))


class _Ledger:
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
            raise self.fail(f"more than {self.limits.max_entries} entries", entry)

    def admit(self, raw: str, *, is_dir: bool, declared: int, entry: str) -> str:
        """Check one entry's name and declared size; return its normalized path."""
        self.count_entry(entry)
        if not _is_utf8(raw):
            raise self.fail("entry name is not valid UTF-8", entry)
        path = normalize(raw, package=self.package, entry=entry)
        if not is_dir:
            self._declare(declared, entry)
        if path:
            self._register(path, is_dir=is_dir, entry=entry)
        return path

    def _declare(self, size: int, entry: str) -> None:
        if size > self.limits.max_entry_bytes:
            raise self.fail(
                f"declared size {size} exceeds the entry limit {self.limits.max_entry_bytes}", entry
            )
        self.declared += size
        self._check_total(self.declared, entry, "declared")

    def consume(self, size: int, entry: str) -> None:
        """Count bytes actually read from any entry."""
        self.actual += size
        self._check_total(self.actual, entry, "actual")

    def _check_total(self, total: int, entry: str, what: str) -> None:
        if total > self.limits.max_total_bytes:
            raise self.fail(
                f"{what} total size {total} exceeds the package limit "
                f"{self.limits.max_total_bytes}",
                entry,
            )
        ratio = total / self.archive_size
        if total > RATIO_FLOOR and ratio > self.limits.max_ratio:
            raise self.fail(
                f"package expands {ratio:.0f} times its size "
                f"(limit {self.limits.max_ratio:g}): compression bomb",
                entry,
            )

    def _register(self, path: str, *, is_dir: bool, entry: str) -> None:
        if path in self._explicit:
            raise self.fail(f"duplicate entry {path!r}", entry)
        self._explicit.add(path)
        parts = path.split("/")
        for depth in range(1, len(parts)):
            self._claim("/".join(parts[:depth]), "dir", entry)
        self._claim(path, "dir" if is_dir else "file", entry)

    def _claim(self, path: str, kind: str, entry: str) -> None:
        spelling, seen_kind = self._kinds.setdefault(path.casefold(), (path, kind))
        if spelling != path:
            raise self.fail(f"{path!r} collides case-insensitively with {spelling!r}", entry)
        if seen_kind != kind:
            raise self.fail(f"{path!r} is both a file and a directory", entry)


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
        raw: _Readable,
        *,
        entry: str,
        declared: int,
        compressed: int | None,
        ledger: _Ledger | None,
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
        except _CORRUPT as exc:
            raise self._fail(f"corrupt or truncated data: {exc}") from exc
        if data:
            self._count(len(data))
        elif size and self.bytes_read < self._declared:
            raise self._fail(
                f"entry ends after {self.bytes_read} bytes but its header declares {self._declared}"
            )
        return data

    def _fail(self, message: str) -> PackageError:
        return PackageError(message, package=self._package, entry=self._entry)

    def _count(self, size: int) -> None:
        self.bytes_read += size
        if self.bytes_read > self._declared:
            raise self._fail(f"entry holds more bytes than its header declares ({self._declared})")
        if self.bytes_read > self._limits.max_entry_bytes:
            raise self._fail(f"entry exceeds the entry limit {self._limits.max_entry_bytes}")
        if self._ledger is not None:
            self._ledger.consume(size, self._entry)
        if self._compressed is not None and self.bytes_read > RATIO_FLOOR:
            ratio = self.bytes_read / max(self._compressed, 1)
            if ratio > self._limits.max_ratio:
                raise self._fail(
                    f"compression ratio {ratio:.0f} exceeds "
                    f"{self._limits.max_ratio:g}: compression bomb"
                )


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
        ledger = _Ledger(self.limits, self.path.name, self.path.stat().st_size)
        if self.format == "tar.gz":
            yield from _tar_files(self.path, ledger)
        else:
            with _open_zip(self.path, self.path.name) as zf:
                yield from _zip_files(zf, ledger, prefix="", depth=0)

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
        raise PackageError("package file not found or not a regular file", package=str(path))
    fmt = detect_format(path)
    if fmt == "zip":
        with _open_zip(path, path.name) as zf:
            fmt = "zip-of-zips" if _is_zip_of_zips(zf) else "zip"
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
        raise PackageError("package holds no files", package=reader.path.name)
    return PackageSummary(files, total, corte_from_name(reader.path.name), reader.format)


# --- zip -------------------------------------------------------------------------------------


def _open_zip(source: Path | IO[bytes], package: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except UnicodeDecodeError as exc:
        raise PackageError(
            f"an entry name flagged UTF-8 is not valid UTF-8: {exc.object!r}", package=package
        ) from exc
    except (*_CORRUPT, NotImplementedError) as exc:
        raise PackageError(f"truncated or corrupt zip: {exc}", package=package) from exc


def _is_zip_of_zips(zf: zipfile.ZipFile) -> bool:
    files = [info.filename for info in zf.infolist() if not info.is_dir()]
    return bool(files) and all(name.lower().endswith(".zip") for name in files)


def _check_zip_info(info: zipfile.ZipInfo, ledger: _Ledger, entry: str) -> None:
    """Reject entry kinds a static site never needs (names are checked by the ledger)."""
    if not info.flag_bits & _ZIP_UTF8_FLAG and not info.filename.isascii():
        raise ledger.fail("entry name is not UTF-8 (zip flag bit 11 unset, non-ASCII bytes)", entry)
    if info.flag_bits & 0x1:
        raise ledger.fail("encrypted entry", entry)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise ledger.fail("symbolic link entry", entry)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise ledger.fail("device, FIFO or socket entry", entry)


def _zip_files(
    zf: zipfile.ZipFile, ledger: _Ledger, *, prefix: str, depth: int
) -> Iterator[tuple[Entry, EntryStream]]:
    infos = zf.infolist()
    if ledger.entries + len(infos) > ledger.limits.max_entries:
        over = infos[max(ledger.limits.max_entries - ledger.entries, 0)]
        raise ledger.fail(
            f"more than {ledger.limits.max_entries} entries", prefix + label(over.filename)
        )
    if _is_zip_of_zips(zf):
        yield from _expand_inner(zf, ledger, prefix=prefix, depth=depth)
        return
    for info in infos:
        entry = prefix + label(info.filename)
        _check_zip_info(info, ledger, entry)
        path = ledger.admit(
            info.filename, is_dir=info.is_dir(), declared=info.file_size, entry=entry
        )
        if info.is_dir():
            continue
        _check_zip_ratio(info, ledger, entry)
        _check_not_nested(path, ledger, depth, entry)
        stream = _zip_stream(zf, info, ledger, entry)
        try:
            yield Entry(path, info.file_size), stream
        finally:
            stream.close()  # an open entry keeps the zip's file descriptor alive


def _check_zip_ratio(info: zipfile.ZipInfo, ledger: _Ledger, entry: str) -> None:
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > ledger.limits.max_ratio:
        raise ledger.fail(
            f"compression ratio {ratio:.0f} exceeds {ledger.limits.max_ratio:g}: compression bomb",
            entry,
        )


def _check_not_nested(path: str, ledger: _Ledger, depth: int, entry: str) -> None:
    if depth >= 1 and path.lower().endswith(_ARCHIVE_SUFFIXES):
        raise ledger.fail(
            f"nested archive deeper than allowed (max_nesting={ledger.limits.max_nesting})", entry
        )


def _zip_stream(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, ledger: _Ledger, entry: str, *, counted: bool = True
) -> EntryStream:
    """Open one zip entry; ``counted=False`` keeps it out of the package totals (inner zips)."""
    try:
        raw = zf.open(info)
    except (*_CORRUPT, NotImplementedError) as exc:
        raise ledger.fail(f"corrupt entry: {exc}", entry) from exc
    return EntryStream(
        raw,
        entry=entry,
        declared=info.file_size,
        compressed=info.compress_size,
        ledger=ledger if counted else None,
        limits=ledger.limits,
        package=ledger.package,
    )


def _expand_inner(
    zf: zipfile.ZipFile, ledger: _Ledger, *, prefix: str, depth: int
) -> Iterator[tuple[Entry, EntryStream]]:
    """Expand each inner zip of a zip-of-zips, spooling it to a private temporary file."""
    for info in zf.infolist():
        entry = prefix + label(info.filename)
        _check_zip_info(info, ledger, entry)
        ledger.count_entry(entry)
        normalize(info.filename, package=ledger.package, entry=entry)
        if info.is_dir():
            continue
        if depth + 1 > ledger.limits.max_nesting:
            raise ledger.fail(
                f"nested archive deeper than allowed (max_nesting={ledger.limits.max_nesting})",
                entry,
            )
        if info.file_size > ledger.limits.max_entry_bytes:
            raise ledger.fail(
                f"declared size {info.file_size} exceeds the entry limit "
                f"{ledger.limits.max_entry_bytes}",
                entry,
            )
        with tempfile.SpooledTemporaryFile(max_size=64 * MiB) as spool:
            source = _zip_stream(zf, info, ledger, entry, counted=False)
            try:
                while chunk := source.read(CHUNK):
                    spool.write(chunk)
            finally:
                source.close()
            spool.seek(0)
            if detect_bytes(spool.read(4)) != "zip":
                raise ledger.fail("inner entry named .zip is not a zip", entry)
            spool.seek(0)
            with _open_zip(spool, f"{ledger.package}!{entry}") as inner:
                yield from _zip_files(inner, ledger, prefix=f"{entry}!", depth=depth + 1)


def detect_bytes(magic: bytes) -> str | None:
    """The format named by leading bytes, or None."""
    if magic[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return "tar.gz" if magic[:2] == b"\x1f\x8b" else None


# --- tar.gz ----------------------------------------------------------------------------------


class _CappedInflate:
    """The decompressed gzip stream, capped so header floods (pax bombs) stay bounded."""

    def __init__(self, raw: _Readable, cap: int, package: str) -> None:
        self._raw = raw
        self._cap = cap
        self._package = package
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.total += len(data)
        if self.total > self._cap:
            raise PackageError(
                f"decompressed stream exceeds {self._cap} bytes", package=self._package
            )
        return data


def _tar_kind_problem(member: tarfile.TarInfo) -> str | None:
    if member.issym():
        return "symbolic link entry"
    if member.islnk():
        return "hard link entry"
    if member.ischr() or member.isblk():
        return "device entry"
    if member.isfifo():
        return "FIFO entry"
    if member.issparse():
        return "sparse file entry"
    if not (member.isreg() or member.isdir()):
        return f"unsupported entry type {member.type!r}"
    return None


def _tar_files(path: Path, ledger: _Ledger) -> Iterator[tuple[Entry, EntryStream]]:
    cap = ledger.limits.max_total_bytes + 2048 * ledger.limits.max_entries + 16 * MiB
    entry = ""
    with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
        inflated = _CappedInflate(gz, cap, ledger.package)
        try:
            with tarfile.open(
                fileobj=inflated,
                mode="r|",  # type: ignore[call-overload]
                encoding="utf-8",
                errors="surrogateescape",
            ) as tf:
                for member in tf:
                    entry = label(member.name)
                    yield from _tar_member(tf, member, ledger, entry)
                entry = ""
                while inflated.read(CHUNK):  # reach the gzip trailer so its CRC is checked
                    pass
        except _CORRUPT as exc:
            raise PackageError(
                f"truncated or corrupt tar.gz: {exc}", package=ledger.package, entry=entry
            ) from exc


def _tar_member(
    tf: tarfile.TarFile, member: tarfile.TarInfo, ledger: _Ledger, entry: str
) -> Iterator[tuple[Entry, EntryStream]]:
    problem = _tar_kind_problem(member)
    if problem:
        ledger.count_entry(entry)
        raise ledger.fail(problem, entry)
    path = ledger.admit(member.name, is_dir=member.isdir(), declared=member.size, entry=entry)
    if member.isdir() or not path:
        return
    raw = tf.extractfile(member)
    assert raw is not None  # regular members always have data
    yield (
        Entry(path, member.size),
        EntryStream(
            raw,
            entry=entry,
            declared=member.size,
            compressed=None,
            ledger=ledger,
            limits=ledger.limits,
            package=ledger.package,
        ),
    )
