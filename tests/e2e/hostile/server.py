"""A loopback HTTPS server that serves a sound copy of a PREP package and misbehaves on demand.

Every behaviour of :data:`BEHAVIOURS` lives under its own path prefix: a difusor's ``base_url``
is ``https://127.0.0.1:PORT/b/<behaviour>/`` and its election folder is under it. ``sin-tls``
(accepts TCP, never speaks TLS) is decided before any HTTP, so it has its own port. The
certificate comes from a local CA made with :mod:`prepcheck.reference.pki`.

Contract: ``HostileServer.start`` binds 127.0.0.1 only and serves from daemon threads;
``stop`` ends every connection, including the ones a behaviour holds open forever, and joins
the accept threads (idempotent). Standalone: ``python -m tests.e2e.hostile.server --help``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import mimetypes
import socket
import ssl
import threading
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from prepcheck.lifecycle import Service, stop_requested
from prepcheck.reference.pki import LocalCA

from .behaviours import BEHAVIOURS, CONNECTION_LEVEL, MARKERS

FOLDER = "prepver2021"
DRIP_S = 0.5  # between dripped bytes: shorter than any per-read timeout used against it
HANDSHAKE_S = 10.0
#: Tall enough to cost GBs in a full-page shot, short of chromium's own capture limit (~300,000).
GIANT_PX = {"pagina-gigante": 250_000, "pagina-grande": 60_000}
FLOOD = 20_000
FLOOD_BYTES = 2048
TRICKLE_BYTES = 64
ENDLESS_RATE = 32 * 1024 * 1024  # bytes per second of the never-ending main.json
HUGE_HEADERS = 2 * 1024 * 1024
GZIP_BOMB = 1 << 30
BR_BOMB = 256 << 20
NESTING = 50_000
ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Error</title></head>"
    b"<body><h1>Servicio no disponible</h1><p>Intente m\xc3\xa1s tarde.</p></body></html>"
)
LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Acceso</title></head><body>"
    b"<h1>Inicie sesi\xc3\xb3n</h1><form method='post' action='acceso'>"
    b"<input name='usuario'><input type='password' name='clave'>"
    b"<button>Entrar</button></form></body></html>"
)
PORTAL = (
    "<!DOCTYPE html><html lang='es-MX'><head><meta charset='utf-8'><title>Difusor</title>"
    "</head><body><a href='{folder}/'>Resultados del PREP</a></body></html>"
)
SECURITY_HEADERS = (
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
)
REDIRECTS = {
    "redireccion-bucle": None,  # to itself
    "otro-host": "https://127.0.0.2:{port}/prepver2021/",  # another host, still loopback
    "redir-mailto": "mailto:resultados@example.invalid",
    "redir-javascript": "javascript:alert(1)",
    "redir-data": "data:text/html,<script>alert(1)</script>",
}


class Stopped(Exception):
    """The server is stopping: a behaviour that holds a connection gives up."""


@dataclass
class Request:
    """One request as a behaviour sees it: its prefix, the path below it and its number."""

    handler: _Handler
    behaviour: str
    path: str  # below /b/<behaviour>/, percent-decoded, no leading '/'
    number: int

    @property
    def under_folder(self) -> str | None:
        """The path inside the election folder, or None outside it."""
        if self.path == FOLDER:
            return ""
        return self.path[len(FOLDER) + 1 :] if self.path.startswith(FOLDER + "/") else None

    @property
    def is_folder(self) -> bool:
        return self.under_folder in ("", "index.html")

    @property
    def is_main_json(self) -> bool:
        return self.under_folder == "json/main.json"

    @property
    def is_data(self) -> bool:
        """A package data file: inside the folder, not the page, its assets or main.json."""
        inside = self.under_folder
        return bool(inside) and not self.is_folder and not inside.startswith("assets/")


@dataclass
class HostileSite:
    """What every behaviour serves from: the extracted package and the running flag."""

    root: Path  # holds <FOLDER>/...
    stopping: threading.Event = field(default_factory=threading.Event)
    _counts: dict[str, itertools.count[int]] = field(default_factory=dict)
    _hits: Counter[tuple[str, str]] = field(default_factory=Counter)
    _serving: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def number(self, behaviour: str, path: str = "") -> int:
        """This request's number among ``behaviour``'s (from 1); counts ``path``'s hits."""
        with self._lock:
            self._hits[(behaviour, path)] += 1
            counter = self._counts.setdefault(behaviour, itertools.count(1))
            return next(counter)

    def serving(self, behaviour: str, change: int = 0) -> int:
        """Requests of ``behaviour`` being answered right now (after adding ``change``)."""
        with self._lock:
            self._serving[behaviour] += change
            return self._serving[behaviour]

    def hits(self, behaviour: str, path: str) -> int:
        """How many requests ``path`` (below the behaviour's prefix) has had."""
        with self._lock:
            return self._hits[(behaviour, path)]

    def file(self, relative: str) -> bytes | None:
        """The package's bytes at ``relative`` (a folder gives its index.html), or None."""
        if any(part in ("..", "") for part in relative.split("/")[:-1]):
            return None
        path = self.root / relative
        if path.is_dir():
            path = path / "index.html"
        return path.read_bytes() if path.is_file() else None

    def hold(self, seconds: float = 3600.0) -> None:
        """Wait (a held connection) until ``seconds`` pass or the server stops."""
        if self.stopping.wait(seconds):
            raise Stopped


