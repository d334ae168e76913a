"""Official package preconditions (checklist: package.*). Same result for every difusor."""

import pytest

from prepcheck.archive.official import NO_PACKAGE, precondition_error
from prepcheck.checks.package import evaluate_csv_consistency
from prepcheck.results import error


@pytest.mark.check("package.checksum")
def test_package_matches_digest(difusor, official, record):
    record(official.checksum if official else error("package.checksum", NO_PACKAGE))


@pytest.mark.check("package.safe-archive")
def test_package_is_safe(difusor, official, record):
    record(official.safety if official else error("package.safe-archive", NO_PACKAGE))


@pytest.fixture(scope="session")
def csv_consistency(official):
    """The package's CSV check, computed once: it is the same for every difusor."""
    blocked = precondition_error("package.csv-consistency", official)
    return blocked or evaluate_csv_consistency(official.csv_files())


@pytest.mark.check("package.csv-consistency")
def test_csv_summaries_match_rows(difusor, csv_consistency, record):
    record(csv_consistency)
