"""The embedded reference difusor: real nginx and Apache over HTTPS on loopback, no mocks."""

from __future__ import annotations

import gzip
import os
import re
import socket
import ssl
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from prepcheck.errors import ServerError
from prepcheck.reference.pki import LocalCA
from prepcheck.reference.process import group_members
from prepcheck.reference.servers import ReferenceServer
from prepcheck.reference.variants import MAIN_JSON_CACHE_CONTROL, VARIANTS, ServerKind, Variant

KINDS: tuple[ServerKind, ...] = ("nginx", "apache")
MAIN_JSON = "prepver2021/json/main.json"
COMBINED = re.compile(r'^\S+ \S+ \S+ \[[^\]]+\] "GET \S+ HTTP/[\d.]+" \d{3} \S+ "[^"]*" "[^"]*"$')


def make_site(root: Path) -> Path:
    """A tiny extracted package: index, assets, main.json, another json and a CSV."""
    election = root / "prepver2021"
    for folder in ("assets", "json/detalle", "csv"):
        (election / folder).mkdir(parents=True)
    (election / "index.html").write_text("<!doctype html><title>PREP</title>" + "<p>PREP</p>" * 100)
    (election / "assets" / "app.js").write_text("console.log('prep');\n" * 50)
    (election / "json" / "main.json").write_text('{"corte": "2021-06-07T20:00"}' + " " * 600)
    (election / "json" / "detalle" / "d01.json").write_text('{"distrito": 1}')
    (election / "csv" / "GUB_2021.csv").write_text("ACTA,VOTOS\n" + "1,10\n" * 200)
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return LocalCA.create(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module", params=KINDS)
def server(
    request: pytest.FixtureRequest,
    site: Path,
    ca: LocalCA,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ReferenceServer]:
    workdir = tmp_path_factory.mktemp(request.param)
    with ReferenceServer(site, workdir, kind=request.param, ca=ca) as running:
        yield running


def start(
    kind: ServerKind, variant: Variant, root: Path, tmp: Path, ca: LocalCA
) -> ReferenceServer:
    reference = ReferenceServer(
        root, tmp / f"{kind}-{variant.name}", kind=kind, variant=variant, ca=ca
    )
    reference.start()
    return reference


def client(ca_file: Path) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(ca_file)), timeout=5)


def handshake(port: int, cafile: Path, version: ssl.TLSVersion | None = None) -> str:
    """Negotiated TLS version; ``version`` pins the client to one (legacy ones at seclevel 0)."""
    context = ssl.create_default_context(cafile=str(cafile))
    if version is not None:
        with warnings.catch_warnings():  # ssl deprecates the legacy TLSVersion members
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = version
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return str(tls.version())


# -- the good reference, nginx and Apache ------------------------------------------------------


def test_serves_the_election_folder(server: ReferenceServer) -> None:
    with client(server.ca_file) as http:
        response = http.get(server.base_url + "prepver2021/index.html")
    assert response.status_code == 200
    assert response.text.startswith("<!doctype html><title>PREP</title>")
    assert response.headers["server"] in ("nginx", "Apache")  # software named, version hidden


def test_main_json_is_never_cached(server: ReferenceServer) -> None:
    with client(server.ca_file) as http:
        main = http.get(server.base_url + MAIN_JSON)
        other = http.get(server.base_url + "prepver2021/json/detalle/d01.json")
    assert main.headers["cache-control"] == MAIN_JSON_CACHE_CONTROL
    assert main.headers["content-type"].startswith("application/json")
    assert "expires" not in main.headers
    assert other.headers["cache-control"] == "max-age=60"


def test_http_redirects_to_https(server: ReferenceServer) -> None:
    with client(server.ca_file) as http:
        response = http.get(server.http_url + "prepver2021/index.html")
    assert response.status_code == 301
    assert response.headers["location"] == server.base_url + "prepver2021/index.html"


def test_folder_without_index_is_not_listed(server: ReferenceServer) -> None:
    with client(server.ca_file) as http:
        response = http.get(server.base_url + "prepver2021/json/")
    assert response.status_code == 403
    assert "main.json" not in response.text


@pytest.mark.parametrize(
    "path", ["prepver2021/index.html", MAIN_JSON, "prepver2021/csv/GUB_2021.csv"]
)
def test_text_is_gzipped_when_asked(server: ReferenceServer, path: str) -> None:
    with (
        client(server.ca_file) as http,
        http.stream("GET", server.base_url + path, headers={"accept-encoding": "gzip"}) as response,
    ):
        body = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body)


def test_security_headers(server: ReferenceServer) -> None:
    with client(server.ca_file) as http:
        responses = [http.get(server.base_url + path) for path in ("prepver2021/", MAIN_JSON)]
    for response in responses:
        assert response.headers["strict-transport-security"] == "max-age=31536000"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == "frame-ancestors 'self'"


