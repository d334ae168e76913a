"""The headers.* and advisory site.* evaluators on hand-built HTTP snapshots."""

from __future__ import annotations

import pytest

from prepcheck.checks.headers import (
    cache_markers,
    evaluate_compression,
    evaluate_hsts,
    evaluate_main_json_content_type,
    evaluate_main_json_not_cached,
    evaluate_security,
    parse_hsts,
)
from prepcheck.checks.site import (
    evaluate_https_redirect,
    evaluate_no_directory_listing,
    evaluate_server_software,
    plain_http_url,
)
from prepcheck.probes.cache_probe import busted_url
from prepcheck.snapshots.http import HttpSnapshot, LabelledSnapshot

SITE = "https://difusor.mx/"
URL = SITE + "prepver2021/json/main.json"


def snap(headers=(), body=b"{}", status=200, url=URL, error=None, error_kind=None):
    return HttpSnapshot(
        url=url,
        status=None if error else status,
        headers=tuple(headers),
        body=body,
        error=error,
        error_kind=error_kind,
    )


def sequence(plain=(), busted=(), plain_body=b'{"corte": 1}', busted_body=b'{"corte": 1}'):
    return [
        LabelledSnapshot("busted-1", "busted", snap(busted, busted_body)),
        LabelledSnapshot("plain-1", "plain", snap(plain, plain_body)),
        LabelledSnapshot("revalidate", "revalidate", snap((), busted_body)),
        LabelledSnapshot("plain-2", "plain", snap(plain, plain_body)),
        LabelledSnapshot("busted-2", "busted", snap(busted, busted_body)),
    ]


# -- not cached ---------------------------------------------------------------------------------


def test_fresh_sequence_passes():
    assert evaluate_main_json_not_cached(sequence()).status == "pass"


@pytest.mark.parametrize(
    "header",
    [
        ("age", "12"),
        ("x-cache", "HIT"),
        ("x-cache", "HIT, MISS"),
        ("cf-cache-status", "HIT"),
        ("cf-cache-status", "STALE"),
        ("x-cache-status", "UPDATING"),
        ("x-cache", "TCP_MEM_HIT from a23-1-2-3.deploy.akamaitechnologies.com"),
        ("x-varnish", "32770 32768"),
    ],
)
def test_each_hit_marker_fails(header):
    result = evaluate_main_json_not_cached(sequence(plain=[header]))
    assert result.status == "fail"
    assert result.evidence["marcas"]


@pytest.mark.parametrize(
    "header",
    [
        ("age", "0"),
        ("x-cache", "MISS"),
        ("cf-cache-status", "DYNAMIC"),
        ("x-varnish", "32770"),
        ("x-served-by", "cache-qro4123-QRO"),
    ],
)
def test_misses_and_cdn_names_alone_pass(header):
    result = evaluate_main_json_not_cached(sequence(plain=[header]))
    assert result.status == "pass"


def test_plain_copy_older_than_cache_busted_fails_without_markers():
    result = evaluate_main_json_not_cached(sequence(plain_body=b'{"corte": 0}'))
    assert result.status == "fail"
    assert any("contenido distinto" in c for c in result.evidence["copias_viejas"])


def test_stale_validators_fail():
    result = evaluate_main_json_not_cached(
        sequence(plain=[("etag", '"viejo"')], busted=[("etag", '"nuevo"')])
    )
    assert result.status == "fail"
    assert any("ETag" in c for c in result.evidence["copias_viejas"])


def test_file_changing_mid_probe_is_not_stale():
    items = sequence()
    items[-1] = LabelledSnapshot("busted-2", "busted", snap((), b'{"corte": 2}'))
    items[3] = LabelledSnapshot("plain-2", "plain", snap((), b'{"corte": 2}'))
    assert evaluate_main_json_not_cached(items).status == "pass"


def test_failed_request_is_an_error():
    items = sequence()
    items[1] = LabelledSnapshot("plain-1", "plain", snap(error="tiempo agotado"))
    assert evaluate_main_json_not_cached(items).status == "error"


