"""Corte freshness (checklist: freshness.*)."""

import pytest

from prepcheck.checklist.observations import official_corte
from prepcheck.checks.freshness import evaluate_corte_current


@pytest.mark.check("freshness.corte-current")
def test_corte_is_current(difusor, official, record):
    election = difusor.election
    latest, source = official_corte(difusor, official)
    snapshot = difusor.get(difusor.main_json_url)
    record(evaluate_corte_current(snapshot, latest, source, election.update_interval, election.tz))
