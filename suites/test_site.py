"""Site and publication checks (checklist: site.*)."""

import pytest

from prepcheck.checks.site import evaluate_public_folder, evaluate_reachable
from prepcheck.results import error


@pytest.mark.check("site.reachable")
def test_site_reachable(difusor, record):
    record(evaluate_reachable(difusor.chain(difusor.base_url)))


@pytest.mark.check("site.public-folder")
def test_public_folder_serves_index(difusor, official, record):
    check = "site.public-folder"
    if official is None or not official.usable:
        reason = official.unusable_reason() if official else "sin paquete oficial configurado"
        record(error(check, reason))
        return
    expected = official.read("index.html")
    if expected is None:
        record(error(check, f"el paquete oficial no tiene {difusor.election.folder}/index.html"))
        return
    record(
        evaluate_public_folder(difusor.get(difusor.folder_url), expected, difusor.election.folder)
    )
