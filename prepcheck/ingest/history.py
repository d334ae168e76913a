"""The history folder: every accepted package kept once, and the append-only ingest log.

Contract: :func:`archive_package` stores the package and its digest sidecar, never replacing
an existing file (a different file under the same name is a PackageError);
:func:`record` appends one fsynced JSON line to ``history/ingest.log`` and logs it on the
``prepcheck.ingest`` logger (warning for rejections and quarantines).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prepcheck.archive.digest import SIDECAR_SUFFIXES, file_digest
from prepcheck.errors import PackageError
from prepcheck.ingest.plan import Plan

log = logging.getLogger("prepcheck.ingest")  # one logger for the whole procedure

LOG_NAME = "ingest.log"
_KEPT_DIFFERENT = "el histórico ya guarda otro archivo distinto con este nombre; no se sobrescribe"


def check_history(history: Path, plan: Plan) -> None:
    """PackageError when history holds a different file under the package's name."""
    kept = history / plan.package.name
    if kept.exists() and file_digest(kept, "sha256") != plan.sha256:
        raise PackageError(_KEPT_DIFFERENT, package=plan.package.name)


def archive_package(history: Path, plan: Plan) -> None:
    """Copy the package and its digest into history, never replacing an existing file."""
    _store_once(history / plan.package.name, plan.package)
    sidecar = f"{plan.digest}  {plan.package.name}\n".encode()
    suffix = next(s for s, name in SIDECAR_SUFFIXES.items() if name == plan.algorithm)
    _store_once(history / f"{plan.package.name}{suffix}", sidecar)


def _store_once(dest: Path, source: Path | bytes) -> None:
    wanted = file_digest(source) if isinstance(source, Path) else hashlib.sha256(source).hexdigest()
    if dest.exists():
        if file_digest(dest) != wanted:
            raise PackageError(_KEPT_DIFFERENT, package=str(dest))
        return
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    try:
        _write_synced(tmp, source)
        os.link(tmp, dest)  # fails instead of overwriting if a racer stored it first
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(dest.parent)


def _write_synced(dest: Path, source: Path | bytes) -> None:
    with open(dest, "xb") as out:
        if isinstance(source, Path):
            with open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
        else:
            out.write(source)
        out.flush()
        os.fsync(out.fileno())


def record(history: Path, **event: Any) -> None:
    """Append one JSON line to ``history/ingest.log`` (fsynced) and log it."""
    line = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **event}
    level = logging.WARNING if event.get("event") in ("rejected", "quarantined") else logging.INFO
    log.log(level, "ingest %s", json.dumps(line, ensure_ascii=False))
    fd = os.open(history / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


def fsync_dir(path: Path) -> None:
    """fsync(2) a directory so renames and links in it are durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