def test_tls_1_2_and_1_3_only(server: ReferenceServer) -> None:
    assert handshake(server.https_port, server.ca_file) == "TLSv1.3"
    assert handshake(server.https_port, server.ca_file, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    with pytest.raises(ssl.SSLError):
        handshake(server.https_port, server.ca_file, ssl.TLSVersion.TLSv1)


def test_access_log_is_combined(server: ReferenceServer) -> None:
    with client(server.ca_file) as http:
        http.get(
            server.base_url + "prepver2021/index.html", headers={"user-agent": "prepcheck-log"}
        )
    # The server logs a request after its response is sent, so a client can read the log
    # before the line lands: wait for it (10 s, far beyond any write on a busy machine).
    deadline = time.monotonic() + 10
    lines = server.access_log.read_text().splitlines()
    while not any("prepcheck-log" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
        lines = server.access_log.read_text().splitlines()
    assert any("prepcheck-log" in line for line in lines)
    assert all(COMBINED.match(line) for line in lines), lines


# -- broken variants -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_legacy_variant_really_negotiates_tls_1_0(
    kind: ServerKind, site: Path, ca: LocalCA, tmp_path: Path
) -> None:
    legacy = start(kind, VARIANTS["tls-legacy"], site, tmp_path, ca)
    try:
        assert handshake(legacy.https_port, legacy.ca_file, ssl.TLSVersion.TLSv1) == "TLSv1"
    finally:
        legacy.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_expired_certificate_fails_verification(
    kind: ServerKind, site: Path, ca: LocalCA, tmp_path: Path
) -> None:
    expired = start(kind, VARIANTS["cert-expired"], site, tmp_path, ca)
    try:
        with client(expired.ca_file) as http, pytest.raises(httpx.ConnectError, match="expired"):
            http.get(expired.base_url + MAIN_JSON)
    finally:
        expired.stop()


def test_cache_front_serves_stale_main_json(ca: LocalCA, tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    stale = start("nginx", VARIANTS["stale-cache"], root, tmp_path, ca)
    try:
        with client(stale.ca_file) as http:
            first = http.get(stale.base_url + MAIN_JSON)
            (root / MAIN_JSON).write_text('{"corte": "2021-06-07T20:15"}')
            second = http.get(stale.base_url + MAIN_JSON)
    finally:
        stale.stop()
    assert second.headers["cache-control"] == MAIN_JSON_CACHE_CONTROL  # right directives...
    assert second.headers["x-cache"] == "HIT"  # ...yet an intermediary answers
    assert second.text == first.text  # with the old corte


def test_variant_a_kind_cannot_do_is_refused(site: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cache_front"):
        ReferenceServer(site, tmp_path, kind="apache", variant=VARIANTS["stale-cache"])


# -- lifecycle -----------------------------------------------------------------------------------


WORKERS_BOUND_S = 30.0


@pytest.mark.parametrize("kind", KINDS)
def test_stop_leaves_no_process(kind: ServerKind, site: Path, ca: LocalCA, tmp_path: Path) -> None:
    reference = start(kind, Variant(), site, tmp_path, ca)
    try:
        pid = reference.pid
        # Apache forks its workers after the master already answers: wait for them, with a
        # generous bound (they appear within a second on an idle machine).
        deadline = time.monotonic() + WORKERS_BOUND_S
        while len(group_members(pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(group_members(pid)) >= 2  # master and workers
    finally:
        reference.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert group_members(pid) == []
    reference.stop()  # idempotent


def test_busy_fixed_port_raises_server_error_with_log(
    site: Path, ca: LocalCA, tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        reference = ReferenceServer(site, tmp_path, https_port=port, ca=ca)
        with pytest.raises(ServerError, match="Address already in use"):
            reference.start(timeout=5)
    assert not reference.running


# -- certificates --------------------------------------------------------------------------------


def test_ca_is_reused_and_keys_are_private(ca: LocalCA, tmp_path: Path) -> None:
    again = LocalCA.create(ca.directory)
    assert again.certificate == ca.certificate
    leaf = ca.issue_leaf(tmp_path)
    for key in (ca.key_path, leaf.key_path):
        assert key.stat().st_mode & 0o777 == 0o600
    cert = x509.load_pem_x509_certificate(leaf.cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert not san.critical  # sslyze rejects a critical SAN (trustme's choice)


# sslyze loads its bundled trust stores, some of whose roots have non-positive serials.
@pytest.mark.filterwarnings("ignore:Parsed a serial number which wasn't positive")
def test_sslyze_validates_the_leaf_with_the_custom_ca(server: ReferenceServer) -> None:
    from sslyze import (
        Scanner,
        ServerNetworkConfiguration,
        ServerNetworkLocation,
        ServerScanRequest,
    )
    from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
    from sslyze.plugins.scan_commands import ScanCommand
    from sslyze.scanner.models import ScanCommandsExtraArguments

    request = ServerScanRequest(
        server_location=ServerNetworkLocation("localhost", server.https_port, "127.0.0.1"),
        network_configuration=ServerNetworkConfiguration("localhost"),
        scan_commands={ScanCommand.CERTIFICATE_INFO},
        scan_commands_extra_arguments=ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=server.ca_file)
        ),
    )
    scanner = Scanner()
    scanner.queue_scans([request])
    (result,) = scanner.get_results()
    assert result.scan_result and result.scan_result.certificate_info.result
    deployment = result.scan_result.certificate_info.result.certificate_deployments[0]
    custom = [
        r for r in deployment.path_validation_results if r.trust_store.name == "Supplied CA file"
    ]
    assert custom and custom[0].was_validation_successful


def test_restart_comes_back_on_the_same_address(tmp_path: Path) -> None:
    site = tmp_path / "site" / "prepver2021"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<p>PREP</p>")
    server = ReferenceServer(tmp_path / "site", tmp_path / "work")
    try:
        server.start()
        first = server.base_url
        server.stop()
        server.start()
        assert server.base_url == first
        context = ssl.create_default_context(cafile=str(server.ca_file))
        assert httpx.get(first + "prepver2021/index.html", verify=context).status_code == 200
    finally:
        server.stop()
