"""Starts slow, independent observations of each difusor early so they overlap the rest, and
runs the checks that change what a difusor publishes after every other check."""

import pytest

from prepcheck.checklist.observations import start_tls_scan

# Rehearsal uploads make the difusor serve a rehearsal corte: nothing may observe it after them.
_CHANGES_PUBLICATION = "ingest."


@pytest.fixture(scope="session", autouse=True)
def _prefetch_tls_scan(difusor):
    """The TLS scan (a child process) runs while the HTTP and browser checks do."""
    if difusor.base_url.startswith("https://"):
        start_tls_scan(difusor)


def _order(item: pytest.Item) -> tuple[bool, bool]:
    """Sort key: ordinary checks, then TLS (its prefetched scan overlaps what runs before),
    then the checks that change what the difusor publishes (rehearsal uploads)."""
    marker = item.get_closest_marker("check")
    check_id = str(marker.args[0]) if marker is not None else ""
    return check_id.startswith(_CHANGES_PUBLICATION), check_id.startswith("tls.")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Stable reorder by ``_order`` (per difusor, valid before corrupt ingest)."""
    items[:] = sorted(items, key=_order)
