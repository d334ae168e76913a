"""HTTP probe: one bounded request, observed as a plain ``HttpSnapshot``.

Contract: ``fetch`` never raises for network trouble (refused, timeout, TLS failure, oversize
body); it returns a snapshot whose ``error`` says what happened. TLS is always verified, against
the system store or the difusor's rehearsal CA.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from prepcheck.snapshots.http import HttpSnapshot

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
USER_AGENT = "prepcheck/0.1 (+conformance test of a PREP difusor)"


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying context: the system trust store, or only ``ca_file`` when given."""
    if ca_file is not None:
        return ssl.create_default_context(cafile=str(ca_file))
    return ssl.create_default_context()


def make_client(ca_file: Path | None = None, timeout_s: float = 10.0) -> httpx.Client:
    """An httpx client for probing one difusor: verified TLS, HTTP/2 allowed, no redirects."""
    return httpx.Client(
        verify=tls_context(ca_file),
        http2=True,
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def fetch(
    client: httpx.Client,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline_s: float | None = None,
) -> HttpSnapshot:
    """GET ``url`` once (no redirects), reading at most ``max_bytes`` of decoded body.

    ``deadline_s`` bounds the whole request, body included (defaults to the client's timeout
    times three), so a server that drips bytes cannot hold the run.
    """
    sent = dict(headers or {})
    started = time.monotonic()
    limit = deadline_s if deadline_s is not None else _default_deadline(client)
    try:
        # Every phase (connect, TLS, each read) is bounded by the deadline too.
        phase = min(_phase_timeout(client), limit)
        with client.stream("GET", url, headers=sent, timeout=phase) as response:
            body, truncated = read_capped(response, max_bytes, started + limit)
            return HttpSnapshot(
                url=url,
                status=response.status_code,
                headers=tuple(
                    (k.decode("latin-1").lower(), v.decode("latin-1"))
                    for k, v in response.headers.raw
                ),
                body=body,
                http_version=response.http_version,
                elapsed_s=time.monotonic() - started,
                truncated=truncated,
                request_headers=sent,
            )
    except (httpx.HTTPError, ssl.SSLError, OSError, TimeoutError) as exc:
        return HttpSnapshot(
            url=url,
            error=describe_error(exc),
            elapsed_s=time.monotonic() - started,
            request_headers=sent,
        )


def _phase_timeout(client: httpx.Client) -> float:
    read = client.timeout.read
    return read if read is not None else 10.0


def _default_deadline(client: httpx.Client) -> float:
    read = client.timeout.read
    return 3 * (read if read is not None else 10.0)


def read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> tuple[bytes, bool]:
    """The decoded body, at most ``max_bytes`` (and whether it was cut there); raises
    ``TimeoutError`` when the body is still arriving at ``deadline`` (monotonic)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
        if time.monotonic() > deadline:
            raise TimeoutError("the response body did not finish within the deadline")
    return b"".join(chunks), False


def describe_error(exc: BaseException) -> str:
    """A one-line, human-readable reason for a failed request (kind + detail)."""
    kinds = (
        (httpx.ConnectTimeout, "tiempo de conexión agotado"),
        (httpx.ReadTimeout, "tiempo de respuesta agotado"),
        (httpx.ConnectError, "conexión fallida"),
        (httpx.RemoteProtocolError, "error de protocolo HTTP"),
        (TimeoutError, "tiempo agotado"),
    )
    label = next((text for kind, text in kinds if isinstance(exc, kind)), type(exc).__name__)
    detail = str(exc) or repr(exc)
    return f"{label}: {detail}"


def fetch_following(
    client: httpx.Client,
    url: str,
    *,
    max_redirects: int = 5,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline_s: float | None = None,
) -> list[HttpSnapshot]:
    """GET ``url`` following up to ``max_redirects`` redirects; returns every hop in order.

    A redirect loop or a chain longer than the limit ends with the last hop seen.
    """
    chain: list[HttpSnapshot] = []
    current = url
    for _ in range(max_redirects + 1):
        snapshot = fetch(client, current, max_bytes=max_bytes, deadline_s=deadline_s)
        chain.append(snapshot)
        location = snapshot.header("location")
        if not snapshot.ok or snapshot.status not in (301, 302, 303, 307, 308) or not location:
            break
        current = str(httpx.URL(current).join(location))
    return chain
