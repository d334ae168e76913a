"""What the self-test read on the difusor's own host: free space, the history folder, the log.

Contract: plain frozen data (no I/O). A collector (``prepcheck.host``) never raises for what it
finds: a folder it cannot measure or list, or a log it cannot read, is recorded here with the
operating system's reason, and the ``host.*`` evaluators (``prepcheck.checks.host``) judge it.
Paths are kept as text, exactly as the operator named them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class Filesystem:
    """statvfs figures of one filesystem; ``free_bytes`` is what a non-root user may use."""

    mount_point: str
    device: int
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class FolderSpace:
    """One folder the self-test measured (``label`` names its role, in Spanish): the
    filesystem holding it, or ``error`` (why it could not be measured) and no filesystem."""

    label: str
    path: str
    filesystem: Filesystem | None
    error: str | None = None


class Digest(StrEnum):
    """How a kept package compares with its digest sidecar."""

    INTACT = "intact"
    NO_SIDECAR = "no_sidecar"
    MISMATCH = "mismatch"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class KeptPackage:
    """One package file in the history folder; ``detail`` says why it is not intact."""

    name: str
    digest: Digest
    detail: str = ""


@dataclass(frozen=True)
class IngestLog:
    """``ingest.log`` as read: the package names it records as published and how many of its
    lines were not JSON objects; ``error`` when the file exists but could not be read."""

    published: frozenset[str] = frozenset()
    unreadable_lines: int = 0
    error: str | None = None


@dataclass(frozen=True)
class HistoryFolder:
    """The history folder: its packages (verified against their sidecars, name order), the
    digest files found (names), and ``ingest.log`` (None when there is none).

    ``is_folder`` is False when the path does not exist or is not a folder; ``error`` says
    why an existing folder could not be listed. Hidden files and ``ingest.log`` are neither
    packages nor sidecars.
    """

    path: str
    is_folder: bool
    packages: tuple[KeptPackage, ...] = ()
    sidecars: tuple[str, ...] = ()
    ingest_log: IngestLog | None = None
    error: str | None = None


@dataclass(frozen=True)
class AccessLogTail:
    """The tail of the live access log, read at ``read_at`` (aware, UTC).

    ``exists`` is False when there is no such file; ``gzip`` True when it is a rotated,
    compressed log (then nothing else is read); ``error`` says why it could not be read.
    Otherwise ``lines`` are its last non-blank complete lines (oldest first) and ``modified``
    its modification time (aware, UTC).
    """

    path: str
    read_at: datetime
    exists: bool = True
    gzip: bool = False
    lines: tuple[str, ...] = ()
    modified: datetime | None = None
    error: str | None = None
