"""fetch_and_compare against real loopback servers: nginx over HTTPS/2 and a hostile Python server.

Both servers present a leaf certificate from a throwaway CA made here with ``cryptography``.
The nginx document root is static; each test varies the *expected* manifest instead (a
"modified" file is one whose manifest entry does not match what is served).
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import ipaddress
import os
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from prepcheck.probes.fetch_many import STALL_LIMIT, fetch_and_compare, http2_available
from prepcheck.snapshots.files import ExpectedFile, FileOutcome

N_FILES = 300
BIG = 512 * 1024


@dataclass(frozen=True)
class Tls:
    ca: Path
    cert: Path
    key: Path


@dataclass(frozen=True)
class Site:
    base: str
    root: Path
    log: Path
    files: dict[str, bytes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait up to 5 s until something accepts on ``port``; fail early if ``proc`` died."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def _expected(path: str, data: bytes) -> ExpectedFile:
    return ExpectedFile(path, len(data), hashlib.sha256(data).hexdigest())


def _kinds(outcomes: list[FileOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    return counts


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A local CA and a leaf for localhost/127.0.0.1 (SAN not critical)."""
    d = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "prepcheck test CA")])
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])

    def build(subject: x509.Name, key: ec.EllipticCurvePrivateKey) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
        )

    ca = build(ca_name, ca_key).add_extension(
        x509.BasicConstraints(ca=True, path_length=None), critical=True
    )
    san = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    leaf = build(leaf_name, leaf_key).add_extension(san, critical=False)
    pem = serialization.Encoding.PEM
    (d / "ca.pem").write_bytes(ca.sign(ca_key, hashes.SHA256()).public_bytes(pem))
    (d / "leaf.pem").write_bytes(leaf.sign(ca_key, hashes.SHA256()).public_bytes(pem))
    key_pem = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (d / "leaf.key").write_bytes(key_pem)
    return Tls(d / "ca.pem", d / "leaf.pem", d / "leaf.key")


