"""Probe-level sweep, a difusor's whole render observation: a hostile site costs a bounded
number of page loads, and no message about a page the difusor did not show names the reference.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from prepcheck.checks.fidelity.pages import evaluate_pages_match
from prepcheck.config import RenderSettings
from prepcheck.probes.fidelity import ReferenceRenderer, observe_difusor
from prepcheck.reference.official_site import ReferenceSite

from .conftest import Hostile, assert_plain_spanish

PAGE_TIMEOUT_S = 5.0
SLACK_S = 15.0


@pytest.fixture(scope="module")
def reference(hostile: Hostile) -> Iterator[ReferenceRenderer]:
    with ReferenceSite(hostile.package, "prepver2021") as site:
        yield ReferenceRenderer(site)


def test_a_folder_answering_404_costs_one_load_per_viewport(hostile, reference):
    settings = RenderSettings(page_timeout_seconds=PAGE_TIMEOUT_S)  # 5 pages × 2 viewports
    before = hostile.server.site.hits("carpeta-404", "prepver2021")
    observed = observe_difusor(
        hostile.folder("carpeta-404"), hostile.ca.cert_path, settings, reference
    )
    assert hostile.server.site.hits("carpeta-404", "prepver2021") - before == 2
    assert len(observed.pairs) == 10
    assert {pair.actual.http_status for pair in observed.pairs} == {404}
    result = evaluate_pages_match(observed.pairs, settings)
    assert result.status == "fail"
    assert_plain_spanish(result.message)


def test_an_unreachable_difusor_never_blames_the_reference(hostile, reference):
    settings = RenderSettings(page_timeout_seconds=PAGE_TIMEOUT_S)
    started = time.monotonic()
    observed = observe_difusor(hostile.folder("sin-tls"), hostile.ca.cert_path, settings, reference)
    assert time.monotonic() - started < PAGE_TIMEOUT_S + SLACK_S  # one timeout, not ten
    result = evaluate_pages_match(observed.pairs, settings)
    assert result.status == "error"
    assert "referencia" not in result.message
    assert_plain_spanish(result.message)
