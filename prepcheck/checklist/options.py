"""What a checklist run is asked to do: how many difusores and browsers at a time, which ids,
how long at most. Light to import: the command line reads its defaults before any run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from prepcheck.catalogue import RUN_IDS

#: Difusores checked at a time, and browsers open at a time, unless ``--jobs``/``--browsers``.
DEFAULT_JOBS = 8
DEFAULT_BROWSERS = 2
RUN_TIMEOUT_S = 4 * 3600
#: The ids that read the browser observation (against the reference site), and the ids that
#: read the TLS scan: each is started only for a run or session that measures one of them.
BROWSER_IDS = ("render.", "freshness.corte-displayed")
TLS_SCAN_IDS = ("tls.",)


@dataclass
class Options:
    jobs: int = DEFAULT_JOBS
    browsers: int = DEFAULT_BROWSERS
    verbose: bool = False
    timeout_s: float = RUN_TIMEOUT_S
    technical_report: bool = True
    #: Measure only the ids starting with these prefixes (all when empty); the others keep
    #: their earlier records.
    checks: tuple[str, ...] = ()

    def ids(self) -> tuple[str, ...]:
        return tuple(cid for cid in RUN_IDS if cid.startswith(self.checks or ("",)))

    def measures(self, prefixes: tuple[str, ...]) -> bool:
        """Whether any id this run measures starts with one of ``prefixes``."""
        return any_starts(self.ids(), prefixes)


def any_starts(ids: Iterable[str], prefixes: tuple[str, ...]) -> bool:
    """Whether any of ``ids`` starts with one of ``prefixes``."""
    return any(cid.startswith(prefixes) for cid in ids)
