"""Access-log formats and streaming reading: presets, custom formats, IPv6, bad lines, gzip."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from prepcheck.formats.logformat import REQUIRED_FIELDS, compile_format, parse_time
from prepcheck.memoria.access_log import AccessStats, analyze
from prepcheck.memoria.classify import classify
from prepcheck.memoria.logfiles import order_files

CDMX = timezone(timedelta(hours=-5))
COMBINED_LINE = (
    '203.0.113.7 - - [06/Jun/2021:19:00:00 -0500] "GET /prepver2021/index.html HTTP/1.1" 200 '
    '5120 "https://portal.example/" "Mozilla/5.0 (X11; Linux x86_64)"'
)


def line(ip: str, when: str, path: str, status: int = 200, agent: str = "UA") -> str:
    return f'{ip} - - [{when} -0500] "GET {path} HTTP/1.1" {status} 10 "-" "{agent}"\n'


@pytest.mark.parametrize("preset", ["combined", "nginx-combined", "apache-combined"])
def test_combined_presets_parse_every_field(preset):
    record = compile_format(preset).parse(COMBINED_LINE)
    assert record is not None
    assert (record.client, record.method, record.path) == (
        "203.0.113.7",
        "GET",
        "/prepver2021/index.html",
    )
    assert record.time == datetime(2021, 6, 7, 0, 0, tzinfo=UTC)
    assert (record.status, record.bytes) == (200, 5120)
    assert record.referrer == "https://portal.example/"
    assert record.user_agent == "Mozilla/5.0 (X11; Linux x86_64)"
    assert compile_format(preset).missing == frozenset()


def test_ipv6_clients_dash_bytes_and_escaped_quotes():
    text = (
        '2001:db8::1 - - [06/Jun/2021:19:00:00 -0500] "HEAD /prepver2021/ HTTP/2.0" 304 - '
        '"-" "agente \\"raro\\""'
    )
    record = compile_format("combined").parse(text)
    assert record is not None
    assert record.client == "2001:db8::1"
    assert (record.bytes, record.referrer, record.user_agent) == (0, None, 'agente "raro"')


def test_apache_custom_logformat_with_extra_fields():
    fmt = compile_format('%a %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D "%{Host}i"')
    assert fmt.fields == REQUIRED_FIELDS
    record = fmt.parse(COMBINED_LINE + ' 1234 "prep.example"')
    assert record is not None and record.user_agent.startswith("Mozilla")


def test_nginx_log_format_string_with_request_time_and_iso_time():
    fmt = compile_format(
        '$remote_addr - $remote_user [$time_iso8601] "$request" $status $body_bytes_sent '
        '"$http_referer" "$http_user_agent" $request_time'
    )
    assert fmt.missing == frozenset()
    record = fmt.parse(
        '::1 - - [2021-06-06T19:00:00-05:00] "GET /prepver2021/json/main.json HTTP/1.1" 200 '
        '812 "-" "curl/8.0" 0.002'
    )
    assert record is not None
    assert record.time == datetime(2021, 6, 6, 19, 0, tzinfo=CDMX)
    assert record.user_agent == "curl/8.0"


def test_common_format_lacks_referrer_and_user_agent():
    fmt = compile_format("common")
    assert fmt.missing == {"referrer", "user_agent"}
    assert fmt.parse(COMBINED_LINE) is None
    record = fmt.parse('1.2.3.4 - - [06/Jun/2021:19:00:00 -0500] "GET / HTTP/1.0" 200 3')
    assert record is not None and record.user_agent is None


def test_unknown_directive_is_named():
    with pytest.raises(ValueError, match="%Z"):
        compile_format("%h %Z")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "garbage",
        '1.2.3.4 - - [31/Foo/2021:19:00:00 -0500] "GET / HTTP/1.1" 200 1 "-" "-"',
        '1.2.3.4 - - [06/Jun/2021:19:00:00 -0500] "GET / HTTP/1.1" 200 1 "-"',
        '1.2.3.4 - - [06/Jun/2021:25:00:00 -0500] "GET / HTTP/1.1" 200 1 "-" "-"',
        "\x00\xff" * 50,
    ],
)
def test_malformed_lines_give_none(bad):
    assert compile_format("combined").parse(bad) is None


def test_garbled_request_line_is_a_hit_without_path():
    record = compile_format("combined").parse(
        '127.0.0.1 - - [06/Jun/2021:19:00:00 -0500] "\\x16\\x03\\x01\\x00" 400 157 "-" "-"'
    )
    assert record is not None
    assert (record.method, record.path, record.status) == (None, None, 400)


def test_parse_time_variants():
    assert parse_time("[06/Jun/2021:19:00:00 +0000]") == datetime(2021, 6, 6, 19, tzinfo=UTC)
    assert parse_time("2021-06-06T19:00:00Z") == datetime(2021, 6, 6, 19, tzinfo=UTC)
    assert parse_time("2021-06-06T19:00:00") is None  # no offset: ambiguous


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/prepver2021/", "pagina"),
        ("/prepver2021/index.html?v=3", "pagina"),
        ("/prepver2021/json/main.json?_=123", "sondeo"),
        ("/prepver2021/json/diputaciones/distrito/01.json", "vista"),
        ("/prepver2021/datos/VER_DIP_2021.csv", "descarga"),
        ("/prepver2021/assets/app.js", "recurso"),
        ("/favicon.ico", "recurso"),
    ],
)
def test_request_kinds(path, kind):
    assert classify(path) == kind


def test_gzip_rotation_is_ordered_by_content_and_read(tmp_path: Path):
    older = tmp_path / "access.log.1.gz"
    with gzip.open(older, "wt", encoding="utf-8") as out:
        out.write(line("10.0.0.1", "06/Jun/2021:20:00:00", "/prepver2021/"))
    live = tmp_path / "access.log"
    live.write_text(line("10.0.0.1", "06/Jun/2021:20:10:00", "/prepver2021/"), encoding="utf-8")
    fmt = compile_format("combined")
    assert order_files([live, older], fmt) == [older, live]
    stats = analyze([live, older], fmt, date(2021, 6, 6), date(2021, 6, 6), CDMX)
    assert stats["totales"]["hits"] == 2
    assert stats["totales"]["visitas"] == 1
    assert stats["totales"]["duracion_media_s"] == 600


def test_truncated_gzip_is_reported_not_raised(tmp_path: Path):
    whole = gzip.compress(
        "".join(line("10.0.0.1", f"06/Jun/2021:20:{m:02d}:00", "/x/") for m in range(50)).encode()
    )
    broken = tmp_path / "access.log.2.gz"
    broken.write_bytes(whole[: len(whole) // 2])
    stats = AccessStats(date(2021, 6, 6), date(2021, 6, 6), CDMX)
    stats.add_file(broken, compile_format("combined"))
    result = stats.finish()
    assert result["problemas_de_lectura"] and "access.log.2.gz" in result["problemas_de_lectura"][0]
