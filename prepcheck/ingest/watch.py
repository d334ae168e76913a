"""Watch mode: ingest each complete upload of a folder, quarantining the rejected ones.

Contract: an upload is taken when its digest sidecar is present and both files were seen
unchanged on two polls ``stable_seconds`` apart (dot files, sidecars and partial-upload
suffixes are ignored). Published uploads are removed (history keeps them); rejected ones move
to ``quarantine`` with ``<name>.reason.txt``; an OSError leaves the upload for a retry.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from threading import Event

from prepcheck.archive import Limits
from prepcheck.archive.digest import SIDECAR_SUFFIXES, find_sidecar
from prepcheck.ingest.history import record
from prepcheck.ingest.publish import IngestOutcome, ingest

log = logging.getLogger("prepcheck.ingest")  # one logger for the whole procedure

_TEMP_SUFFIXES = (".part", ".partial", ".filepart", ".tmp", ".reason.txt")


def watch(
    upload_dir: Path,
    *,
    root: Path,
    history: Path,
    quarantine: Path,
    poll_seconds: float = 1.0,
    stable_seconds: float = 2.0,
    max_iterations: int | None = None,
    stop_event: Event | None = None,
    limits: Limits | None = None,
    keep_releases: int = 3,
) -> list[IngestOutcome]:
    """Ingest each complete upload in ``upload_dir`` until stopped; return the outcomes.

    An upload is taken when its digest sidecar is present and archive and sidecar were seen
    unchanged on two polls at least ``stable_seconds`` apart. Published uploads are removed
    (history keeps them); rejected ones move to ``quarantine`` with ``<name>.reason.txt``.
    Stops after ``max_iterations`` polls or when ``stop_event`` is set.
    """
    upload_dir, quarantine = Path(upload_dir), Path(quarantine)
    seen: dict[str, tuple[tuple[int, ...], float]] = {}
    outcomes: list[IngestOutcome] = []
    iteration = 0
    while not (stop_event is not None and stop_event.is_set()):
        for archive, sidecar in _ready_uploads(upload_dir, seen, stable_seconds):
            outcome = _take(
                archive,
                sidecar,
                root=root,
                history=history,
                quarantine=quarantine,
                limits=limits,
                keep=keep_releases,
            )
            if outcome is not None:
                outcomes.append(outcome)
        iteration += 1
        if max_iterations is not None and iteration >= max_iterations:
            break
        _sleep(poll_seconds, stop_event)
    return outcomes


def _sleep(seconds: float, stop_event: Event | None) -> None:
    if stop_event is None:
        time.sleep(seconds)
    else:
        stop_event.wait(seconds)


def _uploads(upload_dir: Path) -> list[Path]:
    """Candidate archives: visible regular files that are not sidecars or partial uploads."""
    skip = (*SIDECAR_SUFFIXES, *_TEMP_SUFFIXES)
    return sorted(
        path
        for path in upload_dir.iterdir()
        if path.is_file()
        and not path.is_symlink()
        and not path.name.startswith(".")
        and not path.name.lower().endswith(skip)
    )


def _ready_uploads(
    upload_dir: Path, seen: dict[str, tuple[tuple[int, ...], float]], stable_seconds: float
) -> Iterator[tuple[Path, Path]]:
    now = time.monotonic()
    for archive in _uploads(upload_dir):
        sidecar = find_sidecar(archive)
        if sidecar is None:
            continue
        a, s = archive.stat(), sidecar.stat()
        signature = (a.st_size, a.st_mtime_ns, s.st_size, s.st_mtime_ns)
        previous = seen.get(archive.name)
        if previous is None or previous[0] != signature:
            seen[archive.name] = (signature, now)
        elif now - previous[1] >= stable_seconds:
            del seen[archive.name]
            yield archive, sidecar


def _take(
    archive: Path,
    sidecar: Path,
    *,
    root: Path,
    history: Path,
    quarantine: Path,
    limits: Limits | None,
    keep: int,
) -> IngestOutcome | None:
    try:
        outcome = ingest(
            archive,
            digest_file=sidecar,
            root=root,
            history=history,
            limits=limits,
            keep_releases=keep,
        )
    except OSError:
        log.exception(
            "no se pudo publicar %s; se queda en la carpeta de carga para reintentarlo", archive
        )
        return None
    if outcome.status == "rejected":
        _quarantine(archive, sidecar, quarantine, outcome.reason, history)
    else:
        archive.unlink()
        sidecar.unlink()
    return outcome


def _quarantine(archive: Path, sidecar: Path, quarantine: Path, reason: str, history: Path) -> None:
    quarantine.mkdir(parents=True, exist_ok=True)
    name, number = archive.name, 0
    while (quarantine / name).exists() or (quarantine / f"{name}.reason.txt").exists():
        number += 1
        name = f"{archive.name}.{number}"
    shutil.move(archive, quarantine / name)
    shutil.move(sidecar, quarantine / f"{name}{sidecar.suffix}")
    (quarantine / f"{name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
    record(
        history, event="quarantined", package=archive.name, to=str(quarantine / name), reason=reason
    )
