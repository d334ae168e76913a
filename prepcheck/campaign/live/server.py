"""``prepcheck monitor --serve HOST:PORT``: a read-only server of the live board.

Contract: :class:`LiveServer` serves exactly ``/`` (the page), ``/en-vivo.html`` and
``/en-vivo.json`` from the output folder, answering GET and HEAD only (405 otherwise, 404 for
any other path: no directory listing, no other file), with ``Cache-Control: no-store`` and a
Content-Security-Policy that forbids every external request. It runs in a daemon thread;
``stop()`` shuts it down and closes its socket. A file not written yet is a 503 that says so.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from prepcheck.campaign.live.page import LIVE_HTML, LIVE_JSON
from prepcheck.errors import HarnessError
from prepcheck.lifecycle import Service

_TYPES = {LIVE_HTML: "text/html; charset=utf-8", LIVE_JSON: "application/json; charset=utf-8"}
_ROUTES = {"/": LIVE_HTML, f"/{LIVE_HTML}": LIVE_HTML, f"/{LIVE_JSON}": LIVE_JSON}
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}


_WAITING = (
    '<!DOCTYPE html><html lang="es-MX"><head><meta charset="utf-8">'
    '<meta http-equiv="refresh" content="2">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Tablero en vivo</title></head><body>"
    "<p>El tablero en vivo aún no se escribe; espere la primera ronda.</p></body></html>"
).encode()


class LiveServerError(HarnessError):
    """The live board server could not start (address in use, not allowed)."""


class LiveServer(Service):
    """The read-only server (see the module contract)."""

    def __init__(self, out_dir: Path, host: str, port: int) -> None:
        self.out_dir = out_dir
        self.host = host
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        handler = type("LiveHandler", (_Handler,), {"root": self.out_dir})
        try:
            server = ThreadingHTTPServer((self.host, self.port), handler)
        except OSError as exc:
            raise LiveServerError(
                f"no se pudo servir el tablero en vivo en {self.host}:{self.port}: {exc.strerror}"
            ) from None
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class _Handler(BaseHTTPRequestHandler):
    root: Path
    server_version = "prepcheck-en-vivo"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _refuse(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Solo lectura: GET o HEAD.\n", "text/plain")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def _answer(self, *, body: bool) -> None:
        name = _ROUTES.get(urlsplit(self.path).path)
        if name is None:
            self._send(HTTPStatus.NOT_FOUND, b"No existe.\n", "text/plain", body=body)
            return
        try:
            data = (self.root / name).read_bytes()
        except OSError:
            # Before the first round: a page that reloads itself, so whoever opened the board
            # early sees it appear without doing anything.
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, _WAITING, "text/html", body=body)
            return
        self._send(HTTPStatus.OK, data, _TYPES[name], body=body)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, *, body: bool = True) -> None:
        if kind == "text/html":
            kind = "text/html; charset=utf-8"
        self.send_response(status)
        if kind == "text/plain":
            kind = "text/plain; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, HEAD")
        for key, value in _HEADERS.items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the monitor's output is for the people watching it."""
