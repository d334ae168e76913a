"""The tls.* evaluators on hand-built scans: each outcome, the grade caps, the profiles."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from prepcheck.checks.tls import (
    evaluate_certificate_lifetime,
    evaluate_certificate_valid,
    evaluate_ciphers,
    evaluate_enabled,
    evaluate_ocsp_stapling,
    evaluate_protocols,
    evaluate_tls13,
    evaluate_vulnerabilities,
    grade_caps,
    hostname_matches,
    verdicts,
)
from prepcheck.checks.tls.mozilla import PROFILES
from prepcheck.snapshots.tls import CertInfo, Suite, TlsScan, TrustResult

NOW = datetime.now(UTC).replace(microsecond=0)
GOOD_12 = (
    Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH", "X25519", 253),
    Suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDH", "X25519", 253),
)
GOOD_13 = (Suite("TLS_AES_128_GCM_SHA256", "ECDH", "X25519", 253),)
LEAF = CertInfo(
    subject="CN=localhost,O=prepcheck",
    issuer="CN=prepcheck rehearsal CA,O=prepcheck",
    not_before=(NOW - timedelta(days=30)).isoformat(),
    not_after=(NOW + timedelta(days=60)).isoformat(),
    names=("localhost", "127.0.0.1"),
    key="EC secp256r1",
)
GOOD = TlsScan(
    host="localhost",
    port=8443,
    elapsed_s=0.5,
    ip_address="127.0.0.1",
    negotiated={"version": "TLS_1_3", "cipher": "TLS_AES_128_GCM_SHA256"},
    protocols={
        "SSLv2": (),
        "SSLv3": (),
        "TLSv1": (),
        "TLSv1.1": (),
        "TLSv1.2": GOOD_12,
        "TLSv1.3": GOOD_13,
    },
    curves=("X25519", "secp256r1"),
    chain=(LEAF,),
    trust=(
        TrustResult("Mozilla 2024", False, "validation failed: candidates exhausted"),
        TrustResult("Supplied CA file N/A", True, None, custom=True),
    ),
    ocsp_stapled=False,
    vulnerabilities={
        "heartbleed": False,
        "ccs_injection": False,
        "robot": "NOT_VULNERABLE_RSA_NOT_SUPPORTED",
        "secure_renegotiation": True,
        "client_renegotiation_dos": False,
        "compression": False,
        "fallback_scsv": True,
    },
)
WINDOW_END = NOW + timedelta(days=20)


def test_good_scan_passes_every_required_check():
    enabled = evaluate_enabled(GOOD, custom_ca=True)
    assert enabled.status == "pass" and enabled.message.endswith("(TLS 1.3)")
    assert evaluate_certificate_valid(GOOD, custom_ca=True, now=NOW).status == "pass"
    lifetime = evaluate_certificate_lifetime(
        GOOD, window_end=WINDOW_END, margin_days=7, custom_ca=True, now=NOW
    )
    assert lifetime.status == "pass"
    assert evaluate_protocols(GOOD).status == "pass"
    assert evaluate_tls13(GOOD).status == "pass"
    assert evaluate_ciphers(GOOD, PROFILES["6.0"]).status == "pass"
    assert evaluate_vulnerabilities(GOOD).status == "pass"
    assert grade_caps(GOOD, custom_ca=True, now=NOW)["tope"] is None


def test_without_custom_ca_the_mozilla_store_decides():
    result = evaluate_certificate_valid(GOOD, custom_ca=False, now=NOW)
    assert result.status == "fail"
    assert "certificate-untrusted" in result.evidence["resultado"]
    assert result.evidence["tope_ssl_labs"]["tope"] == "T"


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("tcp", "error", "tls-no-tcp"),
        ("timeout", "error", "tls-timeout"),
        ("internal", "error", "tls-internal"),
        ("handshake", "fail", "tls-handshake-failed"),
    ],
)
def test_enabled_outcomes_for_each_failure_kind(kind, status, code):
    scan = TlsScan("localhost", 8443, 1.0, error="algo pasó", error_kind=kind)
    result = evaluate_enabled(scan)
    assert (result.status, result.evidence["resultado"]) == (status, code)
    assert evaluate_protocols(scan).status == "error"
    assert evaluate_certificate_valid(scan, custom_ca=True).status == "error"


def test_legacy_protocols_fail_and_cap_b():
    legacy = (Suite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDH", "X25519", 253),)
    scan = replace(GOOD, protocols={**GOOD.protocols, "TLSv1": legacy, "TLSv1.1": legacy})
    result = evaluate_protocols(scan, custom_ca=True)
    assert result.status == "fail" and "TLSv1, TLSv1.1" in result.message
    assert result.evidence["tope_ssl_labs"]["tope"] == "B"
    ciphers = evaluate_ciphers(scan, PROFILES["6.0"])
    assert ciphers.status == "warn"
    assert ciphers.evidence["fuera_del_perfil"] == ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"]


def test_sslv2_caps_f_and_sslv3_caps_c():
    suite = (Suite("TLS_RSA_WITH_RC4_128_MD5"),)
    assert (
        grade_caps(
            replace(GOOD, protocols={**GOOD.protocols, "SSLv3": suite}), custom_ca=True, now=NOW
        )["tope"]
        == "C"
    )
    assert (
        grade_caps(
            replace(GOOD, protocols={**GOOD.protocols, "SSLv2": suite, "SSLv3": suite}),
            custom_ca=True,
            now=NOW,
        )["tope"]
        == "F"
    )


def test_untested_protocol_is_an_error_not_a_pass():
    protocols = dict(GOOD.protocols)
    del protocols["SSLv3"]
    result = evaluate_protocols(replace(GOOD, protocols=protocols, command_errors={"x": "y"}))
    assert result.status == "error" and "SSLv3" in result.message


def test_no_modern_protocol_fails():
    scan = replace(GOOD, protocols={**GOOD.protocols, "TLSv1.2": (), "TLSv1.3": ()})
    assert evaluate_protocols(scan).evidence["resultado"] == "protocols-no-modern"


def test_tls13_missing_warns():
    result = evaluate_tls13(replace(GOOD, protocols={**GOOD.protocols, "TLSv1.3": ()}))
    assert result.status == "warn"


def test_no_forward_secrecy_caps_b_and_warns_on_ciphers():
    weak = (Suite("TLS_RSA_WITH_AES_128_CBC_SHA"), Suite("TLS_RSA_WITH_AES_256_CBC_SHA"))
    scan = replace(GOOD, protocols={**GOOD.protocols, "TLSv1.2": weak, "TLSv1.3": ()}, curves=())
    caps = grade_caps(scan, custom_ca=True, now=NOW)
    assert caps["tope"] == "B" and any("secreto" in m for m in caps["motivos"])
    result = evaluate_ciphers(scan, PROFILES["6.0"])
    assert result.status == "warn"
    assert result.evidence["sin_pfs"] == sorted(s.name for s in weak)


def test_dhe_suites_are_intermediate_in_5_7_but_not_in_6_0():
    dhe = (Suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DH", None, 2048),)
    scan = replace(GOOD, protocols={**GOOD.protocols, "TLSv1.2": GOOD_12 + dhe})
    assert evaluate_ciphers(scan, PROFILES["5.7"]).status == "pass"
    result = evaluate_ciphers(scan, PROFILES["6.0"])
    assert result.status == "warn" and "6.0" in result.message


def test_curve_outside_profile_warns():
    scan = replace(GOOD, curves=("X25519", "secp521r1"))
    result = evaluate_ciphers(scan, PROFILES["6.0"])
    assert result.status == "warn" and result.evidence["grupos_fuera_del_perfil"] == ["secp521r1"]


def test_expired_certificate_fails_both_certificate_checks_and_caps_t():
    leaf = replace(LEAF, not_after=(NOW - timedelta(days=1)).isoformat())
    trust = (
        TrustResult(
            "Supplied CA file N/A", False, "cert is not valid at validation time", custom=True
        ),
    )
    scan = replace(GOOD, chain=(leaf,), trust=trust)
    valid = evaluate_certificate_valid(scan, custom_ca=True, now=NOW)
    assert valid.status == "fail" and "certificate-expired" in valid.evidence["resultado"]
    assert valid.evidence["tope_ssl_labs"]["tope"] == "T"
    lifetime = evaluate_certificate_lifetime(
        scan, window_end=WINDOW_END, margin_days=7, custom_ca=True, now=NOW
    )
    assert lifetime.status == "fail"


def test_certificate_ending_inside_the_margin_fails_lifetime_only():
    leaf = replace(LEAF, not_after=(WINDOW_END + timedelta(days=3)).isoformat())
    scan = replace(GOOD, chain=(leaf,))
    assert evaluate_certificate_valid(scan, custom_ca=True, now=NOW).status == "pass"
    result = evaluate_certificate_lifetime(
        scan, window_end=WINDOW_END, margin_days=7, custom_ca=True, now=NOW
    )
    assert result.status == "fail" and "4 día(s) antes" in result.message
    ok = evaluate_certificate_lifetime(
        scan, window_end=WINDOW_END, margin_days=2, custom_ca=True, now=NOW
    )
    assert ok.status == "pass"


def test_lifetime_says_its_moments_in_election_time():
    centre = timezone(timedelta(hours=-6))
    window_end = datetime(2027, 6, 12, 23, 59, tzinfo=centre)
    leaf = replace(LEAF, not_after=window_end.astimezone(UTC).isoformat())  # 13/06 05:59 UTC
    result = evaluate_certificate_lifetime(
        replace(GOOD, chain=(leaf,)), window_end=window_end, margin_days=7, custom_ca=True, now=NOW
    )
    assert result.message.startswith("El certificado vence el 12/06/2027 23:59 (UTC−06:00), 7 ")
    assert "(19/06/2027 23:59)" in result.message and " UTC," not in result.message


def test_name_mismatch_is_m_and_a_trusted_chain():
    leaf = replace(LEAF, subject="CN=otro.invalid", names=("otro.invalid",))
    trust = (
        TrustResult(
            "Supplied CA file N/A",
            False,
            "validation failed: leaf certificate has no matching subjectAltName",
            custom=True,
        ),
    )
    scan = replace(GOOD, chain=(leaf,), trust=trust)
    result = evaluate_certificate_valid(scan, custom_ca=True, now=NOW)
    assert result.evidence["resultado"] == ["certificate-name-mismatch"]
    assert result.evidence["tope_ssl_labs"]["tope"] == "M"
    assert verdicts(scan, custom_ca=True, now=NOW)["trusted"] is True


@pytest.mark.parametrize(
    ("host", "names", "expected"),
    [
        ("localhost", ("localhost",), True),
        ("LOCALHOST.", ("localhost",), True),
        ("www.difusor.mx", ("*.difusor.mx",), True),
        ("a.b.difusor.mx", ("*.difusor.mx",), False),
        ("difusor.mx", ("*.difusor.mx",), False),
        ("127.0.0.1", ("127.0.0.1",), True),
        ("127.0.0.1", ("localhost",), False),
        ("::1", ("0:0:0:0:0:0:0:1",), True),
    ],
)
def test_hostname_matching(host, names, expected):
    assert hostname_matches(host, names) is expected


@pytest.mark.parametrize(
    ("finding", "value"),
    [
        ("heartbleed", True),
        ("ccs_injection", True),
        ("robot", "VULNERABLE_STRONG_ORACLE"),
        ("robot", "VULNERABLE_WEAK_ORACLE"),
        ("secure_renegotiation", False),
        ("compression", True),
    ],
)
def test_each_vulnerability_fails(finding, value):
    scan = replace(GOOD, vulnerabilities={**GOOD.vulnerabilities, finding: value})
    result = evaluate_vulnerabilities(scan)
    assert result.status == "fail"


def test_client_renegotiation_and_fallback_are_evidence_only():
    found = {**GOOD.vulnerabilities, "client_renegotiation_dos": True, "fallback_scsv": False}
    assert evaluate_vulnerabilities(replace(GOOD, vulnerabilities=found)).status == "pass"


def test_missing_or_inconclusive_vulnerability_test_is_an_error():
    found = dict(GOOD.vulnerabilities)
    del found["heartbleed"]
    assert evaluate_vulnerabilities(replace(GOOD, vulnerabilities=found)).status == "error"
    found = {**GOOD.vulnerabilities, "robot": "UNKNOWN_INCONSISTENT_RESULTS"}
    assert evaluate_vulnerabilities(replace(GOOD, vulnerabilities=found)).status == "error"


def test_ocsp_stapling_outcomes():
    assert evaluate_ocsp_stapling(GOOD).status == "warn"
    assert evaluate_ocsp_stapling(replace(GOOD, ocsp_stapled=True)).status == "pass"
    assert evaluate_ocsp_stapling(replace(GOOD, ocsp_stapled=None)).status == "error"