def _write_docroot(root: Path) -> dict[str, bytes]:
    """Small JSON/CSV-like files (gzip-able), one big file, one with a non-ASCII name."""
    files: dict[str, bytes] = {}
    for i in range(N_FILES):
        name = f"json/d{i % 7}/f{i:04d}.json"
        files[name] = b'{"casilla": %d, "votos": [' % i + b"1, " * (i * 13 % 4000) + b"0]}\n"
    files["csv/big.csv"] = os.urandom(BIG // 2).hex().encode()
    files["csv/año electoral.csv"] = "sección,votos\n1,2\n".encode()
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


@pytest.fixture(scope="module")
def site(tls: Tls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """nginx on 127.0.0.1 over HTTPS with HTTP/2 and gzip, single process, stopped by pid."""
    d = tmp_path_factory.mktemp("nginx")
    root = d / "www"
    files = _write_docroot(root)
    port = _free_port()
    conf = f"""
daemon off; master_process off; pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
  types {{ application/json json; text/csv csv; }}
  log_format p '$server_protocol $connection $status $request_uri';
  access_log {d}/access.log p;
  client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d};
  uwsgi_temp_path {d}; scgi_temp_path {d};
  gzip on; gzip_min_length 0; gzip_types application/json text/csv;
  server {{
    listen 127.0.0.1:{port} ssl http2;
    ssl_certificate {tls.cert}; ssl_certificate_key {tls.key};
    root {root};
    location = /loop {{ return 302 /loop; }}
    location = /boom {{ return 500; }}
  }}
}}
"""
    (d / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(
        ["nginx", "-e", str(d / "error.log"), "-p", str(d), "-c", str(d / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port, proc)
        yield Site(f"https://localhost:{port}", root, d / "access.log", files)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class _Hostile(BaseHTTPRequestHandler):
    """Misbehaving endpoints; every wait ends when the server's ``stop`` event is set."""

    protocol_version = "HTTP/1.1"
    stop: threading.Event
    payload = b"contenido oficial del archivo\n" * 100

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        route = self.path.split("/")[1]
        # The client hanging up mid-answer is the expected end of a hostile endpoint.
        with contextlib.suppress(OSError):
            getattr(self, f"_{route}", self._missing)()

    def _hang(self) -> None:
        self.stop.wait(30)

    def _drip(self) -> None:
        self._head(200, len(self.payload))
        for byte in self.payload:
            if self.stop.wait(0.1):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def _huge(self) -> None:
        self._head(200, 1 << 34)
        chunk = b"x" * 65536
        while not self.stop.is_set():
            self.wfile.write(chunk)

    def _br(self) -> None:
        body = brotli.compress(self.payload)
        self._head(200, len(body), ("Content-Encoding", "br"))
        self.wfile.write(body)

    def _bomb(self) -> None:
        body = gzip.compress(bytes(32 * 1024 * 1024), compresslevel=1)
        self._head(200, len(body), ("Content-Encoding", "gzip"))
        self.wfile.write(body)

    def _gone(self) -> None:
        self._head(404, 1024 * 1024)
        self.wfile.write(b"<p>no existe</p>" * (1024 * 1024 // 16))

    def _missing(self) -> None:
        self._head(404, 0)

    def _head(self, status: int, length: int, *extra: tuple[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()


@pytest.fixture(scope="module")
def hostile(tls: Tls) -> Iterator[str]:
    """A threaded HTTPS server with hostile endpoints; its threads are released at teardown."""
    stop = threading.Event()
    handler = type("Handler", (_Hostile,), {"stop": stop})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tls.cert, tls.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _manifest(site: Site) -> list[ExpectedFile]:
    return [_expected(path, data) for path, data in site.files.items()]


def test_all_identical_over_http2_on_one_connection(site: Site, tls: Tls) -> None:
    files = _manifest(site)
    outcomes = fetch_and_compare(site.base, files, ca_file=tls.ca, concurrency=8)
    assert [o.path for o in outcomes] == [f.path for f in files]
    assert _kinds(outcomes) == {"identical": len(files)}
    assert all(o.status == 200 and o.actual_size == o.expected_size for o in outcomes)
    if http2_available():
        lines = [line.split() for line in site.log.read_text().splitlines()]
        ours = [line for line in lines if line[3].startswith(("/json/", "/csv/"))]
        assert {line[0] for line in ours[-len(files) :]} == {"HTTP/2.0"}
        assert len({line[1] for line in ours[-len(files) :]}) == 1  # multiplexed, reused


def test_gzip_encoded_responses_compare_after_decoding(site: Site, tls: Tls) -> None:
    path = "json/d1/f0001.json"
    request = urllib.request.Request(f"{site.base}/{path}", headers={"Accept-Encoding": "gzip"})
    context = ssl.create_default_context(cafile=str(tls.ca))
    with urllib.request.urlopen(request, context=context) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.read()) == site.files[path]
    [outcome] = fetch_and_compare(site.base, [_expected(path, site.files[path])], ca_file=tls.ca)
    assert outcome.kind == "identical"


def test_brotli_encoded_response_compares_after_decoding(hostile: str, tls: Tls) -> None:
    [outcome] = fetch_and_compare(
        hostile, [_expected("br/x.json", _Hostile.payload)], ca_file=tls.ca
    )
    assert outcome.kind == "identical", outcome.reason


def test_one_changed_byte_is_modified_at_its_offset(site: Site, tls: Tls) -> None:
    path = "json/d3/f0010.json"
    official = bytearray(site.files[path])
    official[57] ^= 0x01
    calls: list[str] = []

    def content_of(p: str) -> bytes:
        calls.append(p)
        return bytes(official)

    files = [*_manifest(site)[:20], _expected(path, bytes(official))]
    outcomes = fetch_and_compare(site.base, files, ca_file=tls.ca, content_of=content_of)
    assert _kinds(outcomes) == {"identical": 20, "modified": 1}
    changed = outcomes[-1]
    assert (changed.path, changed.first_diff_offset) == (path, 57)
    assert changed.actual_size == changed.expected_size == len(official)
    assert "57" in changed.reason
    assert calls == [path]  # the official content is read only for the file that differs


def test_truncated_official_file_without_content_gives_sizes_only(site: Site, tls: Tls) -> None:
    path = "csv/big.csv"
    longer = site.files[path] + b"ultima,linea\n"
    [outcome] = fetch_and_compare(site.base, [_expected(path, longer)], ca_file=tls.ca)
    assert outcome.kind == "modified"
    assert (outcome.expected_size, outcome.actual_size) == (len(longer), len(site.files[path]))
    assert outcome.first_diff_offset is None
    [located] = fetch_and_compare(
        site.base, [_expected(path, longer)], ca_file=tls.ca, content_of=lambda _: longer
    )
    assert located.first_diff_offset == len(site.files[path])


def test_deleted_file_redirect_and_500_are_missing(site: Site, tls: Tls) -> None:
    files = [
        _expected("json/d0/borrado.json", b"{}"),
        _expected("loop", b"{}"),
        _expected("boom", b"{}"),
        _expected("csv/año electoral.csv", site.files["csv/año electoral.csv"]),
    ]
    gone, loop, boom, accented = fetch_and_compare(site.base, files, ca_file=tls.ca)
    assert (gone.kind, gone.status) == ("missing", 404)
    assert (loop.kind, loop.status) == ("missing", 302)
    assert "/loop" in loop.reason
    assert (boom.kind, boom.status) == ("missing", 500)
    assert accented.kind == "identical"


def test_tls_is_verified_without_the_ca(site: Site) -> None:
    [outcome] = fetch_and_compare(site.base, [_expected("json/d0/f0000.json", b"")])
    assert outcome.kind == "error"
    assert outcome.reason == "el certificado del sitio no es de confianza o no es válido"
    assert outcome.detail is not None and outcome.detail.startswith("libcurl 60")


def test_refused_connection_is_error(tls: Tls) -> None:
    base = f"https://127.0.0.1:{_free_port()}"
    [outcome] = fetch_and_compare(base, [_expected("a.json", b"{}")], ca_file=tls.ca)
    assert outcome.kind == "error"
    assert outcome.reason.startswith("no se pudo conectar")
    assert outcome.detail is not None and "libcurl 7" in outcome.detail


def test_silent_and_dripping_servers_time_out(hostile: str, tls: Tls) -> None:
    files = [_expected("hang/a.json", b"x"), _expected("drip/b.json", _Hostile.payload)]
    started = time.monotonic()
    outcomes = fetch_and_compare(hostile, files, ca_file=tls.ca, timeout_s=1.0)
    # Generous margin for a busy machine: unbounded, the silent file never ends at all.
    assert time.monotonic() - started < 15
    for outcome in outcomes:
        assert outcome.kind == "error"
        assert outcome.reason == "el archivo no terminó de llegar en 1 s"


def test_body_over_cap_is_aborted_as_modified(hostile: str, tls: Tls) -> None:
    started = time.monotonic()
    [outcome] = fetch_and_compare(
        hostile, [_expected("huge/c.csv", b"x" * 1000)], ca_file=tls.ca, size_margin=4096
    )
    assert time.monotonic() - started < 15  # unbounded, the huge body would stream for minutes
    assert outcome.kind == "modified"
    assert outcome.reason.startswith("más grande de lo esperado")
    assert outcome.actual_size is None


def test_decompression_bomb_is_capped_on_decoded_bytes(hostile: str, tls: Tls) -> None:
    [outcome] = fetch_and_compare(hostile, [_expected("bomb/d.json", b"{}")], ca_file=tls.ca)
    assert outcome.kind == "modified"
    assert outcome.reason.startswith("más grande de lo esperado")


def test_status_is_judged_before_the_cap(hostile: str, tls: Tls) -> None:
    [outcome] = fetch_and_compare(hostile, [_expected("gone/e.json", b"{}")], ca_file=tls.ca)
    assert (outcome.kind, outcome.status) == ("missing", 404)


def test_whole_run_deadline_bounds_many_hanging_files(hostile: str, tls: Tls) -> None:
    files = [_expected(f"hang/{i}.json", b"x") for i in range(12)]
    started = time.monotonic()
    outcomes = fetch_and_compare(
        hostile, files, ca_file=tls.ca, concurrency=4, timeout_s=20, deadline_s=0.8
    )
    # The 0.8 s deadline, with a margin for a busy machine; without it: 20 s per file.
    assert time.monotonic() - started < 10
    assert _kinds(outcomes) == {"error": 12}
    assert all("tiempo total" in o.reason for o in outcomes)


def test_a_stalled_site_is_not_waited_on_file_after_file(hostile: str, tls: Tls) -> None:
    """Every file hangs: after STALL_LIMIT timeouts in a row the rest are not tried."""
    files = [_expected(f"hang/{i}.json", b"x") for i in range(40)]
    started = time.monotonic()
    outcomes = fetch_and_compare(hostile, files, ca_file=tls.ca, concurrency=4, timeout_s=0.5)
    # 40 files at 4 at a time would take 5 s; the breaker stops after 8 timeouts (2 rounds).
    assert time.monotonic() - started < 4
    assert _kinds(outcomes) == {"error": 40}
    stopped = [o for o in outcomes if "dejó de entregar" in o.reason]
    assert len(stopped) >= 40 - STALL_LIMIT - 4


def test_memory_does_not_grow_with_bytes_fetched(site: Site, tls: Tls) -> None:
    files = [_expected("csv/big.csv", site.files["csv/big.csv"])] * 40  # 20 MiB in total
    tracemalloc.start()
    try:
        outcomes = fetch_and_compare(site.base, files, ca_file=tls.ca, concurrency=8)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _kinds(outcomes) == {"identical": 40}
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize("bad", ["/abs.json", "a/../b.json", "a//b.json", ""])
def test_paths_escaping_the_base_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        fetch_and_compare("https://localhost", [ExpectedFile(bad, 1, "0" * 64)])
