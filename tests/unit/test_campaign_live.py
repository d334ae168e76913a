"""The live board: its rows from observations (pure), its page (escaped, self-contained,
Spanish) and its read-only server."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from prepcheck.campaign.live.page import Header, write_live
from prepcheck.campaign.live.server import LiveServer
from prepcheck.campaign.live.state import live_row
from prepcheck.checks.monitor.evaluate import Rules
from prepcheck.snapshots.monitor import Observation
from prepcheck.spanish import zone_text

T0 = datetime(2027, 6, 6, 3, 0, tzinfo=UTC)  # 21:00 the evening before, centre time
CORTE = datetime(2027, 6, 6, 2, 45, tzinfo=UTC)
RULES = Rules(
    period=timedelta(minutes=15),
    interval=timedelta(minutes=15),
    missed_limit=3,
    availability_percent=99.9,
    window_start=T0 - timedelta(hours=2),
    window_end=T0 + timedelta(days=6),
    tz=datetime.now().astimezone().tzinfo or UTC,
)


def probe(
    minutes: float,
    *,
    up: bool = True,
    corte: datetime = CORTE,
    official: datetime = CORTE,
    name: str = "uv",
) -> Observation:
    return Observation(
        difusor=name,
        at=T0 + timedelta(minutes=minutes),
        url="https://uv.example/prepver2021/json/main.json",
        status=200 if up else None,
        error=None if up else "conexión fallida",
        corte=corte if up else None,
        official_corte=official,
    )


def test_a_fresh_difusor_is_up_with_no_countdown() -> None:
    row = live_row("UV", [probe(0), probe(1)], RULES)
    assert (row.up, row.level, row.lag_periods, row.minutes_left) == (True, "ok", 0, None)
    assert row.availability_pct == 100 and row.probes == 2


def test_a_down_difusor_counts_down_to_the_third_failed_period() -> None:
    # Fresh in the 21:00 period, down from 21:16: periods 21:15 and 21:30 fail, and the OPLE
    # interrupts at the start of the third, 21:45.
    seen = [probe(1), probe(16, up=False), probe(31, up=False), probe(40, up=False)]
    row = live_row("UV", seen, RULES)
    assert (row.up, row.level) == (False, "caido")
    assert row.minutes_left == pytest.approx(5.0)  # 21:40 → 21:45
    assert row.availability_pct == 25.0 and row.reason == "conexión fallida"
    late = live_row("UV", [*seen, probe(46, up=False)], RULES)
    assert late.minutes_left is not None and late.minutes_left <= 0


def test_two_periods_behind_is_atrasado() -> None:
    official = CORTE + timedelta(minutes=30)
    row = live_row("UV", [probe(0, official=official)], RULES)
    assert (row.up, row.lag_periods, row.level) == (True, 2, "atrasado")
    assert row.minutes_left is not None  # the period is failing already
    one_behind = live_row("UV", [probe(0, official=CORTE + timedelta(minutes=15))], RULES)
    assert (one_behind.lag_periods, one_behind.level) == (1, "ok")


def write_board(out: Path, label: str, reason_up: bool = False) -> Path:
    rows = [live_row(label, [probe(0), probe(1, up=reason_up)], RULES)]
    return write_live(out, Header("Simulacro <2>", T0, 7, 5), rows, RULES)


def test_the_page_is_spanish_escaped_and_self_contained(tmp_path: Path) -> None:
    page = write_board(tmp_path, '<script>alert("x")</script>UV')
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Simulacro &lt;2&gt;" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert 'lang="es-MX"' in html and "Caído" in html and "ronda 7" in html
    assert f"Horas en la zona de la\nelección ({zone_text(RULES.tz)})" in html
    assert "http://" not in html.replace('href="index.html"', "") and "src=" not in html
    assert (tmp_path / "en-vivo.json").stat().st_mode & 0o777 == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_server_is_read_only_and_serves_only_the_live_files(tmp_path: Path) -> None:
    (tmp_path / "historial.sqlite").write_text("secreto")
    with LiveServer(tmp_path, "127.0.0.1", 0) as server, httpx.Client() as client:
        assert client.get(server.url).status_code == 503  # no round yet
        write_board(tmp_path, "UV")
        page = client.get(server.url)
        assert page.status_code == 200 and "En vivo" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert client.get(server.url + "en-vivo.json").json()["ronda"] == 7
        for path in ("historial.sqlite", "../historial.sqlite", "uv/", "%2e%2e/etc/passwd"):
            assert client.get(server.url + path).status_code == 404, path
        posted = client.post(server.url + "en-vivo.json", content=b"{}")
        assert posted.status_code == 405 and posted.headers["allow"] == "GET, HEAD"
        assert client.head(server.url).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url, timeout=2)  # stopped: the port is closed


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_page_colours_meet_wcag_aa_contrast() -> None:
    css = (Path(__file__).parents[2] / "prepcheck/campaign/templates/en-vivo.html.j2").read_text()
    badges = re.findall(r"\.nivel-\w+ \{ background: (#[0-9a-f]{6}); \}", css)
    texts = re.findall(r"(?:\.note|\.urgente|body|a) \{[^}]*?color: (#[0-9a-f]{6})", css)
    assert len(badges) == 3 and len(texts) >= 4
    for background in badges:  # white bold text on each status badge
        assert contrast("#ffffff", background) >= 4.5, background
    for foreground in texts:  # text on the white page and the grey header cells
        assert contrast(foreground, "#f2f2f2") >= 4.5, foreground
