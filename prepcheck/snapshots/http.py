"""What HTTP probes saw: plain, frozen data that checks read (no network code here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from prepcheck.snapshots.text import clean_text


@dataclass(frozen=True)
class HttpSnapshot:
    """What one request saw. ``headers`` keeps repeats and order as received (lower-case names)."""

    url: str
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    http_version: str = ""
    elapsed_s: float = 0.0
    error: str | None = None
    truncated: bool = False
    request_headers: Mapping[str, str] = field(default_factory=dict)
    error_kind: str | None = None  # see prepcheck.probes.failures (refused, timeout, …)
    error_detail: str | None = None  # the system's own words, for the evidence

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order received."""
        wanted = name.lower()
        return [value for key, value in self.headers if key == wanted]

    def header(self, name: str) -> str | None:
        """All values of ``name`` joined with ``", "`` (RFC 9110 list semantics), or None."""
        values = self.header_values(name)
        return ", ".join(values) if values else None

    def summary(self) -> dict[str, object]:
        """A short, report-friendly view (no body); the system's own words under
        ``detalle_tecnico`` when the request failed."""
        found: dict[str, object] = {
            "url": clean_text(self.url),
            "status": self.status,
            "http_version": self.http_version,
            "error": self.error,
            "elapsed_ms": round(self.elapsed_s * 1000, 1),
        }
        if self.error_detail:
            found["detalle_tecnico"] = self.error_detail
        return found


@dataclass(frozen=True)
class LabelledSnapshot:
    """One request of the sequence: ``kind`` is ``plain``, ``busted`` or ``revalidate``."""

    label: str
    kind: str
    snapshot: HttpSnapshot
