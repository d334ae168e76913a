"""The sslyze side of the TLS probe: runs in the child process started by ``probes.tls``.

Contract: ``run(request)`` returns a JSON-able dict (the document ``probes.tls.scan_from_json``
reads) and never raises: a connectivity failure or a failed scan command is described in it.
Only imported in the child, so sslyze's threads never live in the harness process.
"""

from __future__ import annotations

import socket
import ssl
import traceback
import warnings
from pathlib import Path
from typing import Any

from prepcheck.probes.failures import Failure
from prepcheck.probes.tls import resolve_and_connect
from prepcheck.snapshots.text import clean_text
from prepcheck.snapshots.tls import PROTOCOL_NAMES

_CIPHER_COMMANDS = (
    "ssl_2_0_cipher_suites",
    "ssl_3_0_cipher_suites",
    "tls_1_0_cipher_suites",
    "tls_1_1_cipher_suites",
    "tls_1_2_cipher_suites",
    "tls_1_3_cipher_suites",
)
_OTHER_COMMANDS = (
    "certificate_info",
    "elliptic_curves",
    "heartbleed",
    "robot",
    "openssl_ccs_injection",
    "session_renegotiation",
    "tls_compression",
    "tls_fallback_scsv",
)


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Scan ``request["host"]:request["port"]``; see the module contract."""
    host, port = request["host"], int(request["port"])
    base: dict[str, Any] = {"host": host, "port": port}
    ip_address, failure = resolve_and_connect(host, port, float(request["network_timeout"]))
    if ip_address is None:
        reason = failure.reason if failure else "sin conexión TCP"
        return {**base, "error": reason, "error_kind": "tcp", "error_detail": _detail(failure)}
    base["ip_address"] = ip_address
    silent = _silent_to_tls(host, port, ip_address, float(request["network_timeout"]))
    if silent is not None:
        return {**base, **silent}
    try:
        # sslyze's bundled trust stores trigger cryptography deprecation warnings on load.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {**base, **_scan(host, port, ip_address, request)}
    except Exception as exc:  # the child must always answer with a document
        detail = clean_text("".join(traceback.format_exception_only(type(exc), exc)).strip())
        reason = "falla interna del analizador TLS (sslyze)"
        return {**base, "error": reason, "error_kind": "internal", "error_detail": detail}


def _silent_to_tls(
    host: str, port: int, ip_address: str, timeout_s: float
) -> dict[str, Any] | None:
    """The error document of a server that accepts TCP and never answers a TLS ClientHello
    (sslyze would retry every protocol until the scan's own bound); None when it answers
    anything at all, even a refusal, which sslyze then studies. Verification stays on: only
    whether an answer comes is looked at."""
    context = ssl.create_default_context()
    try:
        with (
            socket.create_connection((ip_address, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return None
    except TimeoutError as exc:
        reason = (
            f"el servidor acepta la conexión pero no respondió al saludo TLS en {timeout_s:g} s"
        )
        return {"error": reason, "error_kind": "timeout", "error_detail": clean_text(repr(exc))}
    except (OSError, ValueError):
        return None


def _scan(host: str, port: int, ip_address: str, request: dict[str, Any]) -> dict[str, Any]:
    from sslyze import (
        CertificateInfoExtraArgument,
        ScanCommand,
        ScanCommandsExtraArguments,
        Scanner,
        ServerNetworkConfiguration,
        ServerNetworkLocation,
        ServerScanRequest,
        ServerScanStatusEnum,
    )

    extra = ScanCommandsExtraArguments()
    if request.get("ca_file"):
        ca_file = Path(request["ca_file"])
        extra = ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=ca_file)
        )
    commands = {ScanCommand(name) for name in _CIPHER_COMMANDS + _OTHER_COMMANDS}
    scan_request = ServerScanRequest(
        server_location=ServerNetworkLocation(hostname=host, port=port, ip_address=ip_address),
        network_configuration=ServerNetworkConfiguration(
            tls_server_name_indication=host,
            network_timeout=int(request["network_timeout"]),
            network_max_retries=1,
        ),
        scan_commands=commands,
        scan_commands_extra_arguments=extra,
    )
    scanner = Scanner()
    scanner.queue_scans([scan_request])
    result = next(iter(scanner.get_results()))
    if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        return _connectivity_error(result)
    return _describe(result)


def _connectivity_error(result: Any) -> dict[str, Any]:
    trace = result.connectivity_error_trace
    detail = clean_text(str(trace).strip() if trace is not None else "sin detalle")
    timed_out = trace is not None and "Timed" in trace.exc_type.__name__
    if timed_out:
        reason = "el servidor no respondió al saludo TLS a tiempo"
        return {"error": reason, "error_kind": "timeout", "error_detail": detail}
    reason = "el saludo TLS no se completó (el servidor rechazó o no entendió la conexión segura)"
    return {"error": reason, "error_kind": "handshake", "error_detail": detail}


def _detail(failure: Failure | None) -> str | None:
    return failure.detail if failure is not None else None


def _describe(result: Any) -> dict[str, Any]:
    attempts = result.scan_result
    probing = result.connectivity_result
    document: dict[str, Any] = {
        "negotiated": {
            "version": probing.highest_tls_version_supported.name,
            "cipher": probing.cipher_suite_supported,
        },
        "protocols": {},
        "command_errors": {},
    }
    for command, name in zip(_CIPHER_COMMANDS, PROTOCOL_NAMES, strict=True):
        attempt = getattr(attempts, command)
        if attempt.result is None:
            document["command_errors"][command] = _attempt_error(attempt)
            continue
        accepted = attempt.result.accepted_cipher_suites
        document["protocols"][name] = [_suite(s) for s in accepted]
    _add_certificate(document, attempts.certificate_info)
    _add_curves(document, attempts.elliptic_curves)
    document["vulnerabilities"] = _vulnerabilities(attempts, document["command_errors"])
    return document


def _attempt_error(attempt: Any) -> str:
    reason = attempt.error_reason.name if attempt.error_reason else "desconocido"
    trace = str(attempt.error_trace).strip() if attempt.error_trace else ""
    return f"{reason}: {trace}"[:400]


def _suite(accepted: Any) -> dict[str, Any]:
    from nassl.ephemeral_key_info import DhEphemeralKeyInfo, EcDhEphemeralKeyInfo

    key = accepted.ephemeral_key
    suite: dict[str, Any] = {"name": accepted.cipher_suite.name}
    if isinstance(key, EcDhEphemeralKeyInfo):
        suite.update(key_exchange="ECDH", curve=key.curve_name, bits=key.size)
    elif isinstance(key, DhEphemeralKeyInfo):
        suite.update(key_exchange="DH", bits=key.size)
    return suite


def _add_certificate(document: dict[str, Any], attempt: Any) -> None:
    if attempt.result is None:
        document["command_errors"]["certificate_info"] = _attempt_error(attempt)
        return
    deployment = attempt.result.certificate_deployments[0]
    document["chain"] = [_certificate(c) for c in deployment.received_certificate_chain]
    document["trust"] = [
        {
            "store": f"{r.trust_store.name} {r.trust_store.version}".strip(),
            "ok": r.was_validation_successful,
            "error": r.validation_error,
            "custom": r.trust_store.name == "Supplied CA file",
        }
        for r in deployment.path_validation_results
    ]
    document["ocsp_stapled"] = deployment.ocsp_response is not None


def _certificate(certificate: Any) -> dict[str, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        key_text = f"EC {key.curve.name}"
    elif isinstance(key, rsa.RSAPublicKey):
        key_text = f"RSA {key.key_size}"
    else:
        key_text = type(key).__name__
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = []
    return {
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "not_before": certificate.not_valid_before_utc.isoformat(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "names": names,
        "key": key_text,
        "signature": getattr(certificate.signature_algorithm_oid, "_name", "?"),
    }


def _add_curves(document: dict[str, Any], attempt: Any) -> None:
    if attempt.result is None:
        document["command_errors"]["elliptic_curves"] = _attempt_error(attempt)
        return
    curves = attempt.result.supported_curves or []
    document["curves"] = [curve.name for curve in curves]


def _vulnerabilities(attempts: Any, errors: dict[str, str]) -> dict[str, Any]:
    readers = {
        "heartbleed": ("heartbleed", lambda r: r.is_vulnerable_to_heartbleed),
        "ccs_injection": ("openssl_ccs_injection", lambda r: r.is_vulnerable_to_ccs_injection),
        "robot": ("robot", lambda r: r.robot_result.name),
        "secure_renegotiation": (
            "session_renegotiation",
            lambda r: r.supports_secure_renegotiation,
        ),
        "client_renegotiation_dos": (
            "session_renegotiation",
            lambda r: r.is_vulnerable_to_client_renegotiation_dos,
        ),
        "compression": ("tls_compression", lambda r: r.supports_compression),
        "fallback_scsv": ("tls_fallback_scsv", lambda r: r.supports_fallback_scsv),
    }
    found: dict[str, Any] = {}
    for name, (command, read) in readers.items():
        attempt = getattr(attempts, command)
        if attempt.result is None:
            errors[command] = _attempt_error(attempt)
        else:
            found[name] = read(attempt.result)
    return found
