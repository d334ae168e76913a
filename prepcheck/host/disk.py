"""``host.disk-free``: free space for the site and the package history.

Contract: ``check_disk_free(paths, min_free_bytes)`` measures, with statvfs, the space available
to a non-root user (``f_bavail``) on every filesystem holding one of ``paths`` (each filesystem
once, evidence per mount point). Outcomes:

* pass  every filesystem has at least ``min_free_bytes`` free;
* fail  one has less (named, with free and required GB); fix: free or enlarge that filesystem;
* error a path does not exist or cannot be measured (named); fix: pass the right folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prepcheck.results import CheckResult, error, outcome

CHECK_ID = "host.disk-free"
GB = 1_000_000_000


def mount_point(path: Path) -> Path:
    """The mount point holding ``path`` (walk up while the device stays the same)."""
    path = path.resolve()
    device = path.stat().st_dev
    while path != path.parent and path.parent.stat().st_dev == device:
        path = path.parent
    return path


def measure(path: Path) -> dict[str, Any]:
    """statvfs figures of the filesystem holding ``path``."""
    stats = os.statvfs(path)
    return {
        "punto_de_montaje": str(mount_point(path)),
        "dispositivo": path.stat().st_dev,
        "libres_bytes": stats.f_bavail * stats.f_frsize,
        "total_bytes": stats.f_blocks * stats.f_frsize,
    }


def check_disk_free(paths: Mapping[str, Path], min_free_bytes: int) -> CheckResult:
    """Judge the filesystems of ``paths`` (label -> folder); see the module contract."""
    mounts: dict[int, dict[str, Any]] = {}
    for label, path in paths.items():
        try:
            figures = measure(path)
        except OSError as exc:
            return error(CHECK_ID, f"No se pudo medir {label} ({path}): {exc.strerror or exc}")
        entry = mounts.setdefault(figures["dispositivo"], {**figures, "contiene": []})
        entry["contiene"].append(f"{label}: {path}")
    short = [m for m in mounts.values() if m["libres_bytes"] < min_free_bytes]
    evidence = {
        "minimo_bytes": min_free_bytes,
        "regla": "espacio disponible para usuarios no root (statvfs f_bavail), por sistema de "
        "archivos; 1 GB = 10^9 bytes",
        "sistemas_de_archivos": [_row(m) for m in mounts.values()],
    }
    if short:
        names = "; ".join(
            f"{m['punto_de_montaje']} tiene {_gb(m['libres_bytes'])} GB libres" for m in short
        )
        return outcome(
            CHECK_ID, False, f"{names}; se requieren {_gb(min_free_bytes)} GB.", **evidence
        )
    least = min(m["libres_bytes"] for m in mounts.values())
    return outcome(
        CHECK_ID,
        True,
        f"{len(mounts)} sistema(s) de archivos con al menos {_gb(least)} GB libres "
        f"(mínimo {_gb(min_free_bytes)} GB).",
        **evidence,
    )


def _row(mount: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "punto_de_montaje": mount["punto_de_montaje"],
        "contiene": mount["contiene"],
        "libres_gb": _gb(mount["libres_bytes"]),
        "total_gb": _gb(mount["total_bytes"]),
        "libres_bytes": mount["libres_bytes"],
    }


def _gb(value: int) -> float:
    return round(value / GB, 2)