def test_busted_url_adds_a_unique_parameter():
    first, second = busted_url(URL), busted_url(URL + "?a=1")
    assert first.startswith(URL + "?prepcheck-sin-cache=")
    assert "?a=1&prepcheck-sin-cache=" in second
    assert busted_url(URL) != first


def test_age_list_and_garbage():
    assert cache_markers(snap([("age", "0, 5")])) == []
    assert cache_markers(snap([("age", "abc")])) == ["Age: abc"]


# -- content type -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("application/json", "pass"),
        ("Application/JSON; charset=utf-8", "pass"),
        ("text/plain", "warn"),
        ("application/octet-stream", "warn"),
    ],
)
def test_content_type(value, status):
    assert evaluate_main_json_content_type(snap([("content-type", value)])).status == status


def test_content_type_missing_and_unreachable():
    assert evaluate_main_json_content_type(snap()).evidence["resultado"] == "content-type-missing"
    assert evaluate_main_json_content_type(snap(error="x")).status == "error"


# -- HSTS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "outcome"),
    [
        (["max-age=31536000"], "hsts-implemented-max-age-at-least-six-months"),
        (['max-age="31536000"; includeSubDomains'], "hsts-implemented-max-age-at-least-six-months"),
        (["max-age=15768000"], "hsts-implemented-max-age-at-least-six-months"),
        (["max-age=86400"], "hsts-implemented-max-age-less-than-six-months"),
        (["max-age=0"], "hsts-implemented-max-age-less-than-six-months"),
        (["includeSubDomains"], "hsts-header-invalid"),
        (["max-age=abc"], "hsts-header-invalid"),
        (["max-age=31536000; max-age=1"], "hsts-header-invalid"),
        (["max-age=60", "max-age=31536000"], "hsts-implemented-max-age-less-than-six-months"),
        ([], "hsts-not-implemented"),
    ],
)
def test_hsts(values, outcome):
    result = evaluate_hsts(snap([("strict-transport-security", v) for v in values]))
    assert result.evidence["resultado"] == outcome
    assert (result.status == "pass") == outcome.endswith("at-least-six-months")


def test_parse_hsts_reports_problems():
    assert parse_hsts("max-age=10; preload") == (10, [])
    assert parse_hsts("preload")[1] == ["falta max-age"]


# -- security headers ---------------------------------------------------------------------------


def security(headers, embed=None):
    return evaluate_security(snap(headers, url=SITE), site_url=SITE, embed_url=embed)


NOSNIFF = ("x-content-type-options", "nosniff")


@pytest.mark.parametrize(
    ("headers", "embed", "status"),
    [
        ([NOSNIFF, ("content-security-policy", "frame-ancestors 'self'")], None, "pass"),
        ([NOSNIFF, ("x-frame-options", "SAMEORIGIN")], None, "pass"),
        ([NOSNIFF, ("x-frame-options", "DENY")], None, "warn"),
        ([NOSNIFF, ("content-security-policy", "frame-ancestors 'none'")], None, "warn"),
        ([NOSNIFF, ("content-security-policy", "frame-ancestors *")], None, "warn"),
        ([NOSNIFF], None, "warn"),
        ([("content-security-policy", "frame-ancestors 'self'")], None, "warn"),
        (
            [
                NOSNIFF,
                (
                    "content-security-policy",
                    "default-src 'self'; frame-ancestors 'self' https://portal.difusor.mx",
                ),
            ],
            "https://portal.difusor.mx/elecciones",
            "pass",
        ),
        (
            [NOSNIFF, ("content-security-policy", "frame-ancestors https://*.difusor.mx")],
            "https://portal.difusor.mx/",
            "pass",
        ),
        (
            [NOSNIFF, ("content-security-policy", "frame-ancestors 'self'")],
            "https://portal.difusor.mx/",
            "warn",
        ),
        ([NOSNIFF, ("x-frame-options", "SAMEORIGIN")], "https://portal.difusor.mx/", "warn"),
    ],
)
def test_security_headers(headers, embed, status):
    assert security(headers, embed).status == status


