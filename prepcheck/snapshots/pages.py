"""What the browser showed: one page at one viewport, a portal's PREP frame, page pairs
(difusor and reference) and the whole render observation of one difusor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag

from prepcheck.formats.figures import Figure


@dataclass
class PageShot:
    """What the browser showed for one URL at one viewport."""

    url: str
    viewport: str
    width: int
    height: int
    png: bytes | None = None
    stable: bool = False
    shots: int = 0
    ready: bool = False
    error: str | None = None
    texts: dict[str, str | None] = field(default_factory=dict)
    corte: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    problems_omitted: int = 0  # problems past the page log's limit, only counted
    console_cut: bool = False  # the console kept writing past the limit (no longer counted)
    http_status: int | None = None
    error_kind: str | None = None  # see prepcheck.probes.failures; also http-status, not-ready
    error_detail: str | None = None  # chromium's own words, for the evidence
    note: str | None = None  # what limited the capture (an oversized page)

    def fail(self, reason: str, *, kind: str | None = None, detail: str | None = None) -> None:
        """Record the first problem (later ones are consequences of it)."""
        if self.error is not None:
            return
        self.error = reason
        self.error_kind = kind
        self.error_detail = detail

    @property
    def route(self) -> str:
        """The page's fragment (``#/...``), or ``""``."""
        fragment = urldefrag(self.url).fragment
        return f"#{fragment}" if fragment else ""


@dataclass
class EmbeddedShots:
    """The portal page, the PREP frame found in it, and the frame's pages."""

    portal_url: str
    frame_url: str | None = None
    error: str | None = None
    shots: list[PageShot] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class PagePair:
    """One page at one viewport: the difusor's shot, the reference shot, the expected figures."""

    page: str
    viewport: str
    actual: PageShot
    reference: PageShot
    figures: list[Figure] = field(default_factory=list)


@dataclass
class RenderObservation:
    """Everything the render.* checks need for one difusor."""

    pairs: list[PagePair] = field(default_factory=list)
    embedded: EmbeddedShots | None = None
    embedded_pairs: list[PagePair] = field(default_factory=list)
    error: str | None = None
