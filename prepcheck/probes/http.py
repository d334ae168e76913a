"""HTTP probe: one bounded request, observed as a plain ``HttpSnapshot``.

Contract: ``fetch`` never raises for anything a site does or sends (refused, reset, timeout, TLS
failure, oversize or undecodable body, a redirect to ``mailto:``); it returns a snapshot whose
``error`` is a plain Spanish reason, whose ``error_kind`` names the kind (see
:mod:`prepcheck.probes.failures`) and whose ``error_detail`` keeps the system's own text for
the evidence. TLS is always verified, against the system store or the difusor's rehearsal CA.

Bounds, every one a total (see :mod:`prepcheck.probes.deadline`): the response headers must
arrive within ``header_s`` of the request's start (default: the client's timeout, i.e. the
difusor's ``timeout_seconds``: connection, TLS handshake and headers together), and the whole
body within ``body_s`` more (default ``BODY_SECONDS``); ``deadline_s``, when given, caps the
whole request (the caller's budget). A body that fails after its headers keeps the status and
headers in the snapshot beside the error. At most ``max_bytes`` of *decoded* body are read
(compression bombs are cut while decoding), header blocks are limited by h11/h2 (100 KB /
64 KB). Header values are sanitized (:mod:`prepcheck.snapshots.text`).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from prepcheck.probes.deadline import DeadlineTransport, Scope, deadline_scope
from prepcheck.probes.decoding import ACCEPT_ENCODING, BoundedDecoder
from prepcheck.probes.failures import Failure, describe
from prepcheck.snapshots.http import HttpSnapshot
from prepcheck.snapshots.text import clean_text

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: Seconds the whole body may take once the headers are in (what the harness reads this way is
#: a few KB: main.json, index.html, one sample file; the 16 MB cap at 10 s needs 13 Mbit/s):
#: a body still arriving then is abandoned.
BODY_SECONDS = 10.0
#: Longest header value kept (a site can send 100 KB ones).
MAX_HEADER_VALUE = 4096
USER_AGENT = "prepcheck/0.1 (+conformance test of a PREP difusor)"
_REDIRECTS = (301, 302, 303, 307, 308)


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying context: the system trust store, or only ``ca_file`` when given."""
    if ca_file is not None:
        return ssl.create_default_context(cafile=str(ca_file))
    return ssl.create_default_context()


class _ProbeClient(httpx.Client):
    """httpx's client, except that a redirect whose ``Location`` httpx cannot turn into a
    request (``mailto:``, ``javascript:``, ``data:``, malformed) is still a response.

    httpx builds ``response.next_request`` for every 3xx even when it does not follow it, and
    raises there; the harness follows redirects itself (``fetch_following``), so the 3xx is
    returned as it is and judged by ``redirect_target``.
    """

    def _build_redirect_request(self, request: httpx.Request, response: httpx.Response) -> Any:
        try:
            return super()._build_redirect_request(request, response)
        except Exception:  # whatever the site put in Location
            return None


def make_client(ca_file: Path | None = None, timeout_s: float = 10.0) -> httpx.Client:
    """An httpx client for probing one difusor: verified TLS, HTTP/2 allowed, no redirects,
    total deadlines (:class:`DeadlineTransport`), odd ``Location`` values kept as data."""
    return _ProbeClient(
        transport=DeadlineTransport(tls_context(ca_file)),
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
    )


def client_timeout(client: httpx.Client) -> float:
    """The per-operation timeout the client was made with (the difusor's bound)."""
    read = client.timeout.read
    return read if read is not None else 10.0


def fetch(
    client: httpx.Client,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    header_s: float | None = None,
    body_s: float = BODY_SECONDS,
    deadline_s: float | None = None,
) -> HttpSnapshot:
    """GET ``url`` once (no redirects); see the module contract for the bounds."""
    sent = dict(headers or {})
    started = time.monotonic()
    cap = deadline_s if deadline_s is not None else float("inf")
    limit = min(header_s if header_s is not None else client_timeout(client), cap)
    answered = HttpSnapshot(url=url, request_headers=sent)  # grows as the answer arrives
    with deadline_scope(limit, "headers") as scope:
        try:
            with client.stream("GET", url, headers=sent) as response:
                answered = replace(
                    answered,
                    status=response.status_code,
                    headers=received_headers(response),
                    http_version=response.http_version,
                )
                scope.extend(min(body_s, cap - (time.monotonic() - started)), "body")
                body, truncated = read_capped(response, max_bytes)
            return replace(
                answered, body=body, truncated=truncated, elapsed_s=time.monotonic() - started
            )
        except Exception as exc:  # whatever a site provokes becomes a snapshot, never a crash
            failure = failure_of(exc, scope, limit)
            return replace(
                answered,
                error=failure.reason,
                error_kind=failure.kind,
                error_detail=failure.detail,
                elapsed_s=time.monotonic() - started,
            )


