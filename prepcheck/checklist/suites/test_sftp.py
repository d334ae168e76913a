"""SFTP transfer and the difusor's automatic publication procedure (checklist: sftp.*, ingest.*).

Only for difusores with ``[difusor.sftp]``; the ``ingest.*`` rehearsals also need
``rehearsal_uploads = true`` because they change what the difusor publishes. conftest.py runs
the ``ingest.*`` tests after every other test of the session, valid before corrupt.
"""

import pytest

from prepcheck.checks.sftp import (
    evaluate_corrupt_rejected,
    evaluate_reachable,
    evaluate_throughput,
    evaluate_valid_published,
    not_authorized,
    not_configured,
)
from prepcheck.probes.rehearsal import rehearse_corrupt, rehearse_valid
from prepcheck.probes.sftp import measure_upload, probe_write


@pytest.mark.check("sftp.reachable")
def test_sftp_reachable(difusor, record):
    settings = difusor.difusor.sftp
    if settings is None:
        record(not_configured("sftp.reachable"))
        return
    record(evaluate_reachable(probe_write(settings)))


@pytest.mark.check("sftp.throughput")
def test_sftp_throughput(difusor, record):
    settings = difusor.difusor.sftp
    if settings is None:
        record(not_configured("sftp.throughput"))
        return
    record(evaluate_throughput(measure_upload(settings, settings.throughput_bytes)))


def _valid_rehearsal(difusor):
    settings = difusor.difusor.sftp
    return difusor.memo("ingest.valid", lambda: rehearse_valid(difusor, settings))


@pytest.mark.check("ingest.valid-package-published")
def test_valid_package_published(difusor, record):
    check = "ingest.valid-package-published"
    settings = difusor.difusor.sftp
    if settings is None:
        record(not_configured(check))
        return
    if not settings.rehearsal_uploads:
        record(not_authorized(check))
        return
    record(evaluate_valid_published(_valid_rehearsal(difusor), settings.publish_deadline_seconds))


@pytest.mark.check("ingest.corrupt-package-rejected")
def test_corrupt_package_rejected(difusor, record):
    check = "ingest.corrupt-package-rejected"
    settings = difusor.difusor.sftp
    if settings is None:
        record(not_configured(check))
        return
    if not settings.rehearsal_uploads:
        record(not_authorized(check))
        return
    rehearsal = rehearse_corrupt(difusor, settings, _valid_rehearsal(difusor))
    record(evaluate_corrupt_rejected(rehearsal))
