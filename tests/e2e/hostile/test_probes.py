"""Probe-level sweep: every hostile behaviour through every probe it concerns, directly.

Each probe must return (never raise) within a generous bound, with an error outcome whose
reason is plain Spanish (``assert_plain_spanish``) where the site misbehaved. Bounds are
several times what the probe needs on an idle machine (the machine is shared): each one is the
probe's own limit plus ``SLACK_S``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from prepcheck.demo.simulacro import CENTRE_TIME
from prepcheck.formats.corte import corte_from_main_json
from prepcheck.probes.cache_probe import probe_main_json_caching
from prepcheck.probes.fetch_many import STALL_LIMIT, fetch_and_compare
from prepcheck.probes.http import fetch, fetch_following, make_client
from prepcheck.probes.main_json import probe_main_json
from prepcheck.probes.publication import expected_files
from prepcheck.probes.tls import scan_tls
from prepcheck.reference.process import free_port

from .conftest import Hostile, assert_plain_spanish

SLACK_S = 15.0
HEADERS_S = 2.0
BODY_S = 3.0
MAX_BYTES = 1024 * 1024


@pytest.fixture(scope="module")
def client(hostile: Hostile) -> Iterator:
    with make_client(hostile.ca.cert_path, HEADERS_S) as made:
        yield made


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# -- HTTP: one request --------------------------------------------------------------------------

FAILING_MAIN_JSON = {
    "encabezados-lentos": "deadline",
    "encabezados-enormes": "too-large",
    "main-goteo": "deadline",
    "tls-sin-encabezados": "deadline",
    "longitud-falsa": "reset",
    "sin-tls": "deadline",
}


@pytest.mark.parametrize("behaviour", sorted(FAILING_MAIN_JSON))
def test_fetch_fails_in_spanish_within_its_deadline(hostile, client, behaviour):
    snapshot, seconds = timed(
        lambda: fetch(client, hostile.main_json(behaviour), max_bytes=MAX_BYTES, body_s=BODY_S)
    )
    assert seconds < HEADERS_S + BODY_S + SLACK_S
    assert not snapshot.ok
    assert snapshot.error_kind == FAILING_MAIN_JSON[behaviour]
    assert_plain_spanish(snapshot.error)
    assert snapshot.error_detail  # the system's own words are kept for the evidence


def test_no_socket_outlives_the_deadline(hostile, client):
    """The server keeps dripping until the client's socket is gone: once the probe returned,
    the dripping handler must see the connection closed within one drip interval."""
    snapshot = fetch(client, hostile.main_json("encabezados-lentos"))
    assert snapshot.error_kind == "deadline"
    deadline = time.monotonic() + 5
    while hostile.server.site.serving("encabezados-lentos") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert hostile.server.site.serving("encabezados-lentos") == 0


@pytest.mark.parametrize("behaviour", ["bomba-gzip", "bomba-br", "main-sin-fin"])
def test_bombs_and_endless_bodies_are_cut_at_the_cap(hostile, client, behaviour):
    snapshot, seconds = timed(
        lambda: fetch(client, hostile.main_json(behaviour), max_bytes=MAX_BYTES, body_s=BODY_S)
    )
    assert seconds < BODY_S + SLACK_S
    assert snapshot.ok and snapshot.status == 200
    assert snapshot.truncated and len(snapshot.body) == MAX_BYTES


def test_a_body_that_fails_after_its_headers_keeps_the_status(hostile, client):
    snapshot = fetch(client, hostile.main_json("longitud-falsa"))
    assert snapshot.status == 200 and not snapshot.ok


@pytest.mark.parametrize("behaviour", ["json-anidado", "html-200", "marcadores"])
def test_main_json_that_is_not_one_is_a_spanish_value_error(hostile, client, behaviour):
    snapshot = fetch(client, hostile.main_json(behaviour))
    assert snapshot.ok
    try:
        corte_from_main_json(snapshot.body, hostile_tz())
    except ValueError as exc:
        assert_plain_spanish(str(exc))
    else:
        assert behaviour == "marcadores"  # still a main.json, with markers in its strings


def hostile_tz():
    return CENTRE_TIME


@pytest.mark.parametrize("behaviour", ["redir-mailto", "redir-javascript", "redir-data"])
def test_redirects_to_non_web_addresses_end_the_chain(hostile, client, behaviour):
    chain = fetch_following(client, hostile.folder(behaviour))
    assert chain[0].status == 302
    assert chain[-1].error_kind == "redirect"
    assert_plain_spanish(chain[-1].error)


def test_redirect_loops_and_other_hosts_end(hostile, client):
    loop = fetch_following(client, hostile.folder("redireccion-bucle"))
    assert len(loop) == 6 and loop[-1].status == 302
    elsewhere = fetch_following(client, hostile.folder("otro-host"))
    assert elsewhere[-1].error_kind == "refused"
    assert_plain_spanish(elsewhere[-1].error)


def test_markers_in_headers_are_kept_as_text_and_bounded(hostile, client):
    snapshot = fetch(client, hostile.folder("marcadores"))
    server = snapshot.header("server") or ""
    assert "<script>" in server  # kept as data: escaping is the report's job
    assert all(len(value) <= 4096 + 40 for _, value in snapshot.headers)


def test_cache_probe_stops_at_the_first_request_without_an_answer(hostile, client):
    def get(url, headers):
        return fetch(client, url, headers=headers, body_s=BODY_S)

    sequence, seconds = timed(
        lambda: probe_main_json_caching(get, hostile.main_json("tls-sin-encabezados"), pause_s=0)
    )
    assert len(sequence) == 1 and not sequence[0].snapshot.ok
    assert seconds < HEADERS_S + SLACK_S


# -- the monitor probe --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "behaviour",
    [
        "encabezados-lentos",
        "main-goteo",
        "bomba-gzip",
        "main-sin-fin",
        "tls-sin-encabezados",
        "sin-tls",
        "longitud-falsa",
        "redir-mailto",
        "json-anidado",
        "html-200",
    ],
)
def test_monitor_probe_fails_in_spanish_within_its_bound(hostile, behaviour):
    result, seconds = timed(
        lambda: probe_main_json(
            hostile.main_json(behaviour),
            ca_file=hostile.ca.cert_path,
            timeout_s=HEADERS_S,
            tz=hostile_tz(),
        )
    )
    assert seconds < HEADERS_S + SLACK_S
    if result.error is not None:
        assert_plain_spanish(result.error)
    elif result.status != 200:
        assert result.status == 302  # a redirect is reported by its status
    else:
        assert result.corte is None
        assert_plain_spanish(result.corte_error)


# -- many files ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest(hostile):
    return expected_files(hostile.package)


def test_stalled_files_are_given_up_after_a_few_timeouts(hostile, manifest):
    files = [f for f in manifest if "/json/" in f.path and not f.path.endswith("main.json")]
    outcomes, seconds = timed(
        lambda: fetch_and_compare(
            hostile.base("archivos-atascados"), files, ca_file=hostile.ca.cert_path, timeout_s=1.0
        )
    )
    # Without the stall limit: len(files) / 16 rounds of 1 s each.
    assert seconds < 2 * STALL_LIMIT + SLACK_S
    assert {o.kind for o in outcomes} == {"error"}
    for outcome in outcomes[:3]:
        assert_plain_spanish(outcome.reason)


def test_a_site_that_breaks_every_transfer_is_given_up_after_a_few(hostile, manifest):
    outcomes, seconds = timed(
        lambda: fetch_and_compare(
            hostile.base("encabezados-enormes"), manifest, ca_file=hostile.ca.cert_path
        )
    )
    assert seconds < SLACK_S  # 2 MB of headers per file, for 768 files, took 30 s
    assert {o.kind for o in outcomes} == {"error"}
    given_up = [o for o in outcomes if "fallaron igual" in o.reason]
    assert len(given_up) >= len(manifest) - 2 * STALL_LIMIT - 16
    assert_plain_spanish(given_up[0].reason)


@pytest.mark.parametrize(
    ("behaviour", "kinds"),
    [
        ("sano", {"identical"}),
        ("longitud-falsa", {"error"}),
        ("html-200", {"identical", "modified"}),
        ("error-cada-3", {"identical", "missing"}),
    ],
)
def test_files_of_a_misbehaving_site_are_judged_in_spanish(hostile, manifest, behaviour, kinds):
    outcomes = fetch_and_compare(hostile.base(behaviour), manifest, ca_file=hostile.ca.cert_path)
    assert {o.kind for o in outcomes} == kinds
    for outcome in outcomes:
        if outcome.kind != "identical":
            assert_plain_spanish(outcome.reason)


# -- TLS ----------------------------------------------------------------------------------------


def test_tls_scan_of_a_port_that_never_speaks_tls(hostile):
    port = hostile.server.silent_port
    scan, seconds = timed(
        lambda: scan_tls(
            "127.0.0.1", port, ca_file=hostile.ca.cert_path, timeout_s=30, network_timeout_s=2
        )
    )
    assert seconds < 30 + SLACK_S
    assert not scan.ok and scan.error_kind in ("timeout", "handshake")
    assert_plain_spanish(scan.error)


def test_tls_scan_of_a_closed_port(hostile):
    scan = scan_tls("127.0.0.1", free_port(), ca_file=hostile.ca.cert_path, timeout_s=30)
    assert scan.error_kind == "tcp"
    assert_plain_spanish(scan.error)
    assert scan.error_detail and "111" in scan.error_detail  # the system's words, kept apart
