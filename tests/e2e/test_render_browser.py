"""The render probe in a real browser: TLS trust through the per-run NSS database, the loopback
reference site, masks, and a page compared with itself 20 times out of 20 on both viewports."""

from __future__ import annotations

import threading
from datetime import datetime

import numpy as np
import pytest

from prepcheck.checks.fidelity import compare_pair
from prepcheck.checks.fidelity.imaging import load_rgba
from prepcheck.config import RenderSettings
from prepcheck.demo.simulacro import CENTRE_TIME
from prepcheck.probes.browser import CHROMIUM, HEADLESS_SHELL, BrowserSession
from prepcheck.probes.page import page_url, shoot_page
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.official_site import ReferenceSite
from prepcheck.reference.pki import LocalCA
from prepcheck.sample import build_package
from prepcheck.snapshots.pages import PagePair

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)
SMALL_PAGE = "#/diputaciones/distrito/01"
DESKTOP = ("desktop", 1366, 768)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """This module's own package (default offset of its date): its expectations name it."""
    return build_package(CORTE, tmp_path_factory.mktemp("render-browser"))


@pytest.fixture(scope="module")
def site(package):
    reference = ReferenceSite(package.archive, "prepver2021")
    reference.start()
    yield reference
    reference.stop()


@pytest.fixture(scope="module")
def served(package, tmp_path_factory):
    embedded = ReferenceDifusor(tmp_path_factory.mktemp("render-difusor"))
    embedded.publish(package.archive, package.digest_file)
    embedded.start()
    yield embedded
    embedded.stop()


def test_rehearsal_ca_is_trusted_and_nothing_else(served, tmp_path):
    url = page_url(served.base_url + "prepver2021/", "#/")
    settings = RenderSettings()
    with BrowserSession([served.ca_file]) as trusting:
        good = shoot_page(trusting, url, DESKTOP, settings, {})
    assert good.error is None and good.ready and good.png is not None
    with BrowserSession([]) as bare:
        rejected = shoot_page(bare, url, DESKTOP, settings, {})
    assert rejected.png is None and "certificado" in (rejected.error or "")
    assert "ERR_CERT_AUTHORITY_INVALID" in (rejected.error_detail or "")
    other_ca = LocalCA.create(tmp_path / "other-ca")
    with BrowserSession([other_ca.cert_path]) as wrong:
        rejected = shoot_page(wrong, url, DESKTOP, settings, {})
    assert rejected.png is None and "certificado" in (rejected.error or "")
    assert "ERR_CERT_AUTHORITY_INVALID" in (rejected.error_detail or "")


@pytest.mark.skipif(
    not (CHROMIUM.exists() and HEADLESS_SHELL.exists()), reason="needs both Debian browsers"
)
def test_headless_shell_and_chromium_draw_the_same_pixels(site):
    """The session prefers the headless shell (a third of the CPU); a host with only chromium
    must see the very same page, on both viewports."""
    settings = RenderSettings()
    url = page_url(site.folder_url, SMALL_PAGE)
    drawn = {}
    for executable in (HEADLESS_SHELL, CHROMIUM):
        with BrowserSession(executable=executable) as session:
            for name, (width, height) in settings.viewports.items():
                shot = shoot_page(session, url, (name, width, height), settings, {})
                assert shot.ready and shot.png is not None, shot.error
                drawn[executable, name] = load_rgba(shot.png)
    for name in settings.viewports:
        shell, full = drawn[HEADLESS_SHELL, name], drawn[CHROMIUM, name]
        assert shell.shape == full.shape and np.array_equal(shell, full), name


def test_reference_site_is_loopback_and_stops(package):
    before = {t.name for t in threading.enumerate()}
    reference = ReferenceSite(package.archive, "prepver2021")
    with reference:
        assert reference.folder_url.startswith("http://127.0.0.1:")
        assert reference.read_json("json/main.json")["corte"] == "2021-06-06T22:15:00-05:00"
        assert reference.read_json("../../etc/passwd") is None
        root = reference.root
    assert not root.exists()
    assert {t.name for t in threading.enumerate()} == before


def test_masks_paint_the_selected_region(site):
    settings = RenderSettings(masks=["#corte"], mask_color="#00FF00")
    with BrowserSession() as session:
        shot = shoot_page(session, page_url(site.folder_url, SMALL_PAGE), DESKTOP, settings, {})
    assert shot.ready and shot.stable and shot.png is not None
    pixels = load_rgba(shot.png)
    green = np.all(pixels[:, :, :3] == (0, 255, 0), axis=2)
    assert green.sum() > 1000  # the corte line, painted over
    assert shot.corte["visible"] and "22:15" in shot.corte["texto"]


def test_unready_page_is_reported_not_raised(site):
    settings = RenderSettings(ready_selector="#no-existe", page_timeout_seconds=2)
    with BrowserSession(timeout_s=2) as session:
        shot = shoot_page(session, page_url(site.folder_url, "#/"), DESKTOP, settings, {})
    assert not shot.ready and "no quedó lista" in (shot.error or "")
    assert shot.png is not None  # what a citizen sees is still captured


@pytest.mark.slow
def test_page_compared_with_itself_passes_20_of_20_on_both_viewports(site):
    settings = RenderSettings()
    url = page_url(site.folder_url, SMALL_PAGE)
    passed = {}
    with BrowserSession() as session:
        for name, (width, height) in settings.viewports.items():
            viewport = (name, width, height)
            reference = shoot_page(session, url, viewport, settings, {})
            assert reference.stable and reference.png is not None
            # As a run shoots a difusor: its first shot, when byte-identical to the settled
            # reference shot, needs no second one.
            results = [
                compare_pair(
                    PagePair(
                        SMALL_PAGE,
                        name,
                        shoot_page(session, url, viewport, settings, {}, reference.png),
                        reference,
                    ),
                    settings,
                )
                for _ in range(20)
            ]
            passed[name] = sum(result.passed for result in results)
    assert passed == {"escritorio": 20, "celular": 20}


def test_a_first_shot_equal_to_the_settled_one_is_not_retaken(site):
    settings = RenderSettings()
    url = page_url(site.folder_url, SMALL_PAGE)
    with BrowserSession() as session:
        reference = shoot_page(session, url, DESKTOP, settings, {})
        assert reference.stable and reference.shots >= 2 and reference.png is not None
        same = shoot_page(session, url, DESKTOP, settings, {}, reference.png)
        other = shoot_page(session, url, DESKTOP, settings, {}, b"\x89PNG otra imagen")
    assert (same.shots, same.stable, same.png) == (1, True, reference.png)
    assert other.shots >= 2 and other.stable and other.png == reference.png
