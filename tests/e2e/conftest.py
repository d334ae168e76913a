"""Shared end-to-end fixtures: one sample package per session.

``package`` is the synthetic PREP package of 2021-06-06 21:15 (central time, UTC−6), built
once for the whole session; tests that need a package of their own (another corte, a tampered
copy) build it themselves. Servers stay per module: most e2e modules change what their server
publishes (variants, tampered files, stopped and restarted servers).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from prepcheck.demo.simulacro import CENTRE_TIME
from prepcheck.sample import BuiltPackage, build_package

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> BuiltPackage:
    """The session's sample package (read-only: copy it before changing anything)."""
    return build_package(CORTE, tmp_path_factory.mktemp("paquete"), utc_offset=CENTRE_TIME)
