"""Tiny helpers shared by the benchmarks: peak memory and the machine-readable result line.

Contract: every benchmark prints human-readable lines first and, as its very last stdout line,
one JSON object written by :func:`emit`.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def emit(result: dict[str, Any]) -> None:
    """Print ``result`` as one compact JSON line; call it last."""
    print(json.dumps(result, sort_keys=False, separators=(", ", ": ")), flush=True)
