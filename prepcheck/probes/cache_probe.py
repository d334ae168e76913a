"""Cache probe for main.json: plain requests interleaved with cache-busting ones.

A remote difusor's files cannot be changed by the harness, so an intermediary serving a stale
copy is found by comparison: ``busted-1, plain-1, revalidate, [pause], plain-2, busted-2``.
``busted-*`` carry a unique query string (a new cache key for every cache), ``revalidate`` sends
``Cache-Control: no-cache`` / ``Pragma: no-cache`` (which a cache must honour), ``plain-*`` are
what a citizen's browser sends. Contract: at most five bounded requests plus ``pause_s``; never
raises (failed requests are snapshots with ``error``). The sequence stops at the first request
that got no response at all: the evaluation is then an error whatever the rest would show, and
a site that drips or hangs would otherwise cost every request its full deadline.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from prepcheck.snapshots.http import HttpSnapshot, LabelledSnapshot

Fetcher = Callable[[str, dict[str, str] | None], HttpSnapshot]
BUST_PARAMETER = "prepcheck-sin-cache"
REVALIDATE_HEADERS = {"Cache-Control": "no-cache", "Pragma": "no-cache"}


def busted_url(url: str) -> str:
    """``url`` with a unique query parameter appended."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{BUST_PARAMETER}={uuid.uuid4().hex}"


def probe_main_json_caching(
    fetch: Fetcher, url: str, *, pause_s: float = 1.0
) -> list[LabelledSnapshot]:
    """Run the sequence above with ``fetch(url, headers)`` (a non-memoized GET)."""
    sequence: list[LabelledSnapshot] = []

    def take(label: str, kind: str, target: str, headers: dict[str, str] | None = None) -> bool:
        snapshot = fetch(target, headers)
        sequence.append(LabelledSnapshot(label, kind, snapshot))
        return snapshot.ok

    answered = (
        take("busted-1", "busted", busted_url(url))
        and take("plain-1", "plain", url)
        and take("revalidate", "revalidate", url, dict(REVALIDATE_HEADERS))
    )
    if not answered:
        return sequence
    time.sleep(max(0.0, pause_s))
    if take("plain-2", "plain", url):
        take("busted-2", "busted", busted_url(url))
    return sequence
