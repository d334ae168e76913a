"""``Target``: one difusor under test, seen through the probes (the checks' ``Observer``).

Contract: every observation is made at most once per run and remembered, failures included,
so checks that depend on a failed observation report the same reason at once. Within a run:

* a request to an origin that already failed without an HTTP answer (refused, reset, TLS,
  timeout) is not sent again: it returns the first failure at once;
* every observation is bounded by the difusor's budget (``Budget``): timeouts shrink to what
  is left, and once the budget is spent every new observation is ``Unobserved`` saying so;
* nothing here raises for what a site does: probes return snapshots with their ``error``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from prepcheck.archive.official import NO_PACKAGE, OfficialPackage
from prepcheck.checklist import sources
from prepcheck.config import Difusor, Election
from prepcheck.probes.cache_probe import probe_main_json_caching
from prepcheck.probes.fetch_many import fetch_and_compare
from prepcheck.probes.http import fetch, fetch_following, make_client
from prepcheck.probes.rehearsal import rehearse_corrupt, rehearse_valid
from prepcheck.probes.sftp import measure_upload, probe_write
from prepcheck.probes.tls import scan_tls
from prepcheck.snapshots.files import ExpectedFile, FileOutcome
from prepcheck.snapshots.http import HttpSnapshot, LabelledSnapshot
from prepcheck.snapshots.observer import Unobserved
from prepcheck.snapshots.pages import RenderObservation
from prepcheck.snapshots.rehearsal import Rehearsal
from prepcheck.snapshots.sftp import SftpOutcome
from prepcheck.snapshots.tls import TlsScan

T = TypeVar("T")
#: Upper bound of the whole-package fetch, before the budget shrinks it.
INTEGRITY_DEADLINE_S = 600.0
RETRY_CONCURRENCY = 4
MAX_RETRIED_FILES = 2_000
# Background observations wait on child processes or sockets; a few threads are plenty.
_BACKGROUND = ThreadPoolExecutor(max_workers=4, thread_name_prefix="prepcheck-prefetch")

RenderObserver = Callable[["Target"], RenderObservation]


class Budget:
    """The difusor's time budget: a deadline every observation is bounded by."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def bound(self, seconds: float) -> float:
        """``seconds``, or what is left of the budget when that is less (never below 0.1)."""
        return max(0.1, min(seconds, self.remaining()))

    def require(self, observation: str) -> None:
        """``Unobserved`` when the budget is spent (nothing new may start)."""
        if self.remaining() <= 0:
            raise Unobserved(
                observation,
                f"se agotó el presupuesto de {self.seconds:g} s de este difusor "
                "(difusor.budget_seconds) antes de observarlo",
            )


