"""The corte, read one way: from a main.json document or from the text a page shows.

Contract: :func:`corte_in_text` finds ``dd/mm/yyyy HH:MM`` with an optional UTC offset in any
text (``06/06/2021 21:15 (UTC-5)``, ``Corte: 6/6/2021 - 21:15 hrs. (UTC−05:00)``) and returns
it aware when an offset is written, naive (local election time) otherwise; None when there is
none. :func:`corte_from_main_json` takes main.json's ISO ``corte`` key, else reads its
``horaCorte`` text with the same reader, and applies the election's offset to a naive moment;
it raises ``ValueError`` saying what was missing. The same lenient reader serves both because
``horaCorte`` is the very text the page shows (one pattern, deliberately the tolerant one).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

CORTE_PATTERN = re.compile(
    r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\D{1,12}?(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::\d{2})?"
    r"(?:[^()\d]{0,8}\(?\s*(?:UTC|GMT)\s*(?P<sign>[+\-−])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)?",
    re.IGNORECASE,
)
#: main.json larger than this is not a main.json (the official one is a few hundred bytes).
MAX_MAIN_JSON_BYTES = 1024 * 1024
#: Deeper nesting than this is not a main.json; checked before parsing (no recursion bomb).
MAX_JSON_DEPTH = 64


def corte_in_text(text: str) -> datetime | None:
    """The corte written in ``text`` (see the module contract)."""
    match = CORTE_PATTERN.search(text)
    if match is None:
        return None
    try:
        moment = datetime(
            int(match["y"]), int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"])
        )
    except ValueError:
        return None
    if match["sign"] is None:
        return moment
    sign = 1 if match["sign"] == "+" else -1
    offset = timedelta(hours=int(match["oh"]), minutes=int(match["om"] or 0))
    if offset >= timedelta(hours=24):
        return None
    return moment.replace(tzinfo=timezone(sign * offset))


def corte_from_main_json(main_json: bytes, default_tz: timezone) -> datetime:
    """The corte a main.json names (see the module contract); ``ValueError`` otherwise."""
    document = read_main_json(main_json)
    iso = document.get("corte")
    if isinstance(iso, str):
        try:
            moment = datetime.fromisoformat(iso)
        except ValueError:
            raise ValueError(
                f"el «corte» de main.json no es una fecha ISO ({iso[:40]!r})"
            ) from None
    else:
        text = document.get("horaCorte")
        found = corte_in_text(text) if isinstance(text, str) else None
        if found is None:
            raise ValueError("main.json no tiene «corte» (ISO) ni una «horaCorte» legible")
        moment = found
    return moment if moment.tzinfo else moment.replace(tzinfo=default_tz)


def read_main_json(raw: bytes) -> dict[str, object]:
    """main.json as a JSON object, bounded in size and depth; ``ValueError`` in Spanish."""
    if len(raw) > MAX_MAIN_JSON_BYTES:
        raise ValueError(f"main.json pesa {len(raw)} bytes; no parece un main.json")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("main.json no es texto UTF-8") from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"main.json anida más de {MAX_JSON_DEPTH} niveles; no es un main.json")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"main.json no es JSON válido (línea {exc.lineno})") from None
    if not isinstance(document, dict):
        raise ValueError("main.json no es un objeto JSON")
    return document


def _depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
