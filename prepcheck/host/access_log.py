"""Read the tail of the live access log (facts for ``host.access-log``).

Contract: ``read_access_log(path)`` reads only the file's tail (the last ``TAIL_BYTES``), never
the whole log, and keeps its last ``SAMPLE_LINES`` non-blank complete lines. It never raises
for what it finds: a missing file, a rotated gzip or an unreadable file is recorded in the
``AccessLogTail``. Only a regular file is read: a named pipe or a device given as the log
would keep the self-test waiting for data that may never come, so it is recorded as unreadable
without a single read. The judging (format, parse rate, age) is
``prepcheck.checks.host.access_log``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from prepcheck.files import open_regular
from prepcheck.memoria.logfiles import GZIP_MAGIC
from prepcheck.snapshots.host import AccessLogTail

TAIL_BYTES = 256 * 1024
SAMPLE_LINES = 200


def tail_lines(handle: BinaryIO, limit: int = SAMPLE_LINES) -> list[str]:
    """The last ``limit`` complete lines among the file's last ``TAIL_BYTES``."""
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
        with open_regular(path) as handle:
            if handle.read(len(GZIP_MAGIC)) == GZIP_MAGIC:
                return AccessLogTail(str(path), datetime.now(UTC), gzip=True)
            lines = tail_lines(handle)
            modified = datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime, UTC)
    except OSError as exc:
        return AccessLogTail(str(path), datetime.now(UTC), error=str(exc.strerror or exc))
    return AccessLogTail(str(path), datetime.now(UTC), lines=tuple(lines), modified=modified)
