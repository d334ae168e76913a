"""Evaluators for ``tls.enabled``, ``tls.protocols``, ``tls.tls13`` and ``tls.ciphers``.

Contract: pure functions from a ``TlsScan`` (and a Mozilla profile for ciphers) to a
CheckResult; a protocol that could not be tested is an error result naming it, never a pass.
"""

from __future__ import annotations

from prepcheck.checks.registry import check
from prepcheck.checks.tls.grade import base_evidence, unscanned
from prepcheck.checks.tls.mozilla import PROFILES, TlsProfile
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.tls import PROTOCOL_NAMES, TlsScan, version_text

LEGACY_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")


# -- tls.enabled --------------------------------------------------------------------------------


def evaluate_enabled(scan: TlsScan, *, custom_ca: bool = False) -> CheckResult:
    """``tls.enabled``: a TLS handshake completes on the configured host and port.

    Outcomes: ``tls-handshake-ok`` (pass); ``tls-handshake-failed`` (fail: the port accepts TCP
    but rejects or garbles the handshake; fix: enable HTTPS with a certificate on that port);
    ``tls-no-tcp`` / ``tls-timeout`` / ``tls-internal`` (error: nothing listens, the server
    never answers within the bound, or the scanner failed; fix: start the server / open the
    port, then re-run).
    """
    check = "tls.enabled"
    where = f"{scan.host}:{scan.port}"
    if scan.error_kind == "handshake":
        return outcome(
            check,
            False,
            f"{where} acepta conexiones pero el saludo TLS no se completa ({scan.error})",
            escaneo=scan.summary(),
            resultado="tls-handshake-failed",
        )
    if not scan.ok:
        labels = {"tcp": "tls-no-tcp", "timeout": "tls-timeout"}
        return error(
            check,
            f"No se pudo verificar TLS en {where}: {scan.error}",
            escaneo=scan.summary(),
            resultado=labels.get(scan.error_kind or "", "tls-internal"),
        )
    evidence = base_evidence(scan, custom_ca, None)
    evidence.update(negociado=scan.negotiated, resultado="tls-handshake-ok")
    version = version_text(scan.negotiated.get("version", "?"))
    return outcome(check, True, f"El saludo TLS se completa en {where} ({version})", **evidence)


def _suites_evidence(scan: TlsScan) -> dict[str, list[str]]:
    return {name: [s.name for s in scan.protocols[name]] for name in scan.offered()}


def _untested(scan: TlsScan, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name not in scan.protocols]


def evaluate_protocols(scan: TlsScan, *, custom_ca: bool = False) -> CheckResult:
    """``tls.protocols``: no SSL 2/3, no TLS 1.0/1.1, and TLS 1.2 or 1.3 offered.

    Outcomes and fixes: ``protocols-ok`` (pass); ``protocols-legacy`` (fail, cap B/C/F: limit
    the protocols to TLSv1.2 and TLSv1.3); ``protocols-no-modern`` (fail: enable TLSv1.2 and
    TLSv1.3); a protocol that could not be tested → error naming it.
    """
    check = "tls.protocols"
    if not scan.ok:
        return unscanned(check, scan)
    evidence = base_evidence(scan, custom_ca, None)
    evidence["cifrados_por_protocolo"] = _suites_evidence(scan)
    offered = scan.offered()
    legacy = [name for name in LEGACY_PROTOCOLS if name in offered]
    if legacy:
        evidence["resultado"] = "protocols-legacy"
        return outcome(
            check,
            False,
            f"El servidor ofrece protocolos obsoletos: {', '.join(legacy)}",
            **evidence,
        )
    untested = _untested(scan, PROTOCOL_NAMES)
    if untested:
        return error(
            check,
            f"No se pudieron probar: {', '.join(untested)}",
            errores=scan.command_errors,
            **evidence,
        )
    if not {"TLSv1.2", "TLSv1.3"} & set(offered):
        evidence["resultado"] = "protocols-no-modern"
        return outcome(check, False, "El servidor no ofrece TLS 1.2 ni TLS 1.3", **evidence)
    evidence["resultado"] = "protocols-ok"
    return outcome(check, True, f"Protocolos ofrecidos: {', '.join(offered)}", **evidence)


