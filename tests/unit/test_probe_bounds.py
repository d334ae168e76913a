"""The pieces that bound what a site can do to a probe: the decoder, the sanitizer, the Spanish
failure table and the deadline scope (unit tests, no network)."""

from __future__ import annotations

import errno
import json
import socket
import ssl
import time
import zlib

import brotli
import httpx
import pytest

from prepcheck.probes.deadline import _bounded, deadline_scope
from prepcheck.probes.decoding import BoundedDecoder
from prepcheck.probes.failures import (
    DeadlineExceeded,
    describe,
    describe_browser,
    describe_curl,
)
from prepcheck.snapshots.text import clean_evidence, clean_text
from prepcheck.spanish import status_phrase

LIMIT = 64 * 1024


def feed_all(decoder: BoundedDecoder, data: bytes, step: int = 4096) -> bytes:
    out = b"".join(decoder.feed(data[i : i + step]) for i in range(0, len(data), step))
    return out + decoder.finish()


@pytest.mark.parametrize(
    ("coding", "pack"),
    [
        ("gzip", lambda d: zlib.compress(d, wbits=31)),
        ("x-gzip", lambda d: zlib.compress(d, wbits=31)),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d, wbits=-15)),  # raw deflate, as some servers send
        ("br", brotli.compress),
        (None, lambda d: d),
    ],
)
def test_bodies_within_the_cap_decode_whole(coding, pack):
    text = b'{"corte": "2021-06-06T21:15:00-05:00"}' * 100
    decoder = BoundedDecoder(coding, LIMIT)
    assert feed_all(decoder, pack(text)) == text and not decoder.over


@pytest.mark.parametrize(
    ("coding", "bomb"),
    [
        ("gzip", zlib.compress(bytes(16 << 20), 9, wbits=31)),  # 256 times the cap
        ("br", brotli.compress(bytes(16 << 20), quality=5)),
    ],
)
def test_a_bomb_is_cut_at_the_cap_without_inflating_it(coding, bomb):
    decoder = BoundedDecoder(coding, LIMIT)
    out = feed_all(decoder, bomb, step=len(bomb))  # the whole bomb in one chunk
    assert decoder.over and len(out) == LIMIT


def test_codings_apply_in_order_and_unknown_or_corrupt_ones_raise():
    text = b"x" * 1000
    both = brotli.compress(zlib.compress(text, wbits=31))
    assert feed_all(BoundedDecoder("gzip, br", LIMIT), both) == text
    with pytest.raises(httpx.DecodingError):
        BoundedDecoder("zstd", LIMIT)
    with pytest.raises(httpx.DecodingError):
        feed_all(BoundedDecoder("gzip", LIMIT), b"\x1f\x8b not gzip at all")


def test_site_text_is_storable_bounded_and_without_controls():
    assert clean_text("a\ud800b\x00c\x1b[31m\nd") == "a\ufffdbc[31m d"
    cut = clean_text("x" * 2000, 100)
    assert cut.startswith("x" * 100) and "1,900 caracteres más" in cut
    assert clean_text(b"\xff\xfe bytes") == "\ufffd\ufffd bytes"
    kept = clean_evidence({"k\ud800": ["línea\nsiguiente", ("t", 1)]})
    assert json.dumps(kept, ensure_ascii=False).encode("utf-8")
    assert kept == {"k\ufffd": ["línea\nsiguiente", ["t", 1]]}


@pytest.mark.parametrize(
    ("raised", "kind"),
    [
        (httpx.ConnectError("x"), "refused"),
        (DeadlineExceeded(2, "headers"), "deadline"),
        (DeadlineExceeded(15, "body"), "deadline"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)"), "tls"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "unreachable"),
        (httpx.ReadTimeout("The read operation timed out"), "timeout"),
        (
            httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            ),
            "reset",
        ),
        (httpx.RemoteProtocolError("Receive buffer too long"), "too-large"),
        (httpx.DecodingError("x"), "decoding"),
        (httpx.InvalidURL("x"), "redirect"),
        (RecursionError("maximum recursion depth exceeded"), "json"),
        (KeyError("what"), "unexpected"),
    ],
)
def test_every_failure_has_a_kind_a_spanish_reason_and_the_raw_detail(raised, kind):
    failure = describe(raised)
    assert failure.kind == kind
    assert "Error" not in failure.reason and "None" not in failure.reason
    assert failure.detail.startswith(type(raised).__name__)


def test_the_most_specific_cause_wins():
    try:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        except OSError as inner:
            raise httpx.ConnectError("[Errno 111] Connection refused") from inner
    except httpx.ConnectError as wrapped:
        failure = describe(wrapped)
    assert failure.kind == "refused" and "rechazada" in failure.reason
    assert "Errno 111" in failure.detail


def test_libcurl_and_chromium_codes_in_spanish():
    assert describe_curl(28, "Operation timed out after 1000 ms", 1.0).reason == (
        "el archivo no terminó de llegar en 1 s"
    )
    assert describe_curl(7, "Failed to connect", 10).kind == "refused"
    assert describe_curl(9999, "new code", 10).reason == "error de transferencia (código 9999)"
    assert describe_browser("net::ERR_CERT_AUTHORITY_INVALID at https://x/").kind == "certificate"
    assert describe_browser("Page.goto: net::ERR_TOO_MANY_REDIRECTS").kind == "redirect"
    assert describe_browser("Timeout 5000ms exceeded.", timeout_s=5).reason.endswith("en 5 s")
    assert describe_browser("Target crashed").kind == "crashed"
    unsafe = describe_browser("Page.goto: net::ERR_UNSAFE_PORT at https://127.0.0.1:9/")
    assert unsafe.kind == "unreachable" and "puerto" in unsafe.reason
    assert "UNSAFE_PORT" not in unsafe.reason and "UNSAFE_PORT" in unsafe.detail
    assert describe_browser("net::ERR_SSL_UNRECOGNIZED_NAME_ALERT").kind == "tls"
    assert status_phrase(404) == "HTTP 404 (no encontrada)"
    assert status_phrase(302) == "HTTP 302 (redirección)"


def test_a_deadline_scope_shortens_every_wait_and_then_refuses():
    assert _bounded(10.0) == 10.0  # outside a scope: httpx's own timeouts
    with deadline_scope(0.3) as scope:
        left = _bounded(10.0)
        assert left is not None and left <= 0.3
        time.sleep(0.35)
        with pytest.raises(DeadlineExceeded):
            _bounded(10.0)
        scope.extend(5.0, "body")
        assert _bounded(None) == pytest.approx(5.0, abs=0.5)
