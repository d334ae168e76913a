"""What a report shows about a record's evidence: small typed blocks the templates draw.

Contract: blocks hold plain text (never markup: the templates escape every value) and
pictures' geometry (numbers computed by ``prepcheck.report.charts``). A ``Value`` may carry a
``tone`` (``good``/``bad``) and be shown as code; plain strings are values without either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Value:
    """One shown value: text, optionally in code type and with a good/bad tone."""

    text: str
    tone: str = ""
    code: bool = False


Cell = Value | str


def code(text: Any, tone: str = "") -> Value:
    return Value("—" if text is None else str(text), tone, code=True)


def good(text: Any) -> Value:
    return Value(str(text), "good")


def bad(text: Any) -> Value:
    return Value(str(text), "bad")


def judged(text: Any, passed: bool | None) -> Value:
    """``text`` toned by ``passed`` (None: no tone)."""
    return Value(str(text), "" if passed is None else ("good" if passed else "bad"))


@dataclass(frozen=True)
class Pairs:
    """A list of label → value facts."""

    items: tuple[tuple[str, Cell], ...]
    title: str = ""
    kind: str = field(default="pairs", init=False)


@dataclass(frozen=True)
class Table:
    """Rows of values under column headings (reflowed into label: value lines on a phone)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    title: str = ""
    note: str = ""
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class Items:
    """A bulleted list of texts."""

    items: tuple[Cell, ...]
    title: str = ""
    kind: str = field(default="items", init=False)


@dataclass(frozen=True)
class Image:
    """An image carried in the evidence (``data:`` URI of a PNG) and its caption."""

    caption: str
    data_uri: str


@dataclass(frozen=True)
class Images:
    images: tuple[Image, ...]
    title: str = ""
    kind: str = field(default="images", init=False)


@dataclass(frozen=True)
class Picture:
    """An inline SVG picture: ``name`` picks the template macro, ``data`` its geometry."""

    name: str
    data: Any
    title: str = ""
    kind: str = field(default="picture", init=False)


Block = Pairs | Table | Items | Images | Picture


def pairs(items: Iterable[tuple[str, Any]], title: str = "") -> Pairs | None:
    """A ``Pairs`` of the items whose value is not None (None when none remain)."""
    kept = tuple((label, _cell(value)) for label, value in items if value is not None)
    return Pairs(kept, title) if kept else None


def table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "", note: str = ""
) -> Table | None:
    """A ``Table`` (None when there are no rows)."""
    kept = tuple(tuple(_cell(value) for value in row) for row in rows)
    return Table(tuple(columns), kept, title, note) if kept else None


def items(values: Iterable[Any], title: str = "") -> Items | None:
    kept = tuple(_cell(value) for value in values if value not in (None, ""))
    return Items(kept, title) if kept else None


def _cell(value: Any) -> Cell:
    if isinstance(value, Value):
        return value
    return "—" if value is None else str(value)


def present(*blocks: Block | None) -> list[Block]:
    """The blocks that exist, in order."""
    return [block for block in blocks if block is not None]
