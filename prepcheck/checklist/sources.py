"""Where the official facts come from: the official package and the latest official corte.

Contract: ``load_package`` returns the configured official package, downloaded first when
given by URL and verified (``archive.official``), or None when none is configured; a download
that fails gives a package whose digest facts say so, never an exception. ``official_corte``
answers, in order of authority: ``official_main_json_url``, the newest package in
``official_packages_dir``, the configured package.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from prepcheck.archive import corte_from_name, open_package
from prepcheck.archive.official import DigestFacts, OfficialPackage, SafetyFacts, load_official
from prepcheck.config import Difusor, Election
from prepcheck.errors import PackageError, ProbeError
from prepcheck.formats.corte import MAX_MAIN_JSON_BYTES, corte_from_main_json
from prepcheck.probes.http import fetch, make_client
from prepcheck.probes.official_download import download_package
from prepcheck.snapshots.http import HttpSnapshot

_ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")


class Fetcher(Protocol):
    election: Election

    def get(self, url: str) -> HttpSnapshot: ...


def current_official_corte(
    election: Election, difusor: Difusor, official: OfficialPackage | None
) -> tuple[datetime | None, str]:
    """``official_corte`` read now, with one fresh request (monitor rounds, load plans); the
    official main.json is fetched trusting ``difusor``'s CA, as the difusor's own site is."""
    fetcher = _FreshFetcher(election, difusor)
    try:
        return official_corte(fetcher, lambda: official)
    except OSError as exc:  # e.g. official_packages_dir unmounted mid-night: no official corte
        return None, f"fuente oficial ilegible: {exc.strerror or exc}"


class _FreshFetcher:
    """One GET with a client made only when a URL is asked for (most sources need none)."""

    def __init__(self, election: Election, difusor: Difusor) -> None:
        self.election = election
        self.difusor = difusor

    def get(self, url: str) -> HttpSnapshot:
        with make_client(self.difusor.ca_file, self.difusor.timeout_seconds) as client:
            return fetch(client, url)


def load_package(election: Election) -> OfficialPackage | None:
    """The configured official package, verified (see the module contract)."""
    source = election.package
    if source is None:
        return None
    if source.path is not None:
        return load_official(source.path, source, election.folder, tz=election.tz)
    assert source.url is not None
    try:
        archive = download_package(source.url)
    except ProbeError as exc:
        problem = f"no se pudo descargar el paquete oficial: {exc}"
        return OfficialPackage(
            Path(source.url.rsplit("/", 1)[-1] or "paquete"),
            election.folder,
            DigestFacts(source.algorithm, None, None, problem),
            SafetyFacts(None, problem),
            election.tz,
        )
    return load_official(archive, source, election.folder, tz=election.tz)


def corte_source_package(election: Election) -> OfficialPackage | None:
    """The configured package, loaded only when it is the sole source of the official corte
    (no ``official_main_json_url`` nor ``official_packages_dir``); see ``official_corte``."""
    if election.official_main_json_url or election.official_packages_dir or not election.package:
        return None
    return load_package(election)


def official_corte(
    target: Fetcher, official: Callable[[], OfficialPackage | None]
) -> tuple[datetime | None, str]:
    """The latest official corte and where it came from (see the module contract)."""
    election = target.election
    if election.official_main_json_url:
        snapshot = target.get(election.official_main_json_url)
        if snapshot.ok and snapshot.status == 200:
            try:
                return corte_from_main_json(snapshot.body, election.tz), (
                    election.official_main_json_url
                )
            except ValueError:
                pass
        return None, f"{election.official_main_json_url} (ilegible o inalcanzable)"
    if election.official_packages_dir is not None:
        newest = _newest_package_corte(election.official_packages_dir, election)
        if newest is not None:
            return newest, str(election.official_packages_dir)
    package = official()
    if package is not None and package.corte is not None:
        return package.corte, package.archive.name
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
    except (PackageError, ValueError, OSError):
        return None
    return None
