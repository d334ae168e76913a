"""TLS checks (checklist: tls.*), from one bounded sslyze scan per difusor."""

from urllib.parse import urlsplit

import pytest

from prepcheck.checklist.observations import tls_scan
from prepcheck.checks.tls import (
    evaluate_certificate_lifetime,
    evaluate_certificate_valid,
    evaluate_ciphers,
    evaluate_enabled,
    evaluate_ocsp_stapling,
    evaluate_protocols,
    evaluate_tls13,
    evaluate_vulnerabilities,
)
from prepcheck.checks.tls.mozilla import PROFILES
from prepcheck.results import error
from prepcheck.snapshots.tls import TlsScan


def _scan(difusor) -> TlsScan:
    """The difusor's TLS scan, made once per run (every tls.* check reads it)."""
    return tls_scan(difusor)


def _https_or_error(difusor, record, check: str) -> bool:
    if urlsplit(difusor.base_url).scheme != "https":
        record(
            error(check, f"base_url no usa https:// ({difusor.base_url}); no hay TLS que revisar")
        )
        return False
    return True


def _custom_ca(difusor) -> bool:
    return difusor.difusor.ca_file is not None


@pytest.mark.check("tls.enabled")
def test_tls_enabled(difusor, record):
    if _https_or_error(difusor, record, "tls.enabled"):
        record(evaluate_enabled(_scan(difusor), custom_ca=_custom_ca(difusor)))


@pytest.mark.check("tls.certificate-valid")
def test_certificate_valid(difusor, record):
    if _https_or_error(difusor, record, "tls.certificate-valid"):
        record(evaluate_certificate_valid(_scan(difusor), custom_ca=_custom_ca(difusor)))


@pytest.mark.check("tls.certificate-lifetime")
def test_certificate_lifetime(difusor, record):
    if _https_or_error(difusor, record, "tls.certificate-lifetime"):
        election = difusor.election
        record(
            evaluate_certificate_lifetime(
                _scan(difusor),
                window_end=election.localize(election.window_end),
                margin_days=election.certificate_margin_days,
                custom_ca=_custom_ca(difusor),
            )
        )


@pytest.mark.check("tls.protocols")
def test_protocols(difusor, record):
    if _https_or_error(difusor, record, "tls.protocols"):
        record(evaluate_protocols(_scan(difusor), custom_ca=_custom_ca(difusor)))


@pytest.mark.check("tls.tls13")
def test_tls13(difusor, record):
    if _https_or_error(difusor, record, "tls.tls13"):
        record(evaluate_tls13(_scan(difusor)))


@pytest.mark.check("tls.ciphers")
def test_ciphers(difusor, record):
    if _https_or_error(difusor, record, "tls.ciphers"):
        profile = PROFILES[difusor.difusor.transport.mozilla_guideline]
        record(evaluate_ciphers(_scan(difusor), profile, custom_ca=_custom_ca(difusor)))


@pytest.mark.check("tls.vulnerabilities")
def test_vulnerabilities(difusor, record):
    if _https_or_error(difusor, record, "tls.vulnerabilities"):
        record(evaluate_vulnerabilities(_scan(difusor)))


@pytest.mark.check("tls.ocsp-stapling")
def test_ocsp_stapling(difusor, record):
    if _https_or_error(difusor, record, "tls.ocsp-stapling"):
        record(evaluate_ocsp_stapling(_scan(difusor)))
