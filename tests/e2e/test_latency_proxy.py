"""LatencyProxy: a difusor made distant on loopback carries every byte, late, and ends cleanly.

Elapsed times are asserted only from below (the delay is a floor the relay must keep, however
busy the machine); nothing here bounds how fast anything is.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.latency import LatencyProxy
from prepcheck.reference.silent import SilentServer
from prepcheck.sample import BuiltPackage

RTT_MS = 100


@pytest.fixture
def echo() -> Iterator[int]:
    """A TCP echo server on loopback that answers until the client half-closes, then closes."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield int(server.getsockname()[1])
    server.close()


def _receive_all(sock: socket.socket) -> bytes:
    received = bytearray()
    while data := sock.recv(1 << 20):
        received += data
    return bytes(received)


def _ended(sock: socket.socket) -> bool:
    """The peer ended the connection: an end of stream, or a reset (an abort may arrive so)."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_bytes_cross_unchanged_in_order_and_a_half_close_is_carried(echo: int) -> None:
    sent = bytes(range(256)) * 20_000  # 5 MB: many chunks, beyond the queue's bound
    with (
        LatencyProxy(("127.0.0.1", echo), RTT_MS) as proxy,
        socket.create_connection(("127.0.0.1", proxy.port), timeout=60) as sock,
    ):
        writer = threading.Thread(target=lambda: (sock.sendall(sent), sock.shutdown(1)))
        writer.start()
        received = _receive_all(sock)
        writer.join()
    assert received == sent


def test_each_exchange_waits_a_round_trip_and_a_new_connection_two(echo: int) -> None:
    with LatencyProxy(("127.0.0.1", echo), RTT_MS) as proxy:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock:
            sock.sendall(b"a")
            assert sock.recv(1) == b"a"
            first = time.monotonic() - started
            started = time.monotonic()
            sock.sendall(b"b")
            assert sock.recv(1) == b"b"
            second = time.monotonic() - started
    assert first >= 2 * RTT_MS / 1000
    assert second >= RTT_MS / 1000


def test_tls_passes_through_and_verifies_against_the_difusor_ca(
    package: BuiltPackage, tmp_path: Path
) -> None:
    difusor = ReferenceDifusor(tmp_path / "nginx", kind="nginx")
    difusor.publish(package.archive, package.digest_file)
    difusor.start()
    try:
        context = ssl.create_default_context(cafile=str(difusor.ca_file))
        with (
            LatencyProxy(("127.0.0.1", difusor.server.https_port), RTT_MS) as proxy,
            socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as sock,
        ):
            request = b"GET /prepver2021/ HTTP/1.1\r\nHost: localhost\r\n"
            sock.sendall(request + b"Connection: close\r\n\r\n")
            answer = _receive_all(sock)
    finally:
        difusor.stop()
    assert answer.startswith(b"HTTP/1.1 200")


def test_a_refused_upstream_ends_the_client_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])
    with (
        LatencyProxy(("127.0.0.1", closed), RTT_MS) as proxy,
        socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock,
    ):
        assert _ended(sock)


def test_close_ends_connections_held_by_a_silent_upstream() -> None:
    with SilentServer() as silent:
        proxy = LatencyProxy(("127.0.0.1", silent.port), RTT_MS)
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
        sock.sendall(b"hola")
        time.sleep(3 * RTT_MS / 1000)
        proxy.close()
        with sock:
            assert _ended(sock)
        assert not proxy._thread.is_alive()
        proxy.close()  # idempotent
