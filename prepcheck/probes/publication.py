"""Watching a difusor's site over HTTPS for a corte to appear (or not), bounded in time.

``read_corte`` reads main.json now (no memo). ``await_corte`` polls until main.json names the
awaited corte *and* every file of that package is served byte-identical, or the deadline
passes. ``watch_for_corte`` polls for the whole window and stops early only if the corte
appears (for a package that must never be published). Neither raises for network trouble.
"""

from __future__ import annotations

import hashlib
import time
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from prepcheck.config import Difusor, Election
from prepcheck.formats.corte import corte_from_main_json
from prepcheck.probes.fetch_many import fetch_and_compare
from prepcheck.snapshots.files import ExpectedFile, FileOutcome
from prepcheck.snapshots.http import HttpSnapshot
from prepcheck.snapshots.rehearsal import CorteReading, CorteWatch

POLL_SECONDS = 0.5


class Site(Protocol):
    """The difusor being watched, as these probes need it (the checklist's ``Target``)."""

    @property
    def base_url(self) -> str: ...

    @property
    def main_json_url(self) -> str: ...

    @property
    def election(self) -> Election: ...

    @property
    def difusor(self) -> Difusor: ...

    def get_fresh(self, url: str) -> HttpSnapshot: ...


def expected_files(archive: Path) -> list[ExpectedFile]:
    """Every file of a self-built (trusted) zip package with its size and SHA-256."""
    with zipfile.ZipFile(archive) as package:
        return [
            ExpectedFile(
                info.filename, info.file_size, hashlib.sha256(package.read(info)).hexdigest()
            )
            for info in package.infolist()
            if not info.is_dir()
        ]


def read_corte(target: Site) -> CorteReading:
    """The corte main.json names right now."""
    snapshot = target.get_fresh(target.main_json_url)
    if not snapshot.ok or snapshot.status != 200:
        return CorteReading(None, f"main.json: {snapshot.error or f'HTTP {snapshot.status}'}")
    try:
        return CorteReading(corte_from_main_json(snapshot.body, target.election.tz))
    except (ValueError, UnicodeDecodeError) as exc:
        return CorteReading(None, f"main.json sin corte legible: {exc}")


def compare(target: Site, files: list[ExpectedFile], deadline_s: float) -> list[FileOutcome]:
    """Fetch ``files`` from the difusor and compare them (bounded by ``deadline_s``)."""
    return fetch_and_compare(
        target.base_url,
        files,
        ca_file=target.difusor.ca_file,
        timeout_s=target.difusor.timeout_seconds,
        deadline_s=max(deadline_s, 1.0),
    )


def await_corte(
    target: Site,
    corte: datetime,
    files: list[ExpectedFile],
    deadline_s: float,
    poll_s: float = POLL_SECONDS,
) -> CorteWatch:
    """Poll until ``corte`` is in main.json and ``files`` are all identical, or ``deadline_s``."""
    started = time.monotonic()
    watch = CorteWatch(corte)
    while True:
        elapsed = time.monotonic() - started
        reading = read_corte(target)
        watch = _polled(watch, reading, elapsed)
        if reading.corte == corte:
            outcomes = compare(target, files, deadline_s - elapsed)
            watch = _with_files(watch, outcomes, time.monotonic() - started)
            if watch.verified:
                return watch
        if time.monotonic() - started + poll_s > deadline_s:
            return replace(watch, waited_s=time.monotonic() - started)
        time.sleep(poll_s)


def watch_for_corte(
    target: Site, corte: datetime, window_s: float, poll_s: float = POLL_SECONDS
) -> CorteWatch:
    """Poll main.json for ``window_s`` seconds; stop early if it names ``corte``."""
    started = time.monotonic()
    watch = CorteWatch(corte)
    while True:
        reading = read_corte(target)
        watch = _polled(watch, reading, time.monotonic() - started)
        if watch.appeared or time.monotonic() - started + poll_s > window_s:
            return replace(watch, waited_s=time.monotonic() - started)
        time.sleep(poll_s)


def _polled(watch: CorteWatch, reading: CorteReading, elapsed: float) -> CorteWatch:
    appeared = watch.appeared_s
    if appeared is None and reading.corte == watch.corte:
        appeared = elapsed
    return replace(
        watch, appeared_s=appeared, waited_s=elapsed, polls=watch.polls + 1, last=reading
    )


def _with_files(watch: CorteWatch, outcomes: list[FileOutcome], elapsed: float) -> CorteWatch:
    identical = bool(outcomes) and all(o.kind == "identical" for o in outcomes)
    return replace(
        watch, verified_s=elapsed if identical else None, waited_s=elapsed, files=outcomes
    )