def evaluate_tls13(scan: TlsScan) -> CheckResult:
    """``tls.tls13``: TLS 1.3 offered.

    Outcomes: ``tls13-offered`` (pass); ``tls13-missing`` (warn; fix: enable TLSv1.3 with
    OpenSSL 1.1.1 or newer); not tested → error.
    """
    check = "tls.tls13"
    if not scan.ok:
        return unscanned(check, scan)
    if "TLSv1.3" not in scan.protocols:
        return error(check, "No se pudo probar TLS 1.3", errores=scan.command_errors)
    suites = [s.name for s in scan.protocols["TLSv1.3"]]
    evidence = {"escaneo": scan.summary(), "cifrados_tls13": suites}
    if not suites:
        return outcome(
            check, False, "El servidor no ofrece TLS 1.3", resultado="tls13-missing", **evidence
        )
    return outcome(check, True, "El servidor ofrece TLS 1.3", resultado="tls13-offered", **evidence)


def evaluate_ciphers(scan: TlsScan, profile: TlsProfile, *, custom_ca: bool = False) -> CheckResult:
    """``tls.ciphers``: every suite and group offered is in the Mozilla intermediate profile.

    Outcomes and fixes: ``ciphers-ok`` (pass); ``ciphers-outside-profile`` (warn: use the
    profile's cipher list; names the offending suites, groups and whether forward secrecy is
    missing, cap B); a protocol that could not be tested → error.
    """
    check = "tls.ciphers"
    if not scan.ok:
        return unscanned(check, scan)
    untested = _untested(scan, PROTOCOL_NAMES)
    evidence = base_evidence(scan, custom_ca, None)
    evidence.update(perfil=profile.label, cifrados_por_protocolo=_suites_evidence(scan))
    if untested:
        return error(check, f"No se pudieron probar: {', '.join(untested)}", **evidence)
    outside: set[str] = set()
    no_pfs: set[str] = set()
    for name in scan.offered():
        allowed = profile.tls13_suites if name == "TLSv1.3" else profile.ciphers
        for suite in scan.protocols[name]:
            if suite.name not in allowed:
                outside.add(suite.name)
            if not suite.forward_secret:
                no_pfs.add(suite.name)
    curves = sorted(set(scan.curves) - profile.curves)
    evidence.update(
        fuera_del_perfil=sorted(outside), grupos_fuera_del_perfil=curves, sin_pfs=sorted(no_pfs)
    )
    if outside or curves:
        evidence["resultado"] = "ciphers-outside-profile"
        parts = [f"cifrados {', '.join(sorted(outside))}"] if outside else []
        parts += [f"grupos {', '.join(curves)}"] if curves else []
        return outcome(check, False, f"Fuera del {profile.label}: {'; '.join(parts)}", **evidence)
    evidence["resultado"] = "ciphers-ok"
    return outcome(check, True, f"Todos los cifrados están en el {profile.label}", **evidence)


@check("tls.enabled")
def tls_enabled(seen: Observer) -> CheckResult:
    return evaluate_enabled(seen.tls_scan(), custom_ca=seen.difusor.ca_file is not None)


@check("tls.protocols")
def tls_protocols(seen: Observer) -> CheckResult:
    return evaluate_protocols(seen.tls_scan(), custom_ca=seen.difusor.ca_file is not None)


@check("tls.tls13")
def tls_tls13(seen: Observer) -> CheckResult:
    return evaluate_tls13(seen.tls_scan())


@check("tls.ciphers")
def tls_ciphers(seen: Observer) -> CheckResult:
    profile = PROFILES[seen.difusor.transport.mozilla_guideline]
    return evaluate_ciphers(seen.tls_scan(), profile, custom_ca=seen.difusor.ca_file is not None)
