"""Read the history folder of received packages (facts for ``host.history-kept``).

Layout (``prepcheck.ingest``): ``history/<package>``, ``history/<package>.<algorithm>``
(sha256sum format) and ``history/ingest.log`` (JSON lines; ``event == "published"`` names a
``package``). Hidden files (in-flight copies) are ignored.

Contract: ``read_history(folder)`` lists the folder, verifies every package against its
sidecar (reading each package whole) and reads ``ingest.log``; it never raises for what it
finds (a missing or unlistable folder, an unreadable package or log is recorded in the
``HistoryFolder``). The judging is ``prepcheck.checks.host.history_kept``.
"""

from __future__ import annotations

import json
from pathlib import Path

from prepcheck.archive.digest import SIDECAR_SUFFIXES, find_sidecar, verify_digest
from prepcheck.errors import PackageError
from prepcheck.files import why
from prepcheck.ingest import LOG_NAME
from prepcheck.snapshots.host import Digest, HistoryFolder, IngestLog, KeptPackage


def read_history(history: Path) -> HistoryFolder:
    """What the history folder holds (see the module contract)."""
    if not history.is_dir():
        return HistoryFolder(str(history), is_folder=False)
    try:
        packages, sidecars = _entries(history)
    except OSError as exc:
        return HistoryFolder(str(history), is_folder=True, error=str(exc.strerror or exc))
    return HistoryFolder(
        str(history),
        is_folder=True,
        packages=tuple(_verify(package) for package in packages),
        sidecars=tuple(sidecar.name for sidecar in sidecars),
        ingest_log=read_ingest_log(history / LOG_NAME),
    )


def read_ingest_log(log: Path) -> IngestLog | None:
    """Package names ``log`` records as published, and its count of unreadable lines; None
    when there is no such file."""
    if not log.exists():
        return None
    names: set[str] = set()
    bad = 0
    try:
        with open(log, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    event = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                if not isinstance(event, dict):
                    bad += 1
                elif event.get("event") == "published" and isinstance(event.get("package"), str):
                    names.add(Path(event["package"]).name)
    except OSError as exc:
        return IngestLog(error=str(exc.strerror or exc))
    return IngestLog(frozenset(names), bad)


def _entries(history: Path) -> tuple[list[Path], list[Path]]:
    packages: list[Path] = []
    sidecars: list[Path] = []
    for path in sorted(history.iterdir()):
        if path.name.startswith(".") or path.name == LOG_NAME or not path.is_file():
            continue
        is_sidecar = path.suffix.lower() in SIDECAR_SUFFIXES
        (sidecars if is_sidecar else packages).append(path)
    return packages, sidecars


def _verify(package: Path) -> KeptPackage:
    sidecar = find_sidecar(package)
    if sidecar is None:
        return KeptPackage(package.name, Digest.NO_SIDECAR)
    try:
        verify_digest(package, sidecar=sidecar)
    except PackageError as exc:  # the record names the package: its reason alone
        return KeptPackage(package.name, Digest.MISMATCH, exc.reason)
    except OSError as exc:
        return KeptPackage(package.name, Digest.UNREADABLE, why(exc))
    return KeptPackage(package.name, Digest.INTACT)
