"""Official package preconditions (checklist: package.*). Same result for every difusor."""

import pytest

from prepcheck.checks.package import evaluate_csv_consistency
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


@pytest.mark.check("package.csv-consistency")
def test_csv_summaries_match_rows(difusor, official, record):
    check = "package.csv-consistency"
    if official is None or not official.usable:
        reason = official.unusable_reason() if official else "sin paquete oficial configurado"
        record(error(check, reason))
        return
    record(evaluate_csv_consistency(official.csv_files()))
