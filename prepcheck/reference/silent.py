"""A hung difusor for rehearsals of the harness: accepts TCP on loopback, never sends a byte.

It stands for a stuck TLS terminator or a frozen server: every connection is accepted and held
open until :meth:`SilentServer.close`, so a client waits on the handshake until its own bound.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class SilentServer:
    """Listens on 127.0.0.1 at ``port`` (chosen free) from construction until ``close``."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="prepcheck-mudo", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        """Stop accepting and close every held connection (idempotent)."""
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self._held:
            conn.close()
        self._held.clear()
        self.sock.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
