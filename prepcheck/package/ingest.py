"""The reference ingest procedure: verify, validate, extract, switch atomically, keep history.

This is the "procedimiento automático para verificar la integridad y descomprimir" of the
convocatoria, in a form difusores can adopt; the reference difusor uses it.

On-disk layout::

    root/
      current -> releases/<release>    relative symlink: web servers serve root/current
      releases/<release>/              one extracted package; <release> = <corte>-<sha256[:12]>,
                                       <corte> = YYYYMMDD_HHMM from the package file name
      .staging-<corte>-<random>/       transient extraction folder (same filesystem as root)
      current.tmp                      transient symlink renamed over ``current``
      .ingest.lock                     flock(2) lock serialising ingests
    history/
      <package name>                   every package accepted, never overwritten
      <package name>.<algorithm>       its digest in sha256sum format
      ingest.log                       append-only JSON lines, one per event

Atomicity: the new corte is complete and fsynced in ``releases/`` before ``current`` is
switched with a single rename(2) of a symlink, so a reader resolving ``current`` sees the old
tree or the new one, never a mix. (Web servers must resolve ``current`` per request: nginx
``root /srv/prep/current;`` does; keep ``open_file_cache`` off or short.)

The upload is first copied to ``root/.staging-upload-<random>/`` and only that copy is
verified, validated, extracted and archived, so an upload rewritten meanwhile cannot slip
unverified bytes in.

Recovery: a ``.staging-*`` folder or ``current.tmp`` left by a killed run is removed by the
next ingest; a release folder without the switch is rebuilt.

Test hook: ``PREPCHECK_INGEST_PAUSE=during-extract|before-switch|after-switch`` makes ingest
print ``PREPCHECK_INGEST_PAUSED <point>`` on stderr and sleep
``PREPCHECK_INGEST_PAUSE_SECONDS`` (default 60) at that point, so tests can kill -9 it there.
Never set it in production.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from threading import Event
from typing import Any, Literal

from prepcheck.errors import PackageError
from prepcheck.package.archive import Entry, Limits, corte_id, validate
from prepcheck.package.digest import (
    SIDECAR_SUFFIXES,
    file_digest,
    find_sidecar,
    verify_digest,
)
from prepcheck.package.extract import extract_safely

log = logging.getLogger(__name__)

PAUSE_ENV = "PREPCHECK_INGEST_PAUSE"
PAUSE_SECONDS_ENV = "PREPCHECK_INGEST_PAUSE_SECONDS"
LOG_NAME = "ingest.log"
_TEMP_SUFFIXES = (".part", ".partial", ".filepart", ".tmp", ".reason.txt")

Status = Literal["published", "already-published", "rejected"]


@dataclass(frozen=True)
class IngestOutcome:
    """What one ingest did. ``corte`` is ``YYYYMMDD_HHMM`` when the name carries one."""

    status: Status
    corte: str | None
    reason: str
    release: str | None = None


@dataclass(frozen=True)
class _Plan:
    package: Path
    corte: str
    algorithm: str
    digest: str
    sha256: str

    @property
    def release(self) -> str:
        return f"{self.corte}-{self.sha256[:12]}"


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
    with _locked(root):
        _recover(root, history)
        if digest_file is None and expected_digest is None:
            digest_file = find_sidecar(package)
        try:
            with _private_copy(package, root) as copy:
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
            _record(history, event="error", package=package.name, reason=repr(exc))
            raise
        _record(
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
    plan = _plan(package, digest_file, expected, algorithm)
    current = current_release(root)
    if current == plan.release:
        return IngestOutcome(
            "already-published", plan.corte, "already the current corte", plan.release
        )
    if current is not None and not force:
        _refuse_older(plan, current)
    _check_history(history, plan)
    summary = validate(package, limits)
    staging = root / f".staging-{plan.corte}-{secrets.token_hex(4)}"
    extract_safely(package, staging, limits, on_file=_pause_once("during-extract"))
    _archive(history, plan)
    _install(root, staging, plan.release)
    _switch(root, plan.release)
    _prune(root, keep, current=plan.release, history=history)
    reason = f"{summary.files} files, {summary.bytes} bytes ({summary.format})"
    return IngestOutcome("published", plan.corte, reason, plan.release)


def _plan(
    package: Path, digest_file: Path | str | None, expected: str | None, algorithm: str
) -> _Plan:
    corte = corte_id(package.name)
    if corte is None:
        raise PackageError("file name does not start with YYYYMMDD_HHMM_PREP", package=package.name)
    if digest_file is None and expected is None:
        raise PackageError(
            "no digest given and no .sha256/.sha512/.md5 sidecar found", package=package.name
        )
    algorithm, digest = verify_digest(
        package, expected=expected, sidecar=digest_file, algorithm=algorithm
    )
    sha256 = digest if algorithm == "sha256" else file_digest(package, "sha256")
    return _Plan(package, corte, algorithm, digest, sha256)


@contextmanager
def _private_copy(package: Path, root: Path) -> Iterator[Path]:
    """Copy the upload into ``root``: what is verified is then exactly what gets extracted,
    even if the upload changes meanwhile. The copy keeps the upload's name (sidecar lines)."""
    if not package.is_file():
        raise PackageError("package file not found or not a regular file", package=str(package))
    holder = root / f".staging-upload-{secrets.token_hex(4)}"
    holder.mkdir()
    try:
        copy = holder / package.name
        shutil.copyfile(package, copy)
        yield copy
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def _refuse_older(plan: _Plan, current: str) -> None:
    current_corte = current.split("-", 1)[0]
    if plan.corte < current_corte:
        raise PackageError(
            f"corte {plan.corte} is older than the published {current_corte}; "
            "use force to roll back",
            package=plan.package.name,
        )
    if plan.corte == current_corte:
        raise PackageError(
            f"corte {plan.corte} is already published from a different package "
            f"({current}); use force to replace it",
            package=plan.package.name,
        )


