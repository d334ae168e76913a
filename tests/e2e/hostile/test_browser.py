"""Probe-level sweep, browser side: each hostile page through the render probe, directly.

Every shot must come back (never raise) within the page timeout plus ``SLACK_S``; a failed
page says why in plain Spanish; what a page logs is bounded and storable; captures stay within
the size limits; the renderer memory guard stops a page that allocates without end.
"""

from __future__ import annotations

import json
import struct
import time
from collections.abc import Iterator

import pytest

from prepcheck.config import RenderSettings
from prepcheck.probes.browser import MAX_PROBLEMS, BrowserSession
from prepcheck.probes.page import MAX_SHOT_HEIGHT, MAX_SHOT_PIXELS, shoot_page

from .conftest import Hostile, assert_plain_spanish

pytestmark = pytest.mark.slow

PAGE_TIMEOUT_S = 5.0
SLACK_S = 15.0
SETTINGS = RenderSettings(page_timeout_seconds=PAGE_TIMEOUT_S)
DESKTOP = ("desktop", 1366, 768)


@pytest.fixture(scope="module")
def session(hostile: Hostile) -> Iterator[BrowserSession]:
    with BrowserSession([hostile.ca.cert_path], timeout_s=PAGE_TIMEOUT_S) as started:
        yield started


def shoot(session, hostile, behaviour):
    started = time.monotonic()
    shot = shoot_page(session, f"{hostile.folder(behaviour)}#/", DESKTOP, SETTINGS, {})
    # Open, wait for ready, wait for the network: three waits of the page timeout at most.
    assert time.monotonic() - started < 3 * PAGE_TIMEOUT_S + SLACK_S
    return shot


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no decoder involved)."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_the_sound_copy_is_ready(session, hostile):
    shot = shoot(session, hostile, "sano")
    assert shot.ready and shot.png and shot.error is None and shot.http_status == 200


def test_an_error_page_is_a_finding_at_once(session, hostile):
    started = time.monotonic()
    shot = shoot(session, hostile, "carpeta-404")
    assert time.monotonic() - started < PAGE_TIMEOUT_S  # no waiting for the ready selector
    assert shot.http_status == 404 and shot.error_kind == "http-status"
    assert shot.png is not None and shot.shots == 1  # what a citizen sees, shot once
    assert_plain_spanish(shot.error)


@pytest.mark.parametrize(
    "behaviour",
    [
        "encabezados-lentos",
        "sin-tls",
        "tls-sin-encabezados",
        "redir-mailto",
        "redir-javascript",
        "redir-data",
        "otro-host",
        "redireccion-bucle",
        "encabezados-enormes",
    ],
)
def test_a_page_that_cannot_be_opened_says_why(session, hostile, behaviour):
    shot = shoot(session, hostile, behaviour)
    assert shot.png is None and not shot.ready
    assert_plain_spanish(shot.error)


@pytest.mark.parametrize("behaviour", ["main-goteo", "main-sin-fin", "json-anidado", "login"])
def test_a_page_that_never_gets_ready_is_shot_as_it_is(session, hostile, behaviour):
    shot = shoot(session, hostile, behaviour)
    assert not shot.ready and shot.error_kind in ("not-ready", "stalled")
    assert_plain_spanish(shot.error)


@pytest.mark.parametrize("behaviour", ["pagina-gigante", "pagina-grande"])
def test_a_giant_page_is_shot_up_to_the_limit_and_says_so(session, hostile, behaviour):
    shot = shoot(session, hostile, behaviour)
    assert shot.png is not None
    width, height = png_size(shot.png)
    assert width == 1366 and height == min(MAX_SHOT_HEIGHT, MAX_SHOT_PIXELS // 1366)
    assert shot.note and "límite de captura" in shot.note


def test_a_console_flood_is_bounded_and_cut(session, hostile):
    shot = shoot(session, hostile, "consola")
    assert len(shot.problems) == MAX_PROBLEMS and shot.console_cut
    assert all(len(problem) < 600 for problem in shot.problems)


def test_a_lone_surrogate_in_the_console_can_be_stored(session, hostile):
    shot = shoot(session, hostile, "sustituto")
    stored = json.dumps(shot.problems, ensure_ascii=False).encode("utf-8")
    assert "\ufffd".encode() in stored


def test_a_page_that_eats_memory_is_stopped_by_the_guard(session, hostile):
    kills = session.memory_kills
    shot = shoot(session, hostile, "memoria")
    assert session.memory_kills > kills, (shot.error_kind, shot.error, shot.note)
    assert shot.error_kind == "memory" and shot.png is None
    assert_plain_spanish(shot.error)
