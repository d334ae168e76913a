"""Published files against the official package (checklist: integrity.*)."""

import pytest

from prepcheck.archive.official import precondition_error
from prepcheck.checklist.observations import package_files
from prepcheck.checks.integrity import evaluate_files_identical, evaluate_no_missing_files


@pytest.mark.check("integrity.files-identical")
def test_every_file_identical(difusor, official, record):
    check = "integrity.files-identical"
    blocked = precondition_error(check, official)
    record(blocked or evaluate_files_identical(package_files(difusor, official)))


@pytest.mark.check("integrity.no-missing-files")
def test_no_file_missing(difusor, official, record):
    check = "integrity.no-missing-files"
    blocked = precondition_error(check, official)
    record(blocked or evaluate_no_missing_files(package_files(difusor, official)))
