"""``Observer``: what a check may ask to see of the difusor under test, and ``Unobserved``.

Contract: every method returns a snapshot (plain data) or raises ``Unobserved`` naming the
observation that could not be made and why; it never raises anything else for what a site
does. Observations are memoized by the implementation (the checklist's ``Target``): a failed
one is remembered, so every check that depends on it reports the same reason at once instead
of waiting again. Checks depend on this protocol only, never on the probes behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from prepcheck.archive.official import OfficialPackage
    from prepcheck.config import Difusor, Election
    from prepcheck.snapshots.files import FileOutcome
    from prepcheck.snapshots.http import HttpSnapshot, LabelledSnapshot
    from prepcheck.snapshots.pages import RenderObservation
    from prepcheck.snapshots.rehearsal import Rehearsal
    from prepcheck.snapshots.sftp import SftpOutcome
    from prepcheck.snapshots.tls import TlsScan


class Unobserved(Exception):
    """An observation could not be made; every check needing it is ``error`` for this reason."""

    def __init__(self, observation: str, reason: str) -> None:
        super().__init__(f"{observation}: {reason}")
        self.observation = observation
        self.reason = reason


class Observer(Protocol):
    """The difusor under test, as checks see it (see the module contract)."""

    @property
    def difusor(self) -> Difusor: ...

    @property
    def election(self) -> Election: ...

    @property
    def base_url(self) -> str: ...

    @property
    def folder_url(self) -> str: ...

    @property
    def entry_url(self) -> str: ...

    @property
    def main_json_url(self) -> str: ...

    def official(self) -> OfficialPackage:
        """The official package, loaded and verified (``Unobserved`` when none is configured)."""
        ...

    def usable_official(self) -> OfficialPackage:
        """The official package when it passed its digest and safety checks, else ``Unobserved``."""
        ...

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> HttpSnapshot:
        """One GET of ``url`` (memoized); network trouble is in the snapshot's ``error``."""
        ...

    def chain(self, url: str) -> list[HttpSnapshot]:
        """The redirect chain of ``url``, every hop in order."""
        ...

    def main_json_caching(self) -> list[LabelledSnapshot]:
        """main.json requested repeatedly, plain and cache-busting (the not-cached probe)."""
        ...

    def tls_scan(self) -> TlsScan: ...

    def package_files(self) -> list[FileOutcome]:
        """Every file of the usable official package as the difusor serves it."""
        ...

    def official_corte(self) -> tuple[datetime | None, str]:
        """The latest official corte and where it was read from."""
        ...

    def render(self) -> RenderObservation:
        """Every configured page and viewport, as the difusor and as the reference show it."""
        ...

    def sftp_write(self) -> SftpOutcome: ...

    def sftp_upload(self) -> SftpOutcome: ...

    def rehearsal_valid(self) -> Rehearsal: ...

    def rehearsal_corrupt(self) -> Rehearsal: ...