class _Handler(BaseHTTPRequestHandler):
    """Routes ``/b/<behaviour>/...`` to its behaviour; everything else is 404."""

    protocol_version = "HTTP/1.1"
    server: _TlsServer
    timeout = 30.0
    server_header = "nginx"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def version_string(self) -> str:
        """The ``Server`` header: a sound difusor names its server without a version."""
        return self.server_header

    def do_GET(self) -> None:
        self.server_header = "nginx"
        site = self.server.site
        parts = urlsplit(self.path).path.split("/", 3)
        if len(parts) < 3 or parts[1] != "b" or parts[2] not in BEHAVIOURS:
            self.reply(404, b"no existe", "text/plain")
            return
        rest = unquote(parts[3]) if len(parts) > 3 else ""
        path = rest.rstrip("/")
        request = Request(self, parts[2], path, site.number(parts[2], path))
        site.serving(request.behaviour, +1)
        try:
            serve(site, request)
        except (Stopped, OSError):  # the client went away, or the server stops
            self.close_connection = True
        finally:
            site.serving(request.behaviour, -1)

    def reply(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: tuple[tuple[str, str], ...] = SECURITY_HEADERS,
        *,
        length: int | None = None,
    ) -> None:
        """One complete response (``length`` overrides the Content-Length sent)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def content_type(path: str) -> str:
    """The Content-Type a sound server sends for ``path``."""
    if path.endswith(".json"):
        return "application/json"
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def sound(site: HostileSite, request: Request, **changes: Any) -> None:
    """Serve the package file as a sound difusor would (``changes``: body/headers overrides)."""
    handler = request.handler
    if request.path == "":
        portal = PORTAL.format(folder=FOLDER).encode()
        handler.reply(200, portal, "text/html; charset=utf-8")
        return
    body = changes.get("body") or site.file(request.path)
    if body is None:
        handler.reply(404, b"<h1>404 no encontrado</h1>", "text/html; charset=utf-8")
        return
    headers = list(changes.get("headers", SECURITY_HEADERS))
    if request.is_main_json:
        headers.append(("Cache-Control", "no-cache, no-store, must-revalidate"))
    kind = "text/html; charset=utf-8" if request.is_folder else content_type(request.path)
    handler.reply(200, body, kind, tuple(headers))


def index_with(site: HostileSite, *, head: str = "", body: str = "", title: str = "") -> bytes:
    """The package's index.html with ``head``/``body`` inserted and the title replaced."""
    page = (site.file(FOLDER + "/index.html") or b"").decode()
    if title:
        start, end = page.index("<title>") + 7, page.index("</title>")
        page = page[:start] + title + page[end:]
    page = page.replace("</head>", head + "</head>", 1).replace("<body>", "<body>" + body, 1)
    return page.encode()


def serve(site: HostileSite, request: Request) -> None:
    """Answer ``request`` the way its behaviour does."""
    behaviour = BEHAVIOURS_SERVED.get(request.behaviour)
    if behaviour is None or not behaviour(site, request):
        sound(site, request)


# -- behaviours: each returns True when it answered, False to fall back to the sound copy ------


def drip_headers(site: HostileSite, request: Request) -> bool:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Relleno: " + b"a" * 100_000
    stream = request.handler.wfile
    for byte in head:
        stream.write(bytes([byte]))
        stream.flush()
        site.hold(DRIP_S)
    request.handler.close_connection = True
    return True


