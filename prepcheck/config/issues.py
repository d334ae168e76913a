"""One problem of a configuration file, and the Spanish text that lists them all.

Contract: an :class:`Issue` is a location (pydantic-style: names and list indices) and a
complete Spanish message; :func:`report` lists every issue of a file, sorted by line, each
naming the line, the difusor by its ``name`` (never an index) and the full dotted key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prepcheck.config.base import Loc
from prepcheck.config.locate import key_lines, line_of


@dataclass(frozen=True)
class Issue:
    """A problem at ``loc`` (e.g. ``("difusor", 0, "sftp", "port")``), said in Spanish."""

    loc: Loc
    message: str


def report(source: Path, issues: Sequence[Issue], raw: Mapping[str, Any], text: str) -> str:
    """``source``: the header line, then one indented line per issue (see module contract)."""
    lines = key_lines(text)
    located = sorted(
        ((line_of(lines, issue.loc), index, issue) for index, issue in enumerate(issues)),
        key=lambda item: (item[0] or 0, item[1]),
    )
    count = len(issues)
    header = f"{source}: configuración no válida ({count} problema{'s' if count != 1 else ''}):"
    return "\n".join([header, *(_line(issue, line, raw) for line, _, issue in located)])


def key_name(loc: Loc) -> str:
    """``difusor.sftp.port`` for ``("difusor", 0, "sftp", "port")``; list items as ``[i]``."""
    text = ""
    for position, part in enumerate(loc):
        if isinstance(part, int):
            if not (position == 1 and loc[0] == "difusor"):
                text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def difusor_name(loc: Loc, raw: Mapping[str, Any]) -> str | None:
    """The ``name`` of the difusor ``loc`` is in (its position when it has no usable name)."""
    if len(loc) < 2 or loc[0] != "difusor" or not isinstance(loc[1], int):
        return None
    tables = raw.get("difusor")
    table = tables[loc[1]] if isinstance(tables, list) and loc[1] < len(tables) else None
    name = table.get("name") if isinstance(table, dict) else None
    if isinstance(name, str) and name:
        return f"«{name}»"
    return f"n.º {loc[1] + 1} (sin `name`)"


def _line(issue: Issue, line: int | None, raw: Mapping[str, Any]) -> str:
    parts = [f"línea {line}"] if line else []
    difusor = difusor_name(issue.loc, raw)
    if difusor:
        parts.append(f"difusor {difusor}")
    key = key_name(issue.loc)
    parts.append(f"clave `{key}`" if key else "archivo completo")
    return f"  {', '.join(parts)}: {issue.message}"
