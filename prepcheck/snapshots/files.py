"""Package files expected from the official package, and what the difusor served for each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OutcomeKind = Literal["identical", "modified", "missing", "error"]


@dataclass(frozen=True)
class ExpectedFile:
    """One file of the official package: its URL path relative to the base ('/'-separated)."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class FileOutcome:
    """What the difusor served for one expected file.

    ``status`` is the HTTP status (None when no response was received); ``actual_size`` is the
    decoded body size (None when unknown: no body, or transfer aborted past the cap);
    ``first_diff_offset`` is the 0-based offset of the first differing byte when it could be
    computed. ``reason`` is a short Spanish explanation for reports.
    """

    path: str
    kind: OutcomeKind
    status: int | None
    expected_size: int
    actual_size: int | None
    first_diff_offset: int | None
    reason: str
    detail: str | None = None  # the system's own words (libcurl), for the evidence