def huge_headers(site: HostileSite, request: Request) -> bool:
    handler = request.handler
    handler.send_response(200)
    for index in range(HUGE_HEADERS // 1000):
        handler.send_header(f"X-Relleno-{index}", "a" * 980)
    handler.send_header("Content-Length", "0")
    handler.end_headers()
    return True


def giant_page(site: HostileSite, request: Request) -> bool:
    if not request.is_folder:
        return False
    height = GIANT_PX[request.behaviour]
    tall = f'<div style="height:{height}px;background:linear-gradient(#fff,#6b1f48)">alto</div>'
    sound(site, request, body=index_with(site, body=tall))
    return True


def trickle_main(site: HostileSite, request: Request) -> bool:
    if not request.is_main_json:
        return False
    handler = request.handler
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(2 * 1024**3))
    handler.end_headers()
    handler.wfile.write(b'{"corte": "')
    while True:
        handler.wfile.write(b" " * TRICKLE_BYTES)
        handler.wfile.flush()
        site.hold(DRIP_S)


@cache
def gzip_bomb() -> bytes:
    """``GZIP_BOMB`` zero bytes, gzip-compressed (about 1 MB; made once, in about 2 s)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join([*(packer.compress(zeros) for _ in range(GZIP_BOMB >> 20)), packer.flush()])


@cache
def br_bomb() -> bytes:
    import brotli

    return bytes(brotli.compress(bytes(BR_BOMB), quality=5))


def bomb(site: HostileSite, request: Request) -> bool:
    if not request.is_main_json:
        return False
    gz = request.behaviour == "bomba-gzip"
    body = gzip_bomb() if gz else br_bomb()
    headers = (*SECURITY_HEADERS, ("Content-Encoding", "gzip" if gz else "br"))
    request.handler.reply(200, body, "application/json", headers)
    return True


def endless_main(site: HostileSite, request: Request) -> bool:
    if not request.is_main_json:
        return False
    handler = request.handler
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"0" * 65536
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    handler.wfile.write(b'b\r\n{"corte": "\r\n')
    while True:
        handler.wfile.write(framed)
        if site.stopping.wait(len(chunk) / ENDLESS_RATE):
            raise Stopped


def silent_after_request(site: HostileSite, request: Request) -> bool:
    site.hold()
    return True


def console_flood(site: HostileSite, request: Request) -> bool:
    if not request.is_folder:
        return False
    script = (
        f"<script>for (var i = 0; i < {FLOOD}; i++) "
        f'{{ console.error("error " + i + " " + "x".repeat({FLOOD_BYTES})); }}</script>'
    )
    sound(site, request, body=index_with(site, head=script))
    return True


def lone_surrogate(site: HostileSite, request: Request) -> bool:
    if not request.is_folder:
        return False
    script = '<script>console.error("\\uD800"); console.error("fin \\uDFFF de texto");</script>'
    sound(site, request, body=index_with(site, head=script))
    return True


def memory_hog(site: HostileSite, request: Request) -> bool:
    if not request.is_folder:
        return False
    # Typed arrays live outside V8's heap: only the renderer memory guard can stop this. Fast
    # (2.5 GB/s nominal) so that even on a busy machine it passes the guard's limit before the
    # portal is ready to be shot.
    script = (
        "<script>var kept = []; setInterval(function () { for (var i = 0; i < 50; i++) "
        "{ kept.push(new Uint8Array(1e6).fill(7)); } }, 20);</script>"
    )
    sound(site, request, body=index_with(site, head=script))
    return True


def stalled_files(site: HostileSite, request: Request) -> bool:
    if not request.is_data or request.is_main_json:
        return False
    body = site.file(request.path)
    handler = request.handler
    handler.send_response(200 if body is not None else 404)
    handler.send_header("Content-Type", content_type(request.path))
    handler.send_header("Content-Length", str(len(body or b"")))
    handler.end_headers()
    handler.wfile.flush()
    site.hold()
    return True


def folder_404(site: HostileSite, request: Request) -> bool:
    if not request.is_folder:
        return False
    request.handler.reply(404, b"<h1>404 Not Found</h1>", "text/html; charset=utf-8")
    return True


def redirect(site: HostileSite, request: Request) -> bool:
    if not (request.is_folder or request.is_main_json):
        return False
    port = request.handler.server.server_address[1]
    target = (REDIRECTS[request.behaviour] or f"/b/{request.behaviour}/{request.path}").format(
        port=port
    )
    if request.is_folder and target.startswith("/"):
        target += "/" if request.under_folder == "" else ""
    headers = (*SECURITY_HEADERS, ("Location", target))
    request.handler.reply(302, b"", "text/html", headers)
    return True


def lying_length(site: HostileSite, request: Request) -> bool:
    body = site.file(request.path) if request.path else None
    if body is None:
        return False
    kind = "text/html; charset=utf-8" if request.is_folder else content_type(request.path)
    request.handler.reply(200, body, kind, length=len(body) + 100)
    request.handler.close_connection = True
    return True


def every_third_fails(site: HostileSite, request: Request) -> bool:
    if request.number % 3:
        return False
    request.handler.reply(500, ERROR_PAGE, "text/html; charset=utf-8")
    return True


def markers(site: HostileSite, request: Request) -> bool:
    request.handler.server_header = MARKERS[0]
    planted = (
        ("X-Powered-By", MARKERS[1]),
        ("Content-Disposition", f'inline; filename="{MARKERS[0]}.csv"'),
        *SECURITY_HEADERS,
    )
    if request.is_folder:
        script = f'<script src="assets/{MARKERS[1]}.js"></script>'
        body = index_with(site, head=script, title=" ".join(MARKERS))
        sound(site, request, body=body, headers=planted)
        return True
    if request.is_main_json:
        document = json.loads(site.file(request.path) or b"{}")
        document = {"nota": MARKERS[0], **document}
        document["horaCorte"] = f"{document.get('horaCorte', '')} {MARKERS[1]}"
        sound(site, request, body=json.dumps(document).encode(), headers=planted)
        return True
    sound(site, request, headers=planted)
    return True


def html_instead_of_data(site: HostileSite, request: Request) -> bool:
    if not request.is_data:
        return False
    request.handler.reply(200, ERROR_PAGE, "text/html; charset=utf-8")
    return True


def login(site: HostileSite, request: Request) -> bool:
    handler = request.handler
    if request.path == "iniciar-sesion":
        handler.reply(200, LOGIN_PAGE, "text/html; charset=utf-8")
    elif request.is_folder:
        where = f"/b/{request.behaviour}/iniciar-sesion?siguiente=/{FOLDER}/"
        handler.reply(302, b"", "text/html", (*SECURITY_HEADERS, ("Location", where)))
    elif request.under_folder is not None:
        challenge = (*SECURITY_HEADERS, ("WWW-Authenticate", 'Basic realm="PREP"'))
        handler.reply(401, b"<h1>401</h1>", "text/html; charset=utf-8", challenge)
    else:
        return False
    return True


def nested_json(site: HostileSite, request: Request) -> bool:
    if not request.is_main_json:
        return False
    request.handler.reply(200, b"[" * NESTING, "application/json")
    return True


def root_status(site: HostileSite, request: Request) -> bool:
    if request.path != "":
        return False
    status = 403 if request.behaviour == "raiz-403" else 404
    request.handler.reply(status, f"<h1>{status}</h1>".encode(), "text/html; charset=utf-8")
    return True


Behaviour = Callable[[HostileSite, Request], bool]
BEHAVIOURS_SERVED: dict[str, Behaviour] = {
    "encabezados-lentos": drip_headers,
    "encabezados-enormes": huge_headers,
    "pagina-gigante": giant_page,
    "pagina-grande": giant_page,
    "main-goteo": trickle_main,
    "bomba-gzip": bomb,
    "bomba-br": bomb,
    "main-sin-fin": endless_main,
    "tls-sin-encabezados": silent_after_request,
    "consola": console_flood,
    "sustituto": lone_surrogate,
    "memoria": memory_hog,
    "archivos-atascados": stalled_files,
    "carpeta-404": folder_404,
    "redireccion-bucle": redirect,
    "otro-host": redirect,
    "longitud-falsa": lying_length,
    "error-cada-3": every_third_fails,
    "marcadores": markers,
    "html-200": html_instead_of_data,
    "login": login,
    "redir-mailto": redirect,
    "redir-javascript": redirect,
    "redir-data": redirect,
    "json-anidado": nested_json,
    "raiz-403": root_status,
    "raiz-404": root_status,
}


# -- the server --------------------------------------------------------------------------------


class _TlsServer(ThreadingHTTPServer):
    """HTTP over TLS with the handshake done in each connection's own thread, so a client
    that never completes it cannot block the accept loop."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, context: ssl.SSLContext, site: HostileSite) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.site = site

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(HANDSHAKE_S)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            return
        try:
            tls.settimeout(None)
            _Handler(tls, client_address, self)
        except (OSError, ValueError):
            pass
        finally:
            tls.close()


