"""The ``ingest.*`` rehearsals: upload packages by SFTP and watch what the difusor publishes.

``rehearse_valid`` builds a marked rehearsal package one minute after the corte the difusor
publishes, uploads it (temporary name, then rename; archive before sidecar) and waits up to
``publish_deadline_seconds`` for it to be served byte-identical. ``rehearse_corrupt`` then
uploads a package one more minute later whose sidecar digest does not match, watches main.json
for a window scaled on the latency the valid rehearsal showed (``2 × latency + 5 s``, at most
the deadline) and finally checks that the previous corte (the valid rehearsal) is still served
intact. Whatever the outcome, the probe removes its own uploads that are still in the folder.

Side effect (why ``rehearsal_uploads`` must be set): afterwards the difusor serves the valid
rehearsal corte until its procedure receives the next official corte, which it accepts because
it is newer. The checklist runs these checks after every other check of the session.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from prepcheck.config import SftpSettings
from prepcheck.probes.publication import (
    Site,
    await_corte,
    compare,
    expected_files,
    read_corte,
    watch_for_corte,
)
from prepcheck.probes.sftp import remove_files, upload_files
from prepcheck.sample import BuiltPackage
from prepcheck.sample.rehearsal import (
    RehearsalCortes,
    RehearsalNotPossible,
    build_rehearsal,
    rehearsal_cortes,
)
from prepcheck.snapshots.files import ExpectedFile
from prepcheck.snapshots.rehearsal import Rehearsal
from prepcheck.snapshots.sftp import SftpOutcome

MIN_WINDOW_S = 5.0


def rehearse_valid(target: Site, settings: SftpSettings) -> Rehearsal:
    """Upload a valid rehearsal package and wait for its verified publication."""
    start = _cortes(target)
    if isinstance(start, Rehearsal):
        return start
    with tempfile.TemporaryDirectory(prefix="prepcheck-ensayo-") as scratch:
        built = _build(target, start.valid, Path(scratch), corrupt=False)
        files = expected_files(built.archive)
        upload = upload_files(settings, [built.archive, built.digest_file])
        if not upload.ok:
            return _upload_failed(settings, built, upload, start, files)
    deadline = float(settings.publish_deadline_seconds)
    watch = await_corte(target, built.corte, files, deadline)
    cleanup = remove_files(settings, _names(built))
    return Rehearsal(
        "observado", "", built.archive.name, built.corte, upload, watch, cleanup, start, files
    )


def _upload_failed(
    settings: SftpSettings,
    built: BuiltPackage,
    upload: SftpOutcome,
    cortes: RehearsalCortes | None,
    files: list[ExpectedFile] | None = None,
) -> Rehearsal:
    """The upload itself failed: remove what was left and say so."""
    cleanup = remove_files(settings, _names(built))
    return Rehearsal(
        "carga",
        upload.reason,
        built.archive.name,
        built.corte,
        upload,
        cleanup=cleanup,
        cortes=cortes,
        files=files or [],
    )


def rehearse_corrupt(target: Site, settings: SftpSettings, valid: Rehearsal) -> Rehearsal:
    """Upload a package with a wrong sidecar digest after a verified valid rehearsal and watch
    that it never appears and the valid rehearsal stays intact. See the module docstring."""
    if valid.cortes is None or valid.watch is None or valid.watch.verified_s is None:
        return Rehearsal("sin-valido", "el paquete de ensayo válido no llegó a publicarse")
    with tempfile.TemporaryDirectory(prefix="prepcheck-ensayo-") as scratch:
        built = _build(target, valid.cortes.corrupt, Path(scratch), corrupt=True)
        upload = upload_files(settings, [built.archive, built.digest_file])
    if not upload.ok:
        return _upload_failed(settings, built, upload, valid.cortes)
    window = reject_window(valid.watch.verified_s, settings.publish_deadline_seconds)
    watch = watch_for_corte(target, built.corte, window)
    baseline = compare(target, valid.files, float(settings.publish_deadline_seconds))
    cleanup = remove_files(settings, _names(built))
    return Rehearsal(
        "observado",
        "",
        built.archive.name,
        built.corte,
        upload,
        watch,
        cleanup,
        valid.cortes,
        valid.files,
        baseline,
    )


def reject_window(latency_s: float, deadline_s: float) -> float:
    """How long to watch for a package that must not appear: twice the latency a valid one
    showed plus 5 s (at least ``MIN_WINDOW_S``), never more than the publication deadline."""
    return min(float(deadline_s), max(MIN_WINDOW_S, 2.0 * latency_s + 5.0))


def _cortes(target: Site) -> RehearsalCortes | Rehearsal:
    reading = read_corte(target)
    if reading.corte is None:
        return Rehearsal("sin-corte", reading.problem or "main.json sin corte")
    try:
        return rehearsal_cortes(reading.corte, target.election.update_interval)
    except RehearsalNotPossible as exc:
        return Rehearsal("sin-ensayo", str(exc))


def _build(target: Site, corte: datetime, scratch: Path, *, corrupt: bool) -> BuiltPackage:
    election = target.election
    return build_rehearsal(
        corte,
        scratch,
        folder=election.folder,
        utc_offset=election.tz,
        election_start=election.localize(election.window_start),
        corrupt_digest=corrupt,
    )


def _names(built: BuiltPackage) -> list[str]:
    return [built.archive.name, built.digest_file.name]
