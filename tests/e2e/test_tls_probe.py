"""The TLS probe on real sockets: a refused port, a handshake that never comes, a real server."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from prepcheck.probes.tls import scan_tls
from prepcheck.reference.servers import ReferenceServer


def test_refused_port_is_a_tcp_error_quickly():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    scan = scan_tls("127.0.0.1", port, timeout_s=20, network_timeout_s=1)
    assert scan.error_kind == "tcp" and "TCP" in (scan.error or "")
    assert scan.elapsed_s < 10


def test_silent_server_is_cut_at_the_bound():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        scan = scan_tls("127.0.0.1", listener.getsockname()[1], timeout_s=3, network_timeout_s=2)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()
    assert scan.error_kind in ("timeout", "handshake"), scan.error
    # Bounded, with a margin for a busy machine: unbounded, sslyze retries every protocol on a
    # server that never answers (well past 12 s here).
    assert elapsed < 3 + 7
    assert scan.protocols == {}


def test_real_server_scan(tmp_path: Path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "index.html").write_text("ok", encoding="utf-8")
    with ReferenceServer(root, tmp_path / "server") as server:
        scan = scan_tls("localhost", server.https_port, ca_file=server.ca_file, timeout_s=60)
    assert scan.ok, scan.error
    assert scan.offered() == ["TLSv1.2", "TLSv1.3"]
    assert scan.chain[0].names[0] == "localhost"
    assert any(t.custom and t.ok for t in scan.trust)
    assert scan.vulnerabilities["heartbleed"] is False
