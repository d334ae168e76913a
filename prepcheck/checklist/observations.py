"""Observations shared by several checks, computed once per difusor through ``Target.memo``."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from prepcheck.archive import corte_from_name, open_package
from prepcheck.archive.official import OfficialPackage, load_official
from prepcheck.checklist.target import Target
from prepcheck.config import Election
from prepcheck.errors import PackageError
from prepcheck.formats.corte import corte_from_main_json
from prepcheck.probes.fetch_many import fetch_and_compare
from prepcheck.probes.tls import scan_tls
from prepcheck.snapshots.files import ExpectedFile, FileOutcome
from prepcheck.snapshots.tls import TlsScan

INTEGRITY_DEADLINE_S = 600.0
MAX_MAIN_JSON_BYTES = 1024 * 1024
_ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
# Background probes wait on child processes; a few threads are plenty.
_BACKGROUND = ThreadPoolExecutor(max_workers=4, thread_name_prefix="prepcheck-prefetch")


RETRY_CONCURRENCY = 4
MAX_RETRIED_FILES = 2_000


def package_files(target: Target, official: OfficialPackage) -> list[FileOutcome]:
    """Every package file fetched from the difusor and compared with the manifest.

    Files that could not be checked (timeouts, resets) are fetched once more at low
    concurrency, so one transient stall is not reported as "no se pudo verificar".
    """

    def fetch(files: list[ExpectedFile], concurrency: int) -> list[FileOutcome]:
        return fetch_and_compare(
            target.base_url,
            files,
            ca_file=target.difusor.ca_file,
            concurrency=concurrency,
            timeout_s=target.difusor.timeout_seconds,
            deadline_s=INTEGRITY_DEADLINE_S,
            content_of=official.file_bytes,
        )

    def compute() -> list[FileOutcome]:
        expected = [ExpectedFile(e.path, e.size, e.sha256) for e in official.manifest]
        if not expected:
            return []
        # One file first: a difusor that does not answer at all costs one timeout, not one per
        # file (thousands), and every file is reported with that reason.
        probe = fetch(expected[:1], 1)[0]
        if probe.kind == "error" and probe.status is None:
            return [_unreachable(exp, probe.reason) for exp in expected]
        outcomes = [probe, *fetch(expected[1:], 16)]
        retry = [exp for exp, got in zip(expected, outcomes, strict=True) if got.kind == "error"]
        if not retry or len(retry) > MAX_RETRIED_FILES:
            return outcomes
        second = {o.path: o for o in fetch(retry, RETRY_CONCURRENCY)}
        return [second.get(o.path, o) if o.kind == "error" else o for o in outcomes]

    return target.memo("package_files", compute)


def _unreachable(expected: ExpectedFile, reason: str) -> FileOutcome:
    return FileOutcome(
        path=expected.path,
        kind="error",
        status=None,
        expected_size=expected.size,
        actual_size=None,
        first_diff_offset=None,
        reason=f"el difusor no respondió: {reason}",
    )


def corte_source_package(election: Election) -> OfficialPackage | None:
    """The configured package, loaded only when it is the sole source of the official corte
    (no ``official_main_json_url`` nor ``official_packages_dir``); see ``official_corte``."""
    if election.official_main_json_url or election.official_packages_dir or not election.package:
        return None
    return load_official(election.package, election.folder)


def official_corte(target: Target, official: OfficialPackage | None) -> tuple[datetime | None, str]:
    """The latest official corte and where it came from, in order of authority:
    ``official_main_json_url``, the newest package in ``official_packages_dir``, the package."""
    election = target.election
    if election.official_main_json_url:
        snapshot = target.get(election.official_main_json_url)
        if snapshot.ok and snapshot.status == 200:
            try:
                return corte_from_main_json(
                    snapshot.body, election.tz
                ), election.official_main_json_url
            except (ValueError, UnicodeDecodeError):
                pass
        return None, f"{election.official_main_json_url} (ilegible o inalcanzable)"
    if election.official_packages_dir is not None:
        newest = _newest_package_corte(election.official_packages_dir, election)
        if newest is not None:
            return newest, str(election.official_packages_dir)
    if official is not None and official.corte is not None:
        return official.corte, official.archive.name
    return None, "sin fuente oficial configurada"


def _newest_package_corte(folder: Path, election: Election) -> datetime | None:
    """The corte of the newest package in ``folder`` (newest by file name).

    The corte is read from the package's own main.json, which carries its offset; the file
    name's local time (offset unknown) is only the fallback, in the election's offset.
    """
    archives = [p for p in folder.iterdir() if p.is_file() and p.name.endswith(_ARCHIVE_SUFFIXES)]
    named = [(corte_from_name(p.name), p) for p in archives]
    known = [(corte, path) for corte, path in named if corte is not None]
    if not known:
        return None
    corte, path = max(known)
    return _corte_inside(path, election) or election.localize(corte)


@lru_cache(maxsize=32)
def _corte_inside(package: Path, election: Election) -> datetime | None:
    wanted = f"{election.folder}/json/main.json"
    try:
        with open_package(package) as reader:
            for entry, stream in reader.iter_files():
                if entry.path == wanted:
                    return corte_from_main_json(stream.read(MAX_MAIN_JSON_BYTES), election.tz)
    except (PackageError, ValueError, UnicodeDecodeError, OSError):
        return None
    return None


def start_tls_scan(target: Target) -> Future[TlsScan]:
    """Start the difusor's TLS scan in the background (once); ``tls_scan`` waits for it.

    The scan runs in its own child process, so starting it early lets its second of work
    overlap the HTTP checks instead of adding to them.
    """

    def start() -> Future[TlsScan]:
        parts = urlsplit(target.base_url)
        settings = target.difusor.transport
        return _BACKGROUND.submit(
            scan_tls,
            parts.hostname or "",
            parts.port or 443,
            ca_file=target.difusor.ca_file,
            timeout_s=settings.tls_scan_timeout_seconds,
            network_timeout_s=settings.tls_network_timeout_seconds,
        )

    return target.memo("tls-scan", start)


def tls_scan(target: Target) -> TlsScan:
    """The difusor's TLS scan (started now if it was not prefetched)."""
    return start_tls_scan(target).result()
