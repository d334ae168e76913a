"""The board (``OUT/index.html``): every difusor of an output folder, from its results.json.

Contract: :func:`render_board` scans ``OUT/*/results.json`` (so re-running one difusor
updates its card and keeps the others) and writes ``OUT/index.html`` atomically. Each card
shows the three-state verdict, the counts, what fails, what is not measured yet and the
command that measures it, what changed since that difusor's previous run (from
``previous``), an interrupted run, and relative links to the report, results.json, the
memoria and the technical report when present. A results.json that cannot be read gets a
card saying why; it never stops the board. Documents are read with ``read_document``
(validated) and remembered by path, inode, size and modification time, so a run that lands 40
difusores one after another validates each file once, not 40 times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prepcheck.errors import ResultsFileError
from prepcheck.report import es
from prepcheck.report.environment import environment
from prepcheck.report.model import STATUS_ORDER, change, relative_href
from prepcheck.results import (
    STATUS_LABELS,
    VERDICT_LABELS,
    Status,
    Verdict,
    failing,
    now_iso,
    pending,
    read_document,
    write_text,
)

RESULTS = "results.json"
#: Documents remembered between board renders of one process (see the module contract).
_MEMORY_LIMIT = 512
_memory: dict[tuple[str, int, int, int], dict[str, Any]] = {}
#: Cards are grouped by verdict, worst first; unreadable files last.
VERDICT_ORDER = ("fail", "incomplete", "pass", "unreadable")
_LISTED = 6


@dataclass(frozen=True)
class Named:
    """A check as a card names it, with a link to its row in the report."""

    title: str
    detail: str
    href: str


@dataclass(frozen=True)
class Card:
    folder: str
    name: str
    base_url: str
    verdict: str
    verdict_label: str
    finished: str
    counts: list[tuple[str, str, int]]
    failing: list[Named]
    pending: list[tuple[str, list[Named]]]
    new_failures: list[Named]
    fixed: list[Named]
    interrupted: str | None
    links: list[tuple[str, str]]
    problem: str | None = None

    @property
    def pending_count(self) -> int:
        return sum(len(items) for _, items in self.pending)


@dataclass(frozen=True)
class Group:
    verdict: str
    label: str
    cards: list[Card]


#: The monitor's live board (``prepcheck.campaign.live``), linked when it exists.
LIVE_BOARD = "en-vivo.html"


def render_board(out_dir: Path) -> Path:
    """Write ``out_dir/index.html`` listing every difusor of ``out_dir``; returns its path."""
    cards, documents = [], []
    for path in sorted(out_dir.glob(f"*/{RESULTS}")):
        try:
            document = _read(path)
        except ResultsFileError as exc:
            cards.append(_unreadable(path, str(exc)))
            continue
        documents.append(document)
        cards.append(card(document, path.parent))
    offset = str(documents[0].get("utc_offset")) if documents else "+00:00"
    html = (
        environment()
        .get_template("board.html.j2")
        .render(
            groups=_groups(cards),
            listed=_LISTED,
            total=len(cards),
            elections=sorted({str(d.get("election") or "") for d in documents} - {""}),
            generated=es.moment_text(now_iso(), offset),
            live=(out_dir / LIVE_BOARD).exists(),
        )
    )
    return write_text(out_dir / "index.html", html)


def _read(path: Path) -> dict[str, Any]:
    """``read_document(path)``, remembered while the file stays the same file."""
    try:
        stat = path.stat()
    except OSError:
        return read_document(path)  # raises the Spanish error naming the file
    # results.json is replaced atomically (a new inode each time), so the inode tells too.
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _memory:
        if len(_memory) >= _MEMORY_LIMIT:
            _memory.clear()
        _memory[key] = read_document(path)
    return _memory[key]


def card(document: Mapping[str, Any], folder: Path) -> Card:
    """The card of one difusor's document; ``folder`` holds its results.json."""
    offset = str(document.get("utc_offset") or "+00:00")
    name = folder.name
    records = document["checks"]
    previous = document.get("previous")
    before = previous.get("statuses", {}) if isinstance(previous, Mapping) else {}
    changes = [(r, change(before.get(r["id"]), str(r["status"]))) for r in records]
    interrupted = document.get("interrupted")
    return Card(
        folder=name,
        name=str(document.get("display_name") or document["difusor"]),
        base_url=str(document.get("base_url") or ""),
        verdict=str(document["verdict"]),
        verdict_label=VERDICT_LABELS[Verdict(document["verdict"])],
        finished=es.moment_text(document.get("finished_at"), offset),
        counts=[
            (s, STATUS_LABELS[Status(s)], n)
            for s in STATUS_ORDER
            if (n := sum(r["status"] == s for r in records))
        ],
        failing=[_named(name, r, _label(r)) for r in failing(records)],
        pending=_pending(name, pending(records)),
        new_failures=[_named(name, r, c.label) for r, c in changes if c and c.kind == "new"],
        fixed=[_named(name, r, "") for r, c in changes if c and c.kind == "fixed"],
        interrupted=(
            f"Interrumpida el {es.moment_text(interrupted.get('at'), offset)}"
            + (f": {interrupted['note']}" if interrupted.get("note") else "")
            if isinstance(interrupted, Mapping)
            else None
        ),
        links=_links(folder, document),
    )


def _label(record: Mapping[str, Any]) -> str:
    return STATUS_LABELS[Status(record["status"])]


def _named(folder: str, record: Mapping[str, Any], detail: str) -> Named:
    href = relative_href(f"{folder}/report.html") or ""
    return Named(str(record.get("title") or record["id"]), detail, f"{href}#c-{record['id']}")


def _pending(folder: str, records: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Named]]]:
    grouped: dict[str, list[Named]] = {}
    for record in records:
        grouped.setdefault(str(record.get("command") or ""), []).append(_named(folder, record, ""))
    return list(grouped.items())


def _links(folder: Path, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = [
        (label, relative_href(f"{folder.name}/{name}") or "")
        for label, name in (
            ("Informe", "report.html"),
            ("results.json", RESULTS),
            ("Memoria técnica", "memoria.html"),
        )
        if (folder / name).exists()
    ]
    technical = relative_href(document.get("technical_report"))
    if technical:
        found.append(("Informe técnico", f"{relative_href(folder.name)}/{technical}"))
    return [(label, href) for label, href in found if href]


def _unreadable(path: Path, problem: str) -> Card:
    folder = path.parent.name
    return Card(
        folder=folder,
        name=folder,
        base_url="",
        verdict="unreadable",
        verdict_label="ILEGIBLE",
        finished="—",
        counts=[],
        failing=[],
        pending=[],
        new_failures=[],
        fixed=[],
        interrupted=None,
        links=[("results.json", relative_href(f"{folder}/{RESULTS}") or "")],
        problem=problem,
    )


def _groups(cards: Sequence[Card]) -> list[Group]:
    labels = {**{str(v): VERDICT_LABELS[v] for v in Verdict}, "unreadable": "ILEGIBLE"}
    groups = []
    for verdict in VERDICT_ORDER:
        members = sorted(
            (c for c in cards if c.verdict == verdict), key=lambda c: c.name.casefold()
        )
        if members:
            groups.append(Group(verdict, labels[verdict], members))
    return groups
