"""The published tree under ``root``: the lock, recovery, installing a release, the switch.

Contract: :func:`locked` serialises ingests with flock(2) on ``root/.ingest.lock``;
:func:`recover` removes ``.staging-*``, ``current.tmp`` and history temporaries left by a
killed run (never the published tree); :func:`install` moves a complete extraction into
``releases/`` (fsynced); :func:`switch` repoints ``current`` with one rename(2) of a symlink;
:func:`prune` keeps the newest releases and always the current one.

Test hook: ``PREPCHECK_INGEST_PAUSE=<point>`` makes :func:`pause` print
``PREPCHECK_INGEST_PAUSED <point>`` on stderr and sleep ``PREPCHECK_INGEST_PAUSE_SECONDS``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prepcheck.archive import Entry
from prepcheck.errors import PackageError
from prepcheck.ingest.history import fsync_dir, record

PAUSE_ENV = "PREPCHECK_INGEST_PAUSE"
PAUSE_SECONDS_ENV = "PREPCHECK_INGEST_PAUSE_SECONDS"


def current_release(root: Path) -> str | None:
    """The release ``root/current`` points to, or None before the first publication."""
    link = root / "current"
    if not link.is_symlink():
        if link.exists():
            raise PackageError(
                "no es un enlace simbólico; muévalo a otro lugar para publicar con esta "
                "organización de carpetas",
                package=str(link),
            )
        return None
    return Path(os.readlink(link)).name


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the exclusive ingest lock of ``root`` (released by the kernel even on kill -9)."""
    with open(root / ".ingest.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released by the kernel even on kill -9
        yield


def recover(root: Path, history: Path) -> None:
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
        record(history, event="recovered", removed=str(path))


def install(root: Path, staging: Path, release: str) -> None:
    """Move a complete extraction to ``releases/<release>`` (replacing a killed run's)."""
    releases = root / "releases"
    releases.mkdir(exist_ok=True)
    target = releases / release
    if target.exists():  # built by a run killed before its switch; rebuilt from scratch
        shutil.rmtree(target)
    os.rename(staging, target)
    fsync_dir(releases)


def switch(root: Path, release: str) -> None:
    """Point ``current`` at the release with one rename(2) of a symlink."""
    tmp_link = root / "current.tmp"
    tmp_link.unlink(missing_ok=True)
    os.symlink(f"releases/{release}", tmp_link)
    pause("before-switch")
    os.replace(tmp_link, root / "current")
    fsync_dir(root)
    pause("after-switch")


def prune(root: Path, keep: int, *, current: str, history: Path) -> None:
    """Keep the newest ``keep`` releases (by corte) and always the current one."""
    releases = sorted(path.name for path in (root / "releases").iterdir())
    kept = {*releases[-keep:], current} if keep > 0 else {current}
    for name in releases:
        if name not in kept:
            shutil.rmtree(root / "releases" / name)
            record(history, event="pruned", release=name)


def pause(point: str) -> None:
    """The test hook: pause here when ``PREPCHECK_INGEST_PAUSE`` names this point."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    print(f"PREPCHECK_INGEST_PAUSED {point}", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "60")))


def pause_once(point: str) -> Callable[[Entry], None]:
    """An extraction hook that runs :func:`pause` before the first file only."""
    done: list[bool] = []

    def hook(_entry: Entry) -> None:
        if not done:
            done.append(True)
            pause(point)

    return hook
