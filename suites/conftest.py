"""Starts slow, independent observations of each difusor early so they overlap the rest."""

import pytest

from prepcheck.observations import start_tls_scan


@pytest.fixture(scope="session", autouse=True)
def _prefetch_tls_scan(difusor):
    """The TLS scan (a child process) runs while the HTTP and browser checks do."""
    if difusor.base_url.startswith("https://"):
        start_tls_scan(difusor)
