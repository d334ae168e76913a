"""Evaluators for ``tls.vulnerabilities`` and ``tls.ocsp-stapling``.

Contract: pure functions from a ``TlsScan`` to a CheckResult; a vulnerability test that did
not run (or an inconclusive ROBOT result) is an error result naming it, never a pass.
"""

from __future__ import annotations

from prepcheck.checks.registry import check
from prepcheck.checks.tls.grade import unscanned
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.tls import TlsScan

VULNERABLE_ROBOT = ("VULNERABLE_WEAK_ORACLE", "VULNERABLE_STRONG_ORACLE")


_VULN_LABELS = {
    "heartbleed": "Heartbleed",
    "ccs_injection": "inyección CCS (CVE-2014-0224)",
    "robot": "ROBOT",
    "secure_renegotiation": "renegociación insegura",
    "compression": "compresión TLS (CRIME)",
}


def _is_vulnerable(name: str, value: object) -> bool:
    if name == "robot":
        return value in VULNERABLE_ROBOT
    if name == "secure_renegotiation":
        return value is False
    return value is True


def evaluate_vulnerabilities(scan: TlsScan) -> CheckResult:
    """``tls.vulnerabilities``: not vulnerable to Heartbleed, ROBOT, CCS injection, insecure
    renegotiation or TLS compression.

    Outcomes and fixes: ``vulnerabilities-none`` (pass); ``vulnerable`` (fail: update OpenSSL
    and the web server, disable TLS compression and RSA key exchange); a test that could not run
    (or a ROBOT result sslyze calls inconclusive) → error naming it. Client-initiated
    renegotiation and TLS_FALLBACK_SCSV are reported as evidence only.
    """
    check = "tls.vulnerabilities"
    if not scan.ok:
        return unscanned(check, scan)
    found = scan.vulnerabilities
    evidence = {"escaneo": scan.summary(), "hallazgos": dict(found)}
    vulnerable = [
        _VULN_LABELS[name] for name in _VULN_LABELS if _is_vulnerable(name, found.get(name))
    ]
    if vulnerable:
        return outcome(
            check,
            False,
            f"Vulnerable a: {', '.join(vulnerable)}",
            resultado="vulnerable",
            **evidence,
        )
    missing = [_VULN_LABELS[n] for n in _VULN_LABELS if n not in found]
    if found.get("robot", "").startswith("UNKNOWN"):
        missing.append("ROBOT (resultado inconsistente)")
    if missing:
        return error(
            check,
            f"No se pudieron probar: {', '.join(missing)}",
            errores=scan.command_errors,
            **evidence,
        )
    return outcome(
        check,
        True,
        "Sin Heartbleed, ROBOT, inyección CCS, renegociación insegura ni compresión TLS",
        resultado="vulnerabilities-none",
        **evidence,
    )


def evaluate_ocsp_stapling(scan: TlsScan) -> CheckResult:
    """``tls.ocsp-stapling``: the server staples an OCSP response.

    Outcomes: ``ocsp-stapled`` (pass); ``ocsp-not-stapled`` (warn; fix: ``ssl_stapling on``
    in nginx or ``SSLUseStapling On`` in Apache, with a CA that runs an OCSP responder);
    certificate not read → error.
    """
    check = "tls.ocsp-stapling"
    if not scan.ok:
        return unscanned(check, scan)
    if scan.ocsp_stapled is None:
        return error(check, "No se pudo leer la respuesta OCSP", errores=scan.command_errors)
    if scan.ocsp_stapled:
        return outcome(
            check,
            True,
            "El servidor engrapa la respuesta OCSP",
            resultado="ocsp-stapled",
            escaneo=scan.summary(),
        )
    return outcome(
        check,
        False,
        "El servidor no engrapa una respuesta OCSP (OCSP stapling)",
        resultado="ocsp-not-stapled",
        escaneo=scan.summary(),
    )


@check("tls.vulnerabilities")
def tls_vulnerabilities(seen: Observer) -> CheckResult:
    return evaluate_vulnerabilities(seen.tls_scan())


@check("tls.ocsp-stapling")
def tls_ocsp_stapling(seen: Observer) -> CheckResult:
    return evaluate_ocsp_stapling(seen.tls_scan())
