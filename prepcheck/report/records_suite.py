"""Replays a results.json as pytest items so pytest-html renders the report from it.

Not a checklist suite: one item per record, whose outcome mirrors the record's status. Used
only by ``prepcheck.report.render`` together with the ``pytest_render`` plugin.
"""

from __future__ import annotations

import pytest


def test_check(check_record: dict[str, object]) -> None:
    """pass → passed, fail → failed, warn → xfailed, skipped → skipped (error fails in setup)."""
    __tracebackhide__ = True
    status = check_record["status"]
    message = str(check_record["message"])
    if status == "fail":
        pytest.fail(message, pytrace=False)
    if status == "warn":
        pytest.xfail(message)
    if status == "skipped":
        pytest.skip(message)
