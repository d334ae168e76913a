"""The ingest procedure itself: verify, validate, extract, archive, switch, prune, record.

Contract: see :mod:`prepcheck.ingest` (layout, atomicity, recovery). :func:`ingest`
runs under the root lock; package faults become a ``rejected`` outcome and leave the published
site untouched, environment faults raise; every outcome is recorded in the history log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from prepcheck.archive import Limits, corte_id, validate
from prepcheck.archive.digest import find_sidecar
from prepcheck.archive.extract import extract_safely
from prepcheck.errors import PackageError
from prepcheck.ingest.history import archive_package, check_history, record
from prepcheck.ingest.plan import make_plan, private_copy, refuse_older
from prepcheck.ingest.release import (
    current_release,
    install,
    locked,
    pause_once,
    prune,
    recover,
    switch,
)
from prepcheck.spanish import counted

Status = Literal["published", "already-published", "rejected"]


@dataclass(frozen=True)
class IngestOutcome:
    """What one ingest did. ``corte`` is ``YYYYMMDD_HHMM`` when the name carries one."""

    status: Status
    corte: str | None
    reason: str
    release: str | None = None


def ingest(
    package: Path | str,
    *,
    digest_file: Path | str | None = None,
    expected_digest: str | None = None,
    algorithm: str = "sha256",
    root: Path,
    history: Path,
    force: bool = False,
    limits: Limits | None = None,
    keep_releases: int = 3,
) -> IngestOutcome:
    """Publish ``package`` under ``root`` if it is intact, safe and not older than ``current``.

    The digest comes from ``expected_digest``, ``digest_file`` or a sidecar beside the package.
    Package faults give a ``rejected`` outcome (the published site is untouched); environment
    faults (disk full, permissions) raise. Re-ingesting the published package changes nothing.
    """
    package, root, history = Path(package), Path(root), Path(history)
    root.mkdir(parents=True, exist_ok=True)
    history.mkdir(parents=True, exist_ok=True)
    with locked(root):
        recover(root, history)
        if digest_file is None and expected_digest is None:
            digest_file = find_sidecar(package)
        try:
            with private_copy(package, root) as copy:
                outcome = _ingest_locked(
                    copy,
                    digest_file,
                    expected_digest,
                    algorithm,
                    root,
                    history,
                    force,
                    limits or Limits(),
                    keep_releases,
                )
        except PackageError as exc:
            outcome = IngestOutcome("rejected", corte_id(package.name), str(exc))
        except Exception as exc:
            record(history, event="error", package=package.name, reason=repr(exc))
            raise
        record(
            history,
            event=outcome.status,
            package=package.name,
            corte=outcome.corte,
            release=outcome.release,
            reason=outcome.reason,
        )
    return outcome


def _ingest_locked(
    package: Path,
    digest_file: Path | str | None,
    expected: str | None,
    algorithm: str,
    root: Path,
    history: Path,
    force: bool,
    limits: Limits,
    keep: int,
) -> IngestOutcome:
    plan = make_plan(package, digest_file, expected, algorithm)
    current = current_release(root)
    if current == plan.release:
        return IngestOutcome(
            "already-published", plan.corte, "es el corte vigente; no se cambió nada", plan.release
        )
    if current is not None and not force:
        refuse_older(plan, current)
    check_history(history, plan)
    summary = validate(package, limits)
    staging = root / f".staging-{plan.corte}-{secrets.token_hex(4)}"
    extract_safely(package, staging, limits, on_file=pause_once("during-extract"))
    archive_package(history, plan)
    install(root, staging, plan.release)
    switch(root, plan.release)
    prune(root, keep, current=plan.release, history=history)
    kind = {"zip-of-zips": "zip de zips"}.get(summary.format, summary.format)
    reason = f"{counted(summary.files, 'archivo')}, {summary.bytes} bytes ({kind})"
    return IngestOutcome("published", plan.corte, reason, plan.release)
