"""Write a synthetic *Paquete de difusión PREP* for one corte (zip or tar.gz plus sha256 sidecar).

Contract: the same (corte, scale, seed, folder, fmt, utc_offset, election_start) always gives
identical bytes: entries are sorted, zip timestamps equal the corte, tar members carry the corte
as mtime with fixed owner, and the gzip header has mtime 0. Every archive path starts with
``<folder>/``.

The work is split by job: :mod:`~prepcheck.sample.site_tree` (static files and JSON
documents), :mod:`~prepcheck.sample.anexo13` (the Anexo 13 CSV),
:mod:`~prepcheck.sample.tally` (the figures both share),
:mod:`~prepcheck.sample.corte` (local time, file name) and
:mod:`~prepcheck.sample.writer` (zip/tar.gz writing). This module keeps the public
surface: :func:`build_package` and the names re-exported below.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from prepcheck.sample.anexo13 import CSV_COLUMNS
from prepcheck.sample.corte import corte_text, localize, package_name
from prepcheck.sample.data import Scale
from prepcheck.sample.site_tree import REFRESH_SECONDS, SITE_FILES, build_site_tree
from prepcheck.sample.tally import Tally
from prepcheck.sample.writer import write_archive, write_atomically

__all__ = [
    "CSV_COLUMNS",
    "REFRESH_SECONDS",
    "SITE_FILES",
    "BuiltPackage",
    "Format",
    "Tally",
    "build_package",
    "build_site_tree",
    "corte_text",
    "localize",
    "package_name",
]

Format = Literal["zip", "tar.gz"]


@dataclass(frozen=True)
class BuiltPackage:
    archive: Path
    digest_file: Path
    sha256: str
    corte: datetime
    files: int


def build_package(
    corte: datetime,
    out_dir: Path,
    *,
    scale: Scale = "small",
    fmt: Format = "zip",
    seed: int = 2021,
    folder: str = "prepver2021",
    utc_offset: timezone | None = None,
    election_start: datetime | None = None,
) -> BuiltPackage:
    """Write ``out_dir/<package_name>`` and its ``.sha256`` sidecar, each atomically.

    ``utc_offset`` defaults to the one local election time had at ``corte`` (−05:00 in the
    summers of daylight saving time, −06:00 otherwise and since 2022). ``election_start``
    (aware; default: the last 19:00 at or before the corte) is when publication opened: the
    actas counted at ``corte`` grow with the time since then.
    """
    local = localize(corte, utc_offset)
    tree = build_site_tree(
        local,
        scale=scale,
        seed=seed,
        folder=folder,
        utc_offset=utc_offset,
        election_start=election_start,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / package_name(local, fmt, utc_offset=utc_offset)
    write_atomically(archive, lambda handle: write_archive(handle, tree, local, fmt))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    digest_file = archive.with_name(archive.name + ".sha256")
    line = f"{digest}  {archive.name}\n".encode()
    write_atomically(digest_file, lambda handle: handle.write(line))
    return BuiltPackage(archive, digest_file, digest, local, len(tree))
