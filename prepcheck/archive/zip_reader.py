"""Reading the regular files of a zip package, expanding a zip of zips.

Contract:

* :func:`zip_files` yields ``(Entry, EntryStream)`` per regular file after checking the entry
  kind (no encryption, links, devices; non-ASCII names must carry the UTF-8 flag), its name and
  declared size (through the :class:`Ledger`) and its compression ratio.
* A zip whose file entries are all ``*.zip`` (:func:`is_zip_of_zips`) has its inner zips
  spooled to a private temporary file and their entries merged at the package root, labelled
  ``inner.zip!path``; at most ``Limits.max_nesting`` levels deep.
* :func:`open_zip` turns a truncated or corrupt zip into :class:`PackageError`.
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from prepcheck.archive.format import detect_bytes, label, normalize
from prepcheck.archive.limits import (
    CHUNK,
    CORRUPT,
    ONLY_FILES,
    RATIO_FLOOR,
    Entry,
    EntryStream,
    Ledger,
    MiB,
    damaged,
)
from prepcheck.errors import PackageError

_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".zst")
_ZIP_UTF8_FLAG = 0x800


def _too_deep(ledger: Ledger) -> str:
    return (
        "archivo comprimido anidado a más niveles de los permitidos "
        f"(max_nesting={ledger.limits.max_nesting})"
    )


def open_zip(source: Path | IO[bytes], package: str) -> zipfile.ZipFile:
    """Open a zip (path or file object); PackageError when it is truncated or corrupt."""
    try:
        return zipfile.ZipFile(source)
    except UnicodeDecodeError as exc:
        name = bytes(exc.object).decode("utf-8", "backslashreplace")
        raise PackageError(
            f"el nombre «{name}» está marcado como UTF-8 pero no es UTF-8 válido", package=package
        ) from exc
    except (*CORRUPT, NotImplementedError) as exc:
        raise PackageError(damaged("el zip", exc), package=package) from exc


def is_zip_of_zips(zf: zipfile.ZipFile) -> bool:
    """True when the zip holds files and every one of them is named ``*.zip``."""
    files = [info.filename for info in zf.infolist() if not info.is_dir()]
    return bool(files) and all(name.lower().endswith(".zip") for name in files)


def _check_zip_info(info: zipfile.ZipInfo, ledger: Ledger, entry: str) -> None:
    """Reject entry kinds a static site never needs (names are checked by the ledger)."""
    if not info.flag_bits & _ZIP_UTF8_FLAG and not info.filename.isascii():
        raise ledger.fail(
            "el nombre no está en UTF-8 (tiene caracteres no ASCII y el zip no lo marca como "
            "UTF-8)",
            entry,
        )
    if info.flag_bits & 0x1:
        raise ledger.fail("está cifrado (protegido con contraseña)", entry)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise ledger.fail(f"es un enlace simbólico; {ONLY_FILES}", entry)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise ledger.fail(f"es un dispositivo, FIFO o socket; {ONLY_FILES}", entry)


def zip_files(
    zf: zipfile.ZipFile, ledger: Ledger, *, prefix: str, depth: int
) -> Iterator[tuple[Entry, EntryStream]]:
    """Yield ``(entry, stream)`` per regular file; entries are labelled ``prefix + name``."""
    infos = zf.infolist()
    if ledger.entries + len(infos) > ledger.limits.max_entries:
        over = infos[max(ledger.limits.max_entries - ledger.entries, 0)]
        raise ledger.fail(
            f"el paquete contiene más de {ledger.limits.max_entries} archivos y carpetas",
            prefix + label(over.filename),
        )
    if is_zip_of_zips(zf):
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


def _check_zip_ratio(info: zipfile.ZipInfo, ledger: Ledger, entry: str) -> None:
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > ledger.limits.max_ratio:
        raise ledger.fail(
            f"se comprime {ratio:.0f} a 1, más que el límite de {ledger.limits.max_ratio:g} a 1: "
            "es una bomba de compresión",
            entry,
        )


def _check_not_nested(path: str, ledger: Ledger, depth: int, entry: str) -> None:
    if depth >= 1 and path.lower().endswith(_ARCHIVE_SUFFIXES):
        raise ledger.fail(_too_deep(ledger), entry)


def _zip_stream(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, ledger: Ledger, entry: str, *, counted: bool = True
) -> EntryStream:
    """Open one zip entry; ``counted=False`` keeps it out of the package totals (inner zips)."""
    try:
        raw = zf.open(info)
    except (*CORRUPT, NotImplementedError) as exc:
        raise ledger.fail(damaged("el archivo", exc), entry) from exc
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
    zf: zipfile.ZipFile, ledger: Ledger, *, prefix: str, depth: int
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
            raise ledger.fail(_too_deep(ledger), entry)
        if info.file_size > ledger.limits.max_entry_bytes:
            raise ledger.fail(
                f"su tamaño declarado, {info.file_size} bytes, supera el límite por archivo de "
                f"{ledger.limits.max_entry_bytes} bytes",
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
                raise ledger.fail("se llama .zip pero no es un zip", entry)
            spool.seek(0)
            with open_zip(spool, f"{ledger.package}!{entry}") as inner:
                yield from zip_files(inner, ledger, prefix=f"{entry}!", depth=depth + 1)
