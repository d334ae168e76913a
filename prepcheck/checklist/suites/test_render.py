"""Render fidelity (checklist: render.*, freshness.corte-displayed).

One browser session per difusor renders every configured page and viewport, on the difusor
and on the official package served by the harness on loopback (the reference rendering, shared
by every difusor of the run); the five checks evaluate that one observation.
"""

from __future__ import annotations

import json

import pytest

from prepcheck.archive.official import unusable_reason
from prepcheck.checks.fidelity import (
    evaluate_console,
    evaluate_corte_displayed,
    evaluate_data,
    evaluate_embedded,
    evaluate_pages_match,
)
from prepcheck.errors import HarnessError
from prepcheck.probes.fidelity import ReferenceRenderer, observe_difusor
from prepcheck.reference.official_site import ReferenceSite
from prepcheck.results import error
from prepcheck.snapshots.pages import RenderObservation


@pytest.fixture(scope="session")
def reference(official):
    """The reference renderer, or the reason there is none (a string)."""
    reason = unusable_reason(official)
    if reason is not None:
        yield reason
        return
    site = ReferenceSite(official.archive, official.folder)
    try:
        site.start()
    except (HarnessError, OSError) as exc:
        yield f"no se pudo servir el paquete oficial para la referencia: {exc}"
        return
    try:
        yield ReferenceRenderer(site)
    finally:
        site.stop()


def _observe(difusor, reference) -> RenderObservation | str:
    """The difusor's render observation (once per run), or why it cannot be made."""
    if isinstance(reference, str):
        return reference
    config = difusor.difusor
    observation = difusor.memo(
        "render.observation",
        lambda: observe_difusor(
            difusor.folder_url, config.ca_file, config.render, reference, config.embed_url
        ),
    )
    return observation.error or observation


@pytest.mark.check("render.pages-match-reference")
def test_pages_match_reference(difusor, reference, record):
    check = "render.pages-match-reference"
    observed = _observe(difusor, reference)
    if isinstance(observed, str):
        record(error(check, observed))
        return
    record(evaluate_pages_match(observed.pairs, difusor.difusor.render))


@pytest.mark.check("render.data-matches-package")
def test_data_matches_package(difusor, reference, record):
    check = "render.data-matches-package"
    observed = _observe(difusor, reference)
    if isinstance(observed, str):
        record(error(check, observed))
        return
    record(evaluate_data(observed.pairs))


def _served_corte(difusor) -> tuple[str | None, str]:
    snapshot = difusor.get(difusor.main_json_url)
    source = f"main.json del difusor ({difusor.main_json_url})"
    if not snapshot.ok or snapshot.status != 200:
        return None, f"{source}: {snapshot.error or f'HTTP {snapshot.status}'}"
    try:
        corte = json.loads(snapshot.body).get("corte")
    except (ValueError, AttributeError):
        return None, f"{source}: no es JSON válido"
    return (corte if isinstance(corte, str) else None), source


@pytest.mark.check("freshness.corte-displayed")
def test_corte_displayed(difusor, reference, record):
    check = "freshness.corte-displayed"
    observed = _observe(difusor, reference)
    if isinstance(observed, str):
        record(error(check, observed))
        return
    corte, source = _served_corte(difusor)
    record(evaluate_corte_displayed([pair.actual for pair in observed.pairs], corte, source))


@pytest.mark.check("render.no-console-errors")
def test_no_console_errors(difusor, reference, record):
    check = "render.no-console-errors"
    observed = _observe(difusor, reference)
    if isinstance(observed, str):
        record(error(check, observed))
        return
    record(evaluate_console([pair.actual for pair in observed.pairs]))


@pytest.mark.check("render.embedded")
def test_embedded(difusor, official, reference, record):
    check = "render.embedded"
    config = difusor.difusor
    if config.embed_url is None:
        record(evaluate_embedded(None, None, [], config.render, None))
        return
    observed = _observe(difusor, reference)
    if isinstance(observed, str):
        record(error(check, observed))
        return
    corte = official.corte.isoformat() if official is not None and official.corte else None
    record(
        evaluate_embedded(
            config.embed_url, observed.embedded, observed.embedded_pairs, config.render, corte
        )
    )
