"""Observations shared by several checks, computed once per difusor through ``Target.memo``."""

from __future__ import annotations

from prepcheck.package.official import OfficialPackage
from prepcheck.probes.fetch_many import ExpectedFile, FileOutcome, fetch_and_compare
from prepcheck.target import Target

INTEGRITY_DEADLINE_S = 600.0


def package_files(target: Target, official: OfficialPackage) -> list[FileOutcome]:
    """Every package file fetched from the difusor and compared with the manifest."""

    def compute() -> list[FileOutcome]:
        expected = [ExpectedFile(e.path, e.size, e.sha256) for e in official.manifest]
        return fetch_and_compare(
            target.base_url,
            expected,
            ca_file=target.difusor.ca_file,
            timeout_s=target.difusor.timeout_seconds,
            deadline_s=INTEGRITY_DEADLINE_S,
        )

    return target.memo("package_files", compute)
