"""Where each key of a TOML text is written: a location → line map for error messages.

Contract: :func:`key_lines` maps the location of every table header and every ``key =``
line (pydantic-style: names, with the index of each ``[[array]]`` element) to its 1-based line
number; :func:`line_of` returns the line of a location or of its nearest written ancestor
(a missing key points at its table), None when nothing of it is written. Only text that
``tomllib`` accepted is given to it; keys inside inline tables are found through their parent.
"""

from __future__ import annotations

import json
import re

from prepcheck.config.base import Loc

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\]|\\.)*"')
_LITERAL = re.compile(r"'[^']*'")
_DOT = re.compile(r"\s*\.\s*")


def key_lines(text: str) -> dict[Loc, int]:
    """Location → line of every table header and key line in ``text`` (see module)."""
    found: dict[Loc, int] = {}
    arrays: dict[Loc, int] = {}  # resolved location of an array of tables → last index
    table: Loc = ()
    state = _ValueState()
    for number, line in enumerate(text.splitlines(), start=1):
        if state.open:
            state.feed(line)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[["):
            parts, _ = _dotted_key(stripped, 2)
            parent = _resolve(parts[:-1], arrays)
            path = (*parent, parts[-1])
            arrays[path] = arrays.get(path, -1) + 1
            table = (*path, arrays[path])
            found[table] = number
            found.setdefault(path, number)
        elif stripped.startswith("["):
            parts, _ = _dotted_key(stripped, 1)
            table = _resolve(parts, arrays)
            found.setdefault(table, number)
        else:
            parts, end = _dotted_key(stripped, 0)
            if not parts:
                continue
            for depth in range(1, len(parts) + 1):
                found.setdefault((*table, *parts[:depth]), number)
            equals = stripped.find("=", end)
            state.feed(stripped[equals + 1 :] if equals >= 0 else "")
    return found


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc`` or of its nearest ancestor written in the text."""
    for depth in range(len(loc), 0, -1):
        if loc[:depth] in lines:
            return lines[loc[:depth]]
    return None


def _resolve(parts: list[str], arrays: dict[Loc, int]) -> Loc:
    """A header's names with the current index after each array of tables."""
    path: Loc = ()
    for part in parts:
        path = (*path, part)
        if path in arrays:
            path = (*path, arrays[path])
    return path


def _dotted_key(text: str, start: int) -> tuple[list[str], int]:
    """The names of the dotted key starting at ``start`` (after spaces) and where it ends."""
    parts: list[str] = []
    pos = start
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        match = _BASIC.match(text, pos) or _LITERAL.match(text, pos) or _BARE.match(text, pos)
        if match is None:
            return parts, pos
        token = match.group()
        if token.startswith('"'):
            try:
                token = json.loads(token)
            except ValueError:
                token = token[1:-1]
        elif token.startswith("'"):
            token = token[1:-1]
        parts.append(token)
        pos = match.end()
        dot = _DOT.match(text, pos)
        if dot is None or dot.end() == pos:
            return parts, pos
        pos = dot.end()


class _ValueState:
    """Tracks whether a value continues on the next line (open array or multi-line string)."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None  # '"""' or "'''" while inside a multi-line string

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.quote is not None

    def feed(self, text: str) -> None:
        pos = 0
        while pos < len(text):
            if self.quote is not None:
                end = _closing(text, pos, self.quote)
                if end < 0:
                    return
                self.quote, pos = None, end
                continue
            char = text[pos]
            if char == "#":
                return
            if text.startswith(('"""', "'''"), pos):
                self.quote, pos = text[pos : pos + 3], pos + 3
            elif char == '"':
                match = _BASIC.match(text, pos)
                pos = match.end() if match else len(text)
            elif char == "'":
                match = _LITERAL.match(text, pos)
                pos = match.end() if match else len(text)
            else:
                self.depth += 1 if char in "[{" else -1 if char in "]}" else 0
                pos += 1


def _closing(text: str, pos: int, quote: str) -> int:
    """Index just after the closing ``quote`` at or after ``pos``, -1 if not on this line."""
    while True:
        end = text.find(quote, pos)
        if end < 0:
            return -1
        if quote == '"""' and _escaped(text, end):
            pos = end + 1
            continue
        # Up to two extra quotes right before the delimiter belong to the string.
        extra = 0
        while extra < 2 and text.startswith(quote[0], end + 3):
            end, extra = end + 1, extra + 1
        return end + 3


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