def current_release(root: Path) -> str | None:
    """The release ``root/current`` points to, or None before the first publication."""
    link = root / "current"
    if not link.is_symlink():
        if link.exists():
            raise PackageError(
                "is not a symlink; move it aside to adopt this layout", package=str(link)
            )
        return None
    return Path(os.readlink(link)).name


# --- history ---------------------------------------------------------------------------------


def _check_history(history: Path, plan: _Plan) -> None:
    kept = history / plan.package.name
    if kept.exists() and file_digest(kept, "sha256") != plan.sha256:
        raise PackageError(
            "history already holds a different file with this name; refusing to overwrite it",
            package=plan.package.name,
        )


def _archive(history: Path, plan: _Plan) -> None:
    """Copy the package and its digest into history, never replacing an existing file."""
    _store_once(history / plan.package.name, plan.package)
    sidecar = f"{plan.digest}  {plan.package.name}\n".encode()
    suffix = next(s for s, name in SIDECAR_SUFFIXES.items() if name == plan.algorithm)
    _store_once(history / f"{plan.package.name}{suffix}", sidecar)


def _store_once(dest: Path, source: Path | bytes) -> None:
    wanted = file_digest(source) if isinstance(source, Path) else hashlib.sha256(source).hexdigest()
    if dest.exists():
        if file_digest(dest) != wanted:
            raise PackageError(
                "history already holds a different file with this name; refusing to overwrite it",
                package=str(dest),
            )
        return
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    try:
        _write_synced(tmp, source)
        os.link(tmp, dest)  # fails instead of overwriting if a racer stored it first
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(dest.parent)


def _write_synced(dest: Path, source: Path | bytes) -> None:
    with open(dest, "xb") as out:
        if isinstance(source, Path):
            with open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
        else:
            out.write(source)
        out.flush()
        os.fsync(out.fileno())


def _record(history: Path, **event: Any) -> None:
    """Append one JSON line to ``history/ingest.log`` (fsynced) and log it."""
    line = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **event}
    level = logging.WARNING if event.get("event") in ("rejected", "quarantined") else logging.INFO
    log.log(level, "ingest %s", json.dumps(line, ensure_ascii=False))
    fd = os.open(history / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


# --- publication -----------------------------------------------------------------------------


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    with open(root / ".ingest.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released by the kernel even on kill -9
        yield


def _recover(root: Path, history: Path) -> None:
    """Remove what a killed run left behind; the published tree is never touched."""
    leftovers = [*root.glob(".staging-*"), *history.glob(".*.tmp")]
    tmp_link = root / "current.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        leftovers.append(tmp_link)
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        _record(history, event="recovered", removed=str(path))


def _install(root: Path, staging: Path, release: str) -> None:
    releases = root / "releases"
    releases.mkdir(exist_ok=True)
    target = releases / release
    if target.exists():  # built by a run killed before its switch; rebuilt from scratch
        shutil.rmtree(target)
    os.rename(staging, target)
    _fsync_dir(releases)


def _switch(root: Path, release: str) -> None:
    tmp_link = root / "current.tmp"
    tmp_link.unlink(missing_ok=True)
    os.symlink(f"releases/{release}", tmp_link)
    _pause("before-switch")
    os.replace(tmp_link, root / "current")
    _fsync_dir(root)
    _pause("after-switch")


def _prune(root: Path, keep: int, *, current: str, history: Path) -> None:
    """Keep the newest ``keep`` releases (by corte) and always the current one."""
    releases = sorted(path.name for path in (root / "releases").iterdir())
    kept = {*releases[-keep:], current} if keep > 0 else {current}
    for name in releases:
        if name not in kept:
            shutil.rmtree(root / "releases" / name)
            _record(history, event="pruned", release=name)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pause(point: str) -> None:
    if os.environ.get(PAUSE_ENV) != point:
        return
    print(f"PREPCHECK_INGEST_PAUSED {point}", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "60")))


def _pause_once(point: str) -> Callable[[Entry], None]:
    done: list[bool] = []

    def hook(_entry: Entry) -> None:
        if not done:
            done.append(True)
            _pause(point)

    return hook


# --- watch mode ------------------------------------------------------------------------------


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
        log.exception("ingest of %s failed; it stays in the upload folder for a retry", archive)
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
    _record(
        history, event="quarantined", package=archive.name, to=str(quarantine / name), reason=reason
    )
