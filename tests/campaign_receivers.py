"""Local receivers for the alert tests: an HTTP webhook receiver (answers 200, answers 500, or
hangs) and an SMTP server with STARTTLS (aiosmtpd) whose certificate comes from the rehearsal
CA. Both bind 127.0.0.1 and are stopped by the tests that start them."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from prepcheck.reference.pki import LocalCA
from prepcheck.reference.process import free_port

HANG_LIMIT_S = 30.0


class Receiver:
    """An HTTP receiver whose ``mode`` ("ok", "error", "hang") can change while it runs."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.attempts = 0
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.attempts += 1
                if receiver.mode == "hang":
                    receiver.release.wait(HANG_LIMIT_S)
                    return
                if receiver.mode == "error":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                receiver.received.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alertas"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[tuple[str, str]]:
        return [(item["difusor"], item["evento"]) for item in self.received]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.tls_seen: list[bool] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content)
        self.tls_seen.append(session.ssl is not None)
        return "250 OK"


class SmtpServer:
    """aiosmtpd on loopback requiring STARTTLS and AUTH (user ``prep``, password ``secreto``)."""

    USER, PASSWORD = "prep", "secreto"

    def __init__(self, workdir: Path, *, starttls: bool = True) -> None:
        self.ca = LocalCA.create(workdir / "ca")
        leaf = self.ca.issue_leaf(workdir / "smtp")
        self.mailbox = _Mailbox()
        context = None
        if starttls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(leaf.chain_path, leaf.key_path)
        self.port = free_port()
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=starttls,
            authenticator=self._authenticate,
            auth_require_tls=starttls,
            auth_required=starttls,
        )
        self.controller.start()

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.USER.encode(),
            self.PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)

    @property
    def messages(self) -> list[bytes]:
        return self.mailbox.messages

    def close(self) -> None:
        self.controller.stop()
