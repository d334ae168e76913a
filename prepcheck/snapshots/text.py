"""Site text made safe to keep: the one sanitizer every probe applies before a string a site
chose (headers, page text, console messages, URLs, error details) reaches a result.

Contract: ``clean_text`` always returns valid UTF-8-encodable text without control characters
(tabs and newlines become spaces unless ``keep_newlines``), lone surrogates replaced by U+FFFD,
and at most ``limit`` characters (a longer string is cut and says how much was left out).
``clean_evidence`` does the same to every string inside lists, tuples and dicts (keys too).
Escaping for HTML is the report's job: this only removes what cannot be stored or read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Default cut for one message or evidence string (characters).
MAX_TEXT = 500
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"[\t\n\r]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(value: object, limit: int = MAX_TEXT, *, keep_newlines: bool = False) -> str:
    """``value`` as safe, bounded text; see the module contract."""
    text = value if isinstance(value, str) else _as_text(value, limit)
    # Work on a bounded prefix only: a 2 GB string must not be copied several times.
    head = text[: limit + 1]
    head = _SURROGATES.sub("\ufffd", head)
    head = _CONTROLS.sub("", head)
    if not keep_newlines:
        head = _NEWLINES.sub(" ", head)
    if len(text) > limit:
        cut = len(text) - limit
        return f"{head[:limit]}… ({cut:,} caracteres más)"
    return head


def clean_evidence(value: Any, limit: int = MAX_TEXT) -> Any:
    """``value`` with every string in it cleaned by ``clean_text`` (containers rebuilt)."""
    if isinstance(value, str):
        return clean_text(value, limit, keep_newlines=True)
    if isinstance(value, bytes):
        return clean_text(value.decode("utf-8", "replace"), limit)
    if isinstance(value, Mapping):
        return {clean_evidence(k, limit): clean_evidence(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_evidence(item, limit) for item in value]
    return value


def _as_text(value: object, limit: int) -> str:
    if isinstance(value, bytes):
        return value[: limit * 4 + 4].decode("utf-8", "replace")
    try:
        return str(value)
    except Exception:  # a hostile __str__ of an exception argument must not escape
        return repr(type(value))