class Target:
    """A difusor seen through the harness (see the module contract)."""

    def __init__(
        self,
        difusor: Difusor,
        election: Election,
        official: Callable[[], OfficialPackage | None],
        *,
        budget: Budget,
        render: RenderObserver | None = None,
    ) -> None:
        self.difusor = difusor
        self.election = election
        self.budget = budget
        self._official = official
        self._render = render
        self._memo: dict[str, Any] = {}
        self._down: dict[str, str] = {}
        self._down_how: dict[str, tuple[str | None, str | None]] = {}  # kind, system's words

    def __repr__(self) -> str:
        return f"Target({self.difusor.name!r}, {self.difusor.base_url!r})"

    # -- addresses ------------------------------------------------------------------------------

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
    def entry_url(self) -> str:
        """The page citizens are sent to: ``entry_url`` when configured, else the folder."""
        configured = self.difusor.entry_url
        return urljoin(self.folder_url, configured) if configured else self.folder_url

    @property
    def main_json_url(self) -> str:
        return self.difusor.main_json_url(self.election.folder)

    # -- memo -----------------------------------------------------------------------------------

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per run; an ``Unobserved`` failure is remembered and re-raised."""
        if key not in self._memo:
            try:
                self._memo[key] = compute()
            except Unobserved as missing:
                self._memo[key] = missing
        found = self._memo[key]
        if isinstance(found, Unobserved):
            raise found
        return found

    # -- HTTP -----------------------------------------------------------------------------------

    @cached_property
    def client(self) -> httpx.Client:
        return make_client(self.difusor.ca_file, self.difusor.timeout_seconds)

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> HttpSnapshot:
        """GET ``url`` once per run (memoized by URL and request headers)."""
        key = f"get {url} {sorted((headers or {}).items())}"
        return self.memo(key, lambda: self.get_fresh(url, headers))

    def get_fresh(self, url: str, headers: Mapping[str, str] | None = None) -> HttpSnapshot:
        """GET ``url`` now, bypassing the memo (for checks that observe change over time);
        at once when the origin already failed, or when the budget is spent."""
        origin = _origin(url)
        if origin in self._down:
            return self._down_snapshot(url, origin, headers)
        if self.budget.remaining() <= 0:
            return HttpSnapshot(
                url=url, error=_spent(self.budget), request_headers=dict(headers or {})
            )
        deadline = self.budget.bound(3 * self.difusor.timeout_seconds)
        snapshot = fetch(self.client, url, headers=headers, deadline_s=deadline)
        if snapshot.status is None and snapshot.error is not None:
            self._down[origin] = f"{snapshot.error} (no se reintenta en esta revisión)"
            self._down_how[origin] = (snapshot.error_kind, snapshot.error_detail)
        return snapshot

    def _down_snapshot(
        self, url: str, origin: str, headers: Mapping[str, str] | None
    ) -> HttpSnapshot:
        """The failure of an origin not asked again, with its kind and the system's words."""
        kind, detail = self._down_how.get(origin, (None, None))
        return HttpSnapshot(
            url=url,
            error=self._down[origin],
            request_headers=dict(headers or {}),
            error_kind=kind,
            error_detail=detail,
        )

    def chain(self, url: str) -> list[HttpSnapshot]:
        """The redirect chain of ``url`` (memoized)."""

        def follow() -> list[HttpSnapshot]:
            origin = _origin(url)
            if origin in self._down:
                return [self._down_snapshot(url, origin, None)]
            self.budget.require("cadena de redirecciones")
            deadline = self.budget.bound(3 * self.difusor.timeout_seconds)
            return fetch_following(self.client, url, deadline_s=deadline)

        return self.memo(f"chain {url}", follow)

    def main_json_caching(self) -> list[LabelledSnapshot]:
        pause = self.difusor.transport.cache_probe_seconds
        return self.memo(
            "main.json caching",
            lambda: probe_main_json_caching(self.get_fresh, self.main_json_url, pause_s=pause),
        )

    # -- the official package -------------------------------------------------------------------

    def official(self) -> OfficialPackage:
        package = self._official()
        if package is None:
            raise Unobserved("paquete oficial", NO_PACKAGE)
        return package

    def usable_official(self) -> OfficialPackage:
        package = self.official()
        if not package.usable:
            raise Unobserved("paquete oficial", package.unusable_reason())
        return package

    def official_corte(self) -> tuple[datetime | None, str]:
        return self.memo("official corte", lambda: sources.official_corte(self, self._official))

    def package_files(self) -> list[FileOutcome]:
        """Every package file fetched from the difusor and compared with the manifest.

        Files that could not be checked (timeouts, resets) are fetched once more at low
        concurrency within what is left of the budget, so one transient stall is not reported
        as "no se pudo verificar".
        """
        return self.memo("package files", self._package_files)

    def _package_files(self) -> list[FileOutcome]:
        official = self.usable_official()
        self.budget.require("archivos del paquete")
        expected = [ExpectedFile(e.path, e.size, e.sha256) for e in official.manifest]
        if not expected:
            return []

        def fetch_files(files: list[ExpectedFile], concurrency: int) -> list[FileOutcome]:
            return fetch_and_compare(
                self.base_url,
                files,
                ca_file=self.difusor.ca_file,
                concurrency=concurrency,
                timeout_s=self.budget.bound(self.difusor.timeout_seconds),
                deadline_s=self.budget.bound(INTEGRITY_DEADLINE_S),
                content_of=official.file_bytes,
            )

        # One file first: a difusor that does not answer at all costs one timeout, not one per
        # file (thousands), and every file is reported with that reason.
        probe = fetch_files(expected[:1], 1)[0]
        if probe.kind == "error" and probe.status is None:
            raise Unobserved("archivos del paquete", f"el difusor no respondió: {probe.reason}")
        outcomes = [probe, *fetch_files(expected[1:], 16)]
        retry = [exp for exp, got in zip(expected, outcomes, strict=True) if got.kind == "error"]
        if not retry or len(retry) > MAX_RETRIED_FILES or self.budget.remaining() < 5:
            return outcomes
        second = {o.path: o for o in fetch_files(retry, RETRY_CONCURRENCY)}
        return [second.get(o.path, o) if o.kind == "error" else o for o in outcomes]

    # -- TLS ------------------------------------------------------------------------------------

    def start_tls_scan(self) -> Future[TlsScan] | None:
        """Start the TLS scan in the background (once): it overlaps the HTTP checks."""
        if urlsplit(self.base_url).scheme != "https":
            return None

        def start() -> Future[TlsScan]:
            parts = urlsplit(self.base_url)
            settings = self.difusor.transport
            return _BACKGROUND.submit(
                scan_tls,
                parts.hostname or "",
                parts.port or 443,
                ca_file=self.difusor.ca_file,
                timeout_s=self.budget.bound(settings.tls_scan_timeout_seconds),
                network_timeout_s=settings.tls_network_timeout_seconds,
            )

        return self.memo("tls scan started", start)

    def tls_scan(self) -> TlsScan:
        started = self.start_tls_scan()
        if started is None:
            raise Unobserved(
                "sesión TLS", f"base_url no usa https:// ({self.base_url}): no hay TLS que revisar"
            )
        return started.result()

    # -- the browser ----------------------------------------------------------------------------

    def start_render(self) -> None:
        """Start the browser work in the background (once): it overlaps the HTTP checks."""
        if self._render is not None:
            self.memo("render started", lambda: _BACKGROUND.submit(self._render_observation))

    def render(self) -> RenderObservation:
        def observed() -> RenderObservation:
            if self._render is None:
                return self._render_observation()  # raises Unobserved saying why
            started: Future[RenderObservation] = self.memo(
                "render started", lambda: _BACKGROUND.submit(self._render_observation)
            )
            return started.result()

        return self.memo("render", observed)

    def _render_observation(self) -> RenderObservation:
        if self._render is None:
            raise Unobserved("páginas en el navegador", "esta revisión no abre el navegador")
        origin = _origin(self.folder_url)
        if origin in self._down:
            raise Unobserved("páginas en el navegador", self._down[origin])
        self.budget.require("páginas en el navegador")
        observed = self._render(self)
        if observed.error:
            raise Unobserved("páginas en el navegador", observed.error)
        return observed

    # -- SFTP and the automatic procedure ---------------------------------------------------------

    def _sftp(self) -> Any:
        settings = self.difusor.sftp
        if settings is None:
            raise Unobserved("cuenta SFTP", "no configurada ([difusor.sftp])")
        return settings

    def sftp_write(self) -> SftpOutcome:
        return self.memo(
            "sftp write",
            lambda: probe_write(self._sftp(), timeout_s=self.budget.bound(30.0)),
        )

    def sftp_upload(self) -> SftpOutcome:
        settings = self._sftp()
        return self.memo(
            "sftp upload",
            lambda: measure_upload(
                settings, settings.throughput_bytes, timeout_s=self.budget.bound(300.0)
            ),
        )

    def rehearsal_valid(self) -> Rehearsal:
        return self.memo("ingest valid", lambda: rehearse_valid(self, self._sftp()))

    def rehearsal_corrupt(self) -> Rehearsal:
        valid = self.rehearsal_valid()
        return self.memo("ingest corrupt", lambda: rehearse_corrupt(self, self._sftp(), valid))

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _spent(budget: Budget) -> str:
    return (
        f"se agotó el presupuesto de {budget.seconds:g} s de este difusor (difusor.budget_seconds)"
    )
