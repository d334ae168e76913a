"""Official package preconditions (checklist: package.*). Same result for every difusor."""

import pytest

from prepcheck.results import error


@pytest.mark.check("package.checksum")
def test_package_matches_digest(difusor, official, record):
    record(
        official.checksum
        if official
        else error("package.checksum", "sin paquete oficial configurado")
    )


@pytest.mark.check("package.safe-archive")
def test_package_is_safe(difusor, official, record):
    record(
        official.safety
        if official
        else error("package.safe-archive", "sin paquete oficial configurado")
    )
