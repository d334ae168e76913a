"""Reading access-log files as a stream: plain or gzip-rotated, ordered oldest first.

Contract: ``iter_lines(path)`` yields ``(line_number, text)`` one line at a time (never the whole
file), decoding UTF-8 with replacement; gzip is detected by its magic bytes, not the name. A
truncated or corrupt gzip stops that file and is reported through ``problems`` (never raised).
``order_files`` sorts paths by the time of their first parsable line (rotated files first).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, cast

from prepcheck.files import why
from prepcheck.formats.logformat import LogFormat

#: The first two bytes of every gzip member.
GZIP_MAGIC = b"\x1f\x8b"
_PROBE_LINES = 50
#: The longest line kept (a log line is a few hundred bytes; the rest of a longer one is
#: skipped).
MAX_LINE_BYTES = 64 * 1024


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def _open(path: Path) -> IO[bytes]:
    if is_gzip(path):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def iter_lines(path: Path, problems: list[str] | None = None) -> Iterator[tuple[int, str]]:
    """Yield ``(number, line)`` from ``path``; decoding and gzip faults go to ``problems``.

    A line is at most ``MAX_LINE_BYTES`` (the rest of a longer one is skipped unread into
    memory): a log line is a few hundred bytes, and a file with no newline at all must not be
    held whole."""
    number = 0
    try:
        with _open(path) as raw:
            while line := raw.readline(MAX_LINE_BYTES):
                number += 1
                if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
                    _skip_rest_of_line(raw)
                yield number, line.decode("utf-8", errors="replace")
    except (EOFError, OSError, zlib.error) as exc:
        if problems is None:
            raise
        problems.append(f"{path.name}: lectura interrumpida tras la línea {number} ({_why(exc)})")


def _skip_rest_of_line(raw: IO[bytes]) -> None:
    while (rest := raw.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
        pass


def _why(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "el archivo comprimido está truncado"
    if isinstance(exc, zlib.error | gzip.BadGzipFile):
        return "el archivo comprimido está dañado"
    assert isinstance(exc, OSError)
    return why(exc)


def first_time(path: Path, log_format: LogFormat) -> datetime | None:
    """Time of the first of the first lines that parses, or None."""
    try:
        for number, line in iter_lines(path, problems=[]):
            record = log_format.parse(line)
            if record is not None:
                return record.time
            if number >= _PROBE_LINES:
                break
    except OSError:
        return None
    return None


def order_files(paths: Sequence[Path], log_format: LogFormat) -> list[Path]:
    """Oldest first by first parsable line; files with none keep their given order, last."""
    keyed = [(first_time(path, log_format), index, path) for index, path in enumerate(paths)]
    dated = sorted((t, i, p) for t, i, p in keyed if t is not None)
    undated = [p for t, _, p in keyed if t is None]
    return [p for _, _, p in dated] + undated
