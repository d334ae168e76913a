"""Reading the regular files of a tar.gz package as a single forward pass.

Contract: :func:`tar_files` yields ``(Entry, EntryStream)`` per regular file; links, devices,
FIFOs, sparse files and unknown member types are rejected; the decompressed stream is capped
(header floods stay bounded) and read to the gzip trailer so its CRC is checked. Corruption or
truncation raises :class:`PackageError` naming the entry being read.
"""

from __future__ import annotations

import gzip
import tarfile
from collections.abc import Iterator
from pathlib import Path

from prepcheck.archive.format import label
from prepcheck.archive.limits import (
    CHUNK,
    CORRUPT,
    ONLY_FILES,
    Entry,
    EntryStream,
    Ledger,
    MiB,
    Readable,
    damaged,
)
from prepcheck.errors import PackageError


class _CappedInflate:
    """The decompressed gzip stream, capped so header floods (pax bombs) stay bounded."""

    def __init__(self, raw: Readable, cap: int, package: str) -> None:
        self._raw = raw
        self._cap = cap
        self._package = package
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.total += len(data)
        if self.total > self._cap:
            raise PackageError(
                f"el contenido descomprimido pasa de {self._cap} bytes, más de lo que permiten "
                "los límites",
                package=self._package,
            )
        return data


def _tar_kind_problem(member: tarfile.TarInfo) -> str | None:
    kind = None
    if member.issym():
        kind = "es un enlace simbólico"
    elif member.islnk():
        kind = "es un enlace duro (hard link)"
    elif member.ischr() or member.isblk():
        kind = "es un dispositivo"
    elif member.isfifo():
        kind = "es una tubería con nombre (FIFO)"
    elif member.issparse():
        kind = "es un archivo disperso (sparse)"
    elif not (member.isreg() or member.isdir()):
        kind = f"es de un tipo no admitido ({member.type!r})"
    return f"{kind}; {ONLY_FILES}" if kind else None


def tar_files(path: Path, ledger: Ledger) -> Iterator[tuple[Entry, EntryStream]]:
    """Yield ``(entry, stream)`` per regular file of a tar.gz (see the module contract)."""
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
        except CORRUPT as exc:
            raise PackageError(
                damaged("el tar.gz", exc), package=ledger.package, entry=entry
            ) from exc


def _tar_member(
    tf: tarfile.TarFile, member: tarfile.TarInfo, ledger: Ledger, entry: str
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
