"""Helpers shared by the host.* tests: judge a history folder, write an access-log line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from prepcheck.checks.host import history_kept
from prepcheck.host.history import read_history
from prepcheck.results import CheckResult

CDMX = timezone(timedelta(hours=-5))


def check_history(folder: Path, max_problems: int = 20) -> CheckResult:
    """Collect then judge ``folder`` as ``prepcheck selftest`` does."""
    return history_kept(read_history(folder), max_problems)


def now_line(ip: str = "127.0.0.1", agent: str = "Mozilla/5.0", common: bool = False) -> str:
    """One access-log line stamped now, in the combined (or ``common``) format."""
    stamp = datetime.now(CDMX).strftime("%d/%b/%Y:%H:%M:%S -0500")
    base = f'{ip} - - [{stamp}] "GET /prepver2021/ HTTP/1.1" 200 512'
    return base + "\n" if common else f'{base} "-" "{agent}"\n'