def test_csp_frame_ancestors_wins_over_x_frame_options():
    headers = [
        NOSNIFF,
        ("x-frame-options", "DENY"),
        ("content-security-policy", "frame-ancestors 'self'"),
    ]
    assert security(headers).status == "pass"


# -- compression --------------------------------------------------------------------------------


def test_compression():
    big = b"x" * 5000
    gz = [("content-encoding", "gzip")]
    ok = {"html": snap(gz, big), "json": snap([("content-encoding", "br")], big)}
    assert evaluate_compression(ok).status == "pass"
    bad = {"html": snap(gz, big), "csv": snap((), big)}
    result = evaluate_compression(bad)
    assert result.status == "warn" and "csv" in result.message
    assert evaluate_compression({"json": snap((), b"{}")}).status == "pass"  # too small to judge
    assert evaluate_compression({"html": snap(error="x")}).status == "error"


# -- site advisory checks -----------------------------------------------------------------------


def test_plain_http_url():
    assert plain_http_url("https://difusor.mx:8443/prep/") == "http://difusor.mx/prep/"
    assert plain_http_url("https://[::1]:8443/") == "http://[::1]/"
    assert plain_http_url(SITE, "http://difusor.mx:8080/") == "http://difusor.mx:8080/"


@pytest.mark.parametrize(
    ("status", "location", "outcome"),
    [
        (301, "https://difusor.mx/", "redirect-permanent"),
        (308, "https://difusor.mx/", "redirect-permanent"),
        (302, "https://difusor.mx/", "redirect-temporary"),
        (301, "http://difusor.mx/", "redirect-elsewhere"),
        (301, "https://otro.mx/", "redirect-elsewhere"),
        (200, None, "served-over-http"),
    ],
)
def test_https_redirect(status, location, outcome):
    headers = [("location", location)] if location else []
    result = evaluate_https_redirect(snap(headers, status=status, url="http://difusor.mx/"), SITE)
    assert result.evidence["resultado"] == outcome
    assert (result.status == "pass") == (outcome == "redirect-permanent")


def test_https_redirect_refused_warns_and_timeout_errors():
    refused = snap(
        error="conexión rechazada: nada escucha en esa dirección y puerto",
        error_kind="refused",
        url="http://x/",
    )
    assert evaluate_https_redirect(refused, SITE).evidence["resultado"] == "http-refused"
    assert evaluate_https_redirect(snap(error="tiempo agotado: x"), SITE).status == "error"


def test_directory_listing():
    nginx = b"<html><head><title>Index of /prepver2021/json/</title></head>"
    apache = b"<title>Index of /json</title><a href='/'>Parent Directory</a>"
    assert evaluate_no_directory_listing([snap(body=nginx)]).status == "warn"
    assert evaluate_no_directory_listing([snap(body=apache)]).status == "warn"
    assert evaluate_no_directory_listing([snap(status=403, body=b"Forbidden")]).status == "pass"
    assert evaluate_no_directory_listing([snap(body=b"<html>app</html>")]).status == "pass"
    assert evaluate_no_directory_listing([snap(error="x")]).status == "error"


@pytest.mark.parametrize(
    ("headers", "body", "declared", "outcome"),
    [
        ([("server", "nginx")], b"", None, "server-ok"),
        ([("server", "Apache")], b"", None, "server-ok"),
        ([("server", "nginx/1.22.1")], b"", None, "version-disclosed"),
        ([("server", "Apache/2.4.57 (Debian)")], b"", None, "version-disclosed"),
        ([("server", "nginx"), ("x-powered-by", "PHP/8.2.1")], b"", None, "version-disclosed"),
        ([("server", "nginx")], b"<hr><center>nginx/1.22.1</center>", None, "version-disclosed"),
        ([], b"", None, "server-unidentified"),
        ([("server", "difusor")], b"", None, "server-unidentified"),
        ([], b"", "Apache 2.4", "server-ok"),
    ],
)
def test_server_software(headers, body, declared, outcome):
    result = evaluate_server_software([snap(headers, body)], declared)
    assert result.evidence["resultado"] == outcome
