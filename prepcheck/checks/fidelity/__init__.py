"""Evaluators for render.* and freshness.corte-displayed: pure functions from page shots to
CheckResults (no browser, no network; the comparator runs here on the captured PNGs).

Each evaluator takes a ``check`` id so that ``render.embedded`` can run the same evaluation on
the pages inside the portal's frame and report under its own id.

The evaluators are split by job: :mod:`~prepcheck.checks.fidelity.pages` (pixel comparison
with the reference), :mod:`~prepcheck.checks.fidelity.data` (figures shown),
:mod:`~prepcheck.checks.fidelity.corte` (the corte shown),
:mod:`~prepcheck.checks.fidelity.console` (console errors) and
:mod:`~prepcheck.checks.fidelity.embedded` (the portal's frame, combining the first three).
This module keeps the public surface.
"""

from __future__ import annotations

from prepcheck.checks.fidelity.console import evaluate_console
from prepcheck.checks.fidelity.corte import corte_equal, evaluate_corte_displayed
from prepcheck.checks.fidelity.data import evaluate_data, figure_matches, shown_value
from prepcheck.checks.fidelity.embedded import evaluate_embedded
from prepcheck.checks.fidelity.pages import (
    IMAGE_WIDTH,
    MAX_PAGES_WITH_IMAGES,
    PageComparison,
    compare_pair,
    evaluate_pages_match,
)

__all__ = [
    "IMAGE_WIDTH",
    "MAX_PAGES_WITH_IMAGES",
    "PageComparison",
    "compare_pair",
    "corte_equal",
    "evaluate_console",
    "evaluate_corte_displayed",
    "evaluate_data",
    "evaluate_embedded",
    "evaluate_pages_match",
    "figure_matches",
    "shown_value",
]
