"""Writing a site tree as a reproducible zip or tar.gz, atomically.

Contract: entries keep the tree's order; zip timestamps equal the corte and entries are
regular files 0644; tar members carry the corte as mtime with owner root:root (PAX format)
and the gzip header has mtime 0. :func:`write_atomically` leaves either the complete file or
nothing (a temporary sibling is renamed into place, and removed on failure).
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any


def write_atomically(path: Path, write: Any) -> None:
    """Write path through a temporary sibling renamed into place (removed on failure)."""
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with temporary.open("wb") as handle:
            write(handle)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_archive(handle: Any, tree: dict[str, bytes], corte: datetime, fmt: str) -> None:
    """Write tree to handle as a reproducible zip or tar.gz; ValueError for other formats."""
    if fmt == "zip":
        _write_zip(handle, tree, corte)
    elif fmt == "tar.gz":
        _write_tar_gz(handle, tree, corte)
    else:
        raise ValueError(f"unknown package format {fmt!r}; expected 'zip' or 'tar.gz'")


def _write_zip(handle: Any, tree: dict[str, bytes], corte: datetime) -> None:
    stamp = (corte.year, corte.month, corte.day, corte.hour, corte.minute, corte.second)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in tree.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=6)


def _write_tar_gz(handle: Any, tree: dict[str, bytes], corte: datetime) -> None:
    mtime = int(corte.timestamp())
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for path, data in tree.items():
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            archive.addfile(info, io.BytesIO(data))