class _SilentPort:
    """Accepts TCP connections and never sends a byte (``sin-tls``)."""

    def __init__(self, stopping: threading.Event) -> None:
        self.stopping = stopping
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, name="hostile-silent", daemon=True)

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.listener.close()


class HostileServer(Service):
    """The hostile site on loopback; see the module contract."""

    def __init__(self, site_root: Path, ca: LocalCA, workdir: Path) -> None:
        self.site = HostileSite(site_root)
        self.ca = ca
        self.workdir = workdir
        self._tls: _TlsServer | None = None
        self._silent: _SilentPort | None = None
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        if self._tls is None:
            raise RuntimeError("hostile server not started")
        return int(self._tls.server_address[1])

    @property
    def silent_port(self) -> int:
        if self._silent is None:
            raise RuntimeError("hostile server not started")
        return self._silent.port

    def base_url(self, behaviour: str) -> str:
        """The ``base_url`` of the difusor showing ``behaviour``."""
        if behaviour not in BEHAVIOURS:
            raise KeyError(behaviour)
        if behaviour in CONNECTION_LEVEL:
            return f"https://127.0.0.1:{self.silent_port}/"
        return f"https://127.0.0.1:{self.port}/b/{behaviour}/"

    def start(self) -> None:
        gzip_bomb(), br_bomb()  # made once, before any client waits on them
        leaf = self.ca.issue_leaf(self.workdir / "certificado")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(leaf.cert_path, leaf.key_path)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])
        self.site.stopping.clear()
        self._tls = _TlsServer(context, self.site)
        self._silent = _SilentPort(self.site.stopping)
        self._threads = [
            threading.Thread(target=self._tls.serve_forever, name="hostile-tls", daemon=True),
            self._silent.thread,
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self.site.stopping.set()
        if self._tls is not None:
            self._tls.shutdown()
            self._tls.server_close()
            self._tls = None
        if self._silent is not None:
            self._silent.close()
            self._silent = None
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []


# -- standalone --------------------------------------------------------------------------------


def prepare_site(workdir: Path) -> tuple[Path, Path, LocalCA]:
    """Build a sample package (``prepcheck package build``, current corte) and extract it.

    Returns (package archive, extracted site root, CA)."""
    from prepcheck.archive.extract import extract_safely
    from prepcheck.demo.simulacro import CENTRE_TIME, current_corte
    from prepcheck.sample import build_package

    built = build_package(current_corte(), workdir / "paquete", utc_offset=CENTRE_TIME)
    root = workdir / "sitio" / built.archive.stem  # one per corte: a kept --dir stays current
    if not root.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        extract_safely(built.archive, root)
    return built.archive, root, LocalCA.create(workdir / "ca")


def _listing(server: HostileServer) -> str:
    width = max(map(len, BEHAVIOURS))
    lines = [
        f"  {name:<{width}}  {server.base_url(name)}  {text}" for name, text in BEHAVIOURS.items()
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    behaviours = "\n".join(f"  {name}: {text}" for name, text in BEHAVIOURS.items())
    parser = argparse.ArgumentParser(
        prog="python -m tests.e2e.hostile.server",
        description=(
            "Sitio hostil en 127.0.0.1 para explorar a mano cómo prepcheck resiste a un "
            "difusor que se porta mal. Cada comportamiento vive bajo /b/<nombre>/ (su "
            "base_url); sin-tls tiene su propio puerto."
        ),
        epilog=f"Comportamientos:\n{behaviours}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="muestra esta ayuda y termina")
    parser.add_argument(
        "--dir", type=Path, default=Path(".prepcheck/hostil"), help="carpeta de trabajo"
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="escribe aquí un prepcheck.toml con un difusor por comportamiento",
    )
    args = parser.parse_args(argv)
    package, root, ca = prepare_site(args.dir.resolve())
    with HostileServer(root, ca, args.dir.resolve()) as server:
        print(f"CA: {ca.cert_path}\nPaquete: {package}\nComportamientos:\n{_listing(server)}")
        if args.config is not None:
            from .runs import write_config

            write_config(args.config, package, server, list(BEHAVIOURS))
            print(f"Configuración: {args.config}")
        print("Ctrl-C para terminar.", flush=True)
        with stop_requested() as stop:
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