def failure_of(exc: BaseException, scope: Scope | None, timeout_s: float | None) -> Failure:
    """The Spanish failure for ``exc``; a timeout at the scope's deadline is the deadline's."""
    if scope is not None and scope.passed():
        found = describe(exc)
        if found.kind in ("timeout", "deadline", "reset", "tls", "protocol", "unexpected"):
            return Failure("deadline", describe(scope.exceeded()).reason, found.detail)
    return describe(exc, timeout_s=timeout_s)


def failed_snapshot(
    url: str, failure: Failure, started: float, sent: Mapping[str, str]
) -> HttpSnapshot:
    """A request that got no answer, for ``failure``."""
    return HttpSnapshot(
        url=url,
        error=failure.reason,
        error_kind=failure.kind,
        error_detail=failure.detail,
        elapsed_s=time.monotonic() - started,
        request_headers=sent,
    )


def received_headers(response: httpx.Response) -> tuple[tuple[str, str], ...]:
    """Response headers (lower-case names, sanitized values) as received."""
    return tuple(
        (
            clean_text(k.decode("latin-1").lower(), 200),
            clean_text(v.decode("latin-1"), MAX_HEADER_VALUE),
        )
        for k, v in response.headers.raw
    )


def read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """The decoded body, at most ``max_bytes`` (and whether it was cut there).

    Raw bytes are decoded here, within the cap (httpx would inflate whole chunks first). Time
    is bounded by the caller's deadline scope; decoding errors raise ``httpx.DecodingError``.
    """
    decoder = BoundedDecoder(response.headers.get("content-encoding"), max_bytes)
    chunks: list[bytes] = []
    for raw in response.iter_raw():
        chunks.append(decoder.feed(raw))
        if decoder.over:
            return b"".join(chunks), True
    chunks.append(decoder.finish())
    return b"".join(chunks), decoder.over


def describe_error(exc: BaseException) -> str:
    """A one-line Spanish reason for a failed request (see :mod:`prepcheck.probes.failures`)."""
    return describe(exc).reason


def redirect_target(current: str, location: str) -> str | Failure:
    """The absolute URL a ``Location`` leads to, or the failure when it is no web address
    (``mailto:``, ``javascript:``, ``data:``, a malformed URL)."""
    try:
        target = str(httpx.URL(current).join(location.strip()))
    except Exception as exc:
        return Failure("redirect", "redirige a una dirección mal formada", describe(exc).detail)
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        scheme = clean_text(parts.scheme or location, 40)
        return Failure(
            "redirect",
            f"redirige a una dirección que no es una página web ({scheme}:)",
            clean_text(location, 200),
        )
    return target


def fetch_following(
    client: httpx.Client,
    url: str,
    *,
    max_redirects: int = 5,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline_s: float | None = None,
) -> list[HttpSnapshot]:
    """GET ``url`` following up to ``max_redirects`` redirects; returns every hop in order.

    A redirect loop or a chain longer than the limit ends with the last hop seen; a redirect
    to something that is not an http(s) address ends with a failed hop saying so.
    """
    chain: list[HttpSnapshot] = []
    current = url
    for _ in range(max_redirects + 1):
        snapshot = fetch(client, current, max_bytes=max_bytes, deadline_s=deadline_s)
        chain.append(snapshot)
        location = snapshot.header("location")
        if not snapshot.ok or snapshot.status not in _REDIRECTS or not location:
            break
        target = redirect_target(current, location)
        if isinstance(target, Failure):
            chain.append(failed_snapshot(clean_text(location, 200), target, time.monotonic(), {}))
            break
        current = target
    return chain
