"""Read the tail of the live access log (facts for ``host.access-log``).

Contract: ``read_access_log(path)`` reads only the file's tail (the last ``TAIL_BYTES``), never
the whole log, and keeps its last ``SAMPLE_LINES`` non-blank complete lines. It never raises
for what it finds: a missing file, a rotated gzip or an unreadable file is recorded in the
``AccessLogTail``. The judging (format, parse rate, age) is
``prepcheck.checks.host.access_log``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from prepcheck.memoria.logfiles import is_gzip
from prepcheck.snapshots.host import AccessLogTail

TAIL_BYTES = 256 * 1024
SAMPLE_LINES = 200


def tail_lines(path: Path, limit: int = SAMPLE_LINES) -> list[str]:
    """The last ``limit`` complete lines among the file's last ``TAIL_BYTES``."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL_BYTES))
        data = handle.read()
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > TAIL_BYTES and lines:
        lines = lines[1:]  # the first one is probably cut
    return [line for line in lines if line.strip()][-limit:]


def read_access_log(path: Path) -> AccessLogTail:
    """The tail of ``path`` (see the module contract)."""
    if not path.exists():
        return AccessLogTail(str(path), datetime.now(UTC), exists=False)
    try:
        if is_gzip(path):
            return AccessLogTail(str(path), datetime.now(UTC), gzip=True)
        lines = tail_lines(path)
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        return AccessLogTail(str(path), datetime.now(UTC), error=str(exc.strerror or exc))
    return AccessLogTail(str(path), datetime.now(UTC), lines=tuple(lines), modified=modified)
