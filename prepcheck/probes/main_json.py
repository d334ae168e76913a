"""One monitoring probe: a single attempt at a difusor's main.json, blackbox_exporter-style.

Contract: ``probe_main_json`` never raises for anything the site does or sends and never
retries; it opens a fresh connection (so connect and TLS are timed on every probe), reads at
most ``MAX_BYTES`` of decoded body, parses main.json within the bounds of
:func:`prepcheck.formats.corte.read_main_json`, and gives up after ``timeout_s`` in all: one total
deadline from connect to the last body byte (:mod:`prepcheck.probes.deadline`). Errors are the
Spanish reasons of :mod:`prepcheck.probes.failures`. Per-phase timings come from httpx's
``trace`` extension; DNS resolution is inside ``connect_ms`` (httpcore reports no separate
event).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from prepcheck.formats.corte import corte_from_main_json
from prepcheck.probes.deadline import Scope, deadline_scope
from prepcheck.probes.failures import BodyTooLarge
from prepcheck.probes.http import failure_of, make_client, read_capped
from prepcheck.snapshots.monitor import Phases
from prepcheck.snapshots.text import clean_text

MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ProbeResult:
    """What the attempt saw, before the official corte is attached."""

    url: str
    status: int | None
    error: str | None
    elapsed_ms: float
    phases: Phases
    http_version: str
    body_bytes: int
    corte: datetime | None
    corte_error: str | None


class _Trace:
    """Records the monotonic time of each httpcore trace event (first occurrence wins)."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    def __call__(self, name: str, info: dict[str, Any]) -> None:
        self.marks.setdefault(name, time.monotonic())

    def find(self, suffix: str) -> float | None:
        """The time of the first event ending with ``suffix`` (http11 or http2 alike)."""
        hits = [at for name, at in self.marks.items() if name.endswith(suffix)]
        return min(hits) if hits else None

    def span_ms(self, start: str, end: str) -> float | None:
        began, ended = self.find(start), self.find(end)
        if began is None or ended is None:
            return None
        return round((ended - began) * 1000, 3)

    def phases(self, finished: float | None) -> Phases:
        headers = self.find("receive_response_headers.complete")
        transfer = None
        if headers is not None and finished is not None:
            transfer = round((finished - headers) * 1000, 3)
        return Phases(
            connect_ms=self.span_ms("connect_tcp.started", "connect_tcp.complete"),
            tls_ms=self.span_ms("start_tls.started", "start_tls.complete"),
            processing_ms=self.span_ms(
                "send_request_headers.started", "receive_response_headers.complete"
            ),
            transfer_ms=transfer,
        )


def probe_main_json(
    url: str, *, ca_file: Path | None, timeout_s: float, tz: timezone
) -> ProbeResult:
    """One bounded GET of ``url``; the corte is read when the answer is a 200."""
    trace = _Trace()
    started = time.monotonic()
    scope: Scope | None = None
    try:
        with (
            deadline_scope(timeout_s, "headers") as scope,
            make_client(ca_file, timeout_s) as client,
        ):
            status, version, body = _get(client, url, trace, scope)
    except Exception as exc:  # whatever the site provokes is a failed probe, never a crash
        return _failed(url, failure_of(exc, scope, timeout_s).reason, started, trace)
    finished = time.monotonic()
    corte, corte_error = _read_corte(body, tz) if status == 200 else (None, None)
    return ProbeResult(
        url=url,
        status=status,
        error=None,
        elapsed_ms=round((finished - started) * 1000, 3),
        phases=trace.phases(finished),
        http_version=version,
        body_bytes=len(body),
        corte=corte,
        corte_error=corte_error,
    )


def _get(client: httpx.Client, url: str, trace: _Trace, scope: Scope) -> tuple[int, str, bytes]:
    with client.stream("GET", url, extensions={"trace": trace}) as response:
        scope.phase = "body"  # same deadline: the probe's bound is one total
        body, truncated = read_capped(response, MAX_BYTES)
        if truncated:
            raise BodyTooLarge(MAX_BYTES)
        return response.status_code, response.http_version, body


def _read_corte(body: bytes, tz: timezone) -> tuple[datetime | None, str | None]:
    try:
        return corte_from_main_json(body, tz), None
    except Exception as exc:  # the reader's reasons are Spanish; anything else is site data too
        reason = str(exc) if isinstance(exc, ValueError) else "main.json ilegible"
        return None, clean_text(reason, 200)


def failed_probe(url: str, reason: str) -> ProbeResult:
    """A probe that got nothing, for ``reason`` (Spanish)."""
    return _failed(url, reason, time.monotonic(), _Trace())


def _failed(url: str, reason: str, started: float, trace: _Trace) -> ProbeResult:
    return ProbeResult(
        url=url,
        status=None,
        error=reason,
        elapsed_ms=round((time.monotonic() - started) * 1000, 3),
        phases=trace.phases(None),
        http_version="",
        body_bytes=0,
        corte=None,
        corte_error=None,
    )
