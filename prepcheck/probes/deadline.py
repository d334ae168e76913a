"""Total deadlines for httpx requests: a deadline-aware httpcore network backend.

httpx's timeouts bound each socket operation, so a server that drips one byte per second (in
the TLS handshake, the headers or the body) never trips them. Here every socket operation of a
request running inside ``deadline_scope`` is given at most the time left until the scope's
deadline: connecting, the TLS handshake (CPython bounds a whole handshake by the socket
timeout), each read and each write. When no time is left the operation is not started and
``DeadlineExceeded`` is raised, so no socket can be waited on past the deadline (plus the
scheduler's jitter). DNS resolution (``getaddrinfo``) is the one step outside the bound.

Contract: ``deadline_scope(seconds, phase)`` sets the deadline for the calling thread's (and
context's) requests on clients made with ``DeadlineTransport``; ``Scope.extend`` moves it
(e.g. from the headers' deadline to the body's). Outside a scope the transport behaves like
httpx's own.
"""

from __future__ import annotations

import contextvars
import ssl
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx

from prepcheck.probes.failures import DeadlineExceeded


@dataclass
class Scope:
    """The deadline (monotonic) of the requests running inside it and what they wait for."""

    deadline: float
    seconds: float
    phase: str  # "headers" or "body"

    def extend(self, seconds: float, phase: str) -> None:
        """From now, allow ``seconds`` more (the whole of the next ``phase``)."""
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.phase = phase

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def passed(self) -> bool:
        return self.left() <= 0.01

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(self.seconds, self.phase)


_CURRENT: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "prepcheck_deadline", default=None
)


@contextmanager
def deadline_scope(seconds: float, phase: str = "headers") -> Iterator[Scope]:
    """Bound every socket operation of the requests inside the block; see the contract."""
    scope = Scope(time.monotonic() + seconds, seconds, phase)
    token = _CURRENT.set(scope)
    try:
        yield scope
    finally:
        _CURRENT.reset(token)


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` shortened to the time left in the current scope (raises when none is)."""
    scope = _CURRENT.get()
    if scope is None:
        return timeout
    left = scope.left()
    if left <= 0:
        raise scope.exceeded()
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose every operation honours the current scope's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend with every operation bounded by the current scope."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - prepcheck never uses UNIX sockets
        return _Stream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on ``DeadlineBackend`` (see the module contract)."""

    def __init__(self, ssl_context: ssl.SSLContext, *, http2: bool = True) -> None:
        super().__init__(verify=ssl_context, http2=http2)
        limits = httpx.Limits()
        # httpx builds its pool with httpcore's default backend; this one is the same pool on
        # the deadline-aware backend (httpx offers no public way to pass a backend).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            network_backend=DeadlineBackend(),
        )
