"""``Target``: one difusor under test, the domain object every suite test receives.

It holds the difusor's configuration, the election rules and the shared official package, and
memoizes probe results so that several checks reading the same response cost one request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from prepcheck.config import Difusor, Election
from prepcheck.probes.http import fetch, fetch_following, make_client
from prepcheck.snapshots.http import HttpSnapshot

if TYPE_CHECKING:
    from prepcheck.archive.official import OfficialPackage

T = TypeVar("T")


class Target:
    """A difusor seen through the harness: URLs, cached HTTP probes, the official package."""

    def __init__(
        self, difusor: Difusor, election: Election, package: OfficialPackage | None
    ) -> None:
        self.difusor = difusor
        self.election = election
        self.package = package
        self._snapshots: dict[tuple[str, tuple[tuple[str, str], ...]], HttpSnapshot] = {}
        self._chains: dict[str, list[HttpSnapshot]] = {}
        self._memo: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Target({self.difusor.name!r}, {self.difusor.base_url!r})"

    @property
    def name(self) -> str:
        return self.difusor.name

    @property
    def base_url(self) -> str:
        return self.difusor.base_url

    @property
    def folder_url(self) -> str:
        return self.difusor.folder_url(self.election.folder)

    @property
    def main_json_url(self) -> str:
        return self.difusor.main_json_url(self.election.folder)

    @cached_property
    def client(self) -> httpx.Client:
        return make_client(self.difusor.ca_file, self.difusor.timeout_seconds)

    def get(self, url: str, headers: dict[str, str] | None = None) -> HttpSnapshot:
        """GET ``url`` once per run (memoized by URL and request headers)."""
        key = (url, tuple(sorted((headers or {}).items())))
        if key not in self._snapshots:
            self._snapshots[key] = fetch(self.client, url, headers=headers)
        return self._snapshots[key]

    def get_fresh(self, url: str, headers: dict[str, str] | None = None) -> HttpSnapshot:
        """GET ``url`` now, bypassing the memo (for checks that observe change over time)."""
        return fetch(self.client, url, headers=headers)

    def chain(self, url: str) -> list[HttpSnapshot]:
        """The redirect chain of ``url`` (memoized)."""
        if url not in self._chains:
            self._chains[url] = fetch_following(self.client, url)
        return self._chains[url]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute an expensive observation once per run (shared by several checks)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
