"""HTTP header checks (checklist: headers.*)."""

import pytest

from prepcheck.checks.headers import evaluate_main_json_cache_control


@pytest.mark.check("headers.main-json-cache-control")
def test_main_json_forbids_caching(difusor, record):
    record(evaluate_main_json_cache_control(difusor.get(difusor.main_json_url)))
