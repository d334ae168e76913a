"""Free space on the filesystems holding the site and the history (facts for
``host.disk-free``).

Contract: ``measure_folders(folders)`` measures, with statvfs, every folder of ``folders``
(label -> path, in that order) and never raises for what it finds: a folder that does not exist
or cannot be measured is a ``FolderSpace`` with ``error``. The judging is
``prepcheck.checks.host.disk_free``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from prepcheck.snapshots.host import Filesystem, FolderSpace


def mount_point(path: Path) -> Path:
    """The mount point holding ``path`` (walk up while the device stays the same)."""
    path = path.resolve()
    device = path.stat().st_dev
    while path != path.parent and path.parent.stat().st_dev == device:
        path = path.parent
    return path


def measure(path: Path) -> Filesystem:
    """statvfs figures of the filesystem holding ``path``; ``OSError`` when it cannot."""
    stats = os.statvfs(path)
    return Filesystem(
        mount_point=str(mount_point(path)),
        device=path.stat().st_dev,
        free_bytes=stats.f_bavail * stats.f_frsize,
        total_bytes=stats.f_blocks * stats.f_frsize,
    )


def measure_folders(folders: Mapping[str, Path]) -> tuple[FolderSpace, ...]:
    """One ``FolderSpace`` per folder (see the module contract)."""
    measured = []
    for label, path in folders.items():
        try:
            measured.append(FolderSpace(label, str(path), measure(path)))
        except OSError as exc:
            measured.append(FolderSpace(label, str(path), None, str(exc.strerror or exc)))
    return tuple(measured)
