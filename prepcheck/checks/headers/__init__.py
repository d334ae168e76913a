"""Evaluators for the headers.* checks: pure functions from snapshots to CheckResults.

The evaluators are split by job: :mod:`~prepcheck.checks.headers.cache` (main.json caching),
:mod:`~prepcheck.checks.headers.content` (content type, compression) and
:mod:`~prepcheck.checks.headers.security` (HSTS, nosniff, framing). This module keeps the
public surface.
"""

from __future__ import annotations

from prepcheck.checks.headers.cache import (
    cache_markers,
    evaluate_main_json_cache_control,
    evaluate_main_json_not_cached,
)
from prepcheck.checks.headers.content import (
    ACCEPT_ENCODING,
    MIN_COMPRESSIBLE_BYTES,
    evaluate_compression,
    evaluate_main_json_content_type,
    media_type,
)
from prepcheck.checks.headers.security import (
    HSTS_MIN_AGE,
    evaluate_hsts,
    evaluate_security,
    frame_ancestors,
    framing_verdict,
    parse_hsts,
)

__all__ = [
    "ACCEPT_ENCODING",
    "HSTS_MIN_AGE",
    "MIN_COMPRESSIBLE_BYTES",
    "cache_markers",
    "evaluate_compression",
    "evaluate_hsts",
    "evaluate_main_json_cache_control",
    "evaluate_main_json_content_type",
    "evaluate_main_json_not_cached",
    "evaluate_security",
    "frame_ancestors",
    "framing_verdict",
    "media_type",
    "parse_hsts",
]
