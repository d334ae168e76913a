"""Evaluators for the tls.* checks: pure functions from a ``TlsScan`` to CheckResults.

Every result carries, in its evidence, the SSL-Labs-style grade cap that applies to the server
(``tope_ssl_labs``): TLS 1.0/1.1 → B, SSLv3 → C, SSLv2 → F, no forward secrecy → B,
untrusted or expired certificate → T, name mismatch → M.

The evaluators are split by job: :mod:`~prepcheck.checks.tls.protocols` (handshake, protocols,
suites), :mod:`~prepcheck.checks.tls.certificates` (validity, lifetime),
:mod:`~prepcheck.checks.tls.vulnerabilities` (vulnerabilities, OCSP),
:mod:`~prepcheck.checks.tls.grade` (grade caps, shared evidence) and
:mod:`~prepcheck.checks.tls.trust` (certificate facts). This module keeps the public surface
and :func:`verdicts`.
"""

from __future__ import annotations

from datetime import datetime

from prepcheck.checks.tls.certificates import (
    evaluate_certificate_lifetime,
    evaluate_certificate_valid,
)
from prepcheck.checks.tls.grade import grade_caps
from prepcheck.checks.tls.protocols import (
    LEGACY_PROTOCOLS,
    evaluate_ciphers,
    evaluate_enabled,
    evaluate_protocols,
    evaluate_tls13,
)
from prepcheck.checks.tls.trust import certificate_trust, hostname_matches
from prepcheck.checks.tls.vulnerabilities import (
    VULNERABLE_ROBOT,
    evaluate_ocsp_stapling,
    evaluate_vulnerabilities,
)
from prepcheck.snapshots.tls import TlsScan

__all__ = [
    "LEGACY_PROTOCOLS",
    "certificate_trust",
    "evaluate_certificate_lifetime",
    "evaluate_certificate_valid",
    "evaluate_ciphers",
    "evaluate_enabled",
    "evaluate_ocsp_stapling",
    "evaluate_protocols",
    "evaluate_tls13",
    "evaluate_vulnerabilities",
    "grade_caps",
    "hostname_matches",
    "verdicts",
]


def verdicts(scan: TlsScan, *, custom_ca: bool, now: datetime | None = None) -> dict[str, object]:
    """The facts the tls.* checks decide on, in the shape of ``probes.testssl.verdicts``."""
    facts = certificate_trust(scan, custom_ca=custom_ca, now=now) if scan.chain else {}
    found = scan.vulnerabilities
    return {
        "protocols": sorted(scan.offered()),
        "trusted": bool(facts.get("confiable")),
        "name_matches": bool(facts.get("nombre_coincide")),
        "expired": bool(facts.get("caducado")),
        "heartbleed": found.get("heartbleed") is True,
        "ccs_injection": found.get("ccs_injection") is True,
        "robot": found.get("robot") in VULNERABLE_ROBOT,
        "insecure_renegotiation": found.get("secure_renegotiation") is False,
        "compression": found.get("compression") is True,
    }
