"""Evaluators for the tls.* checks: pure functions from a ``TlsScan`` to CheckResults.

Every result carries, in its evidence, the SSL-Labs-style grade cap that applies to the server
(``tope_ssl_labs``): TLS 1.0/1.1 → B, SSLv3 → C, SSLv2 → F, no forward secrecy → B,
untrusted or expired certificate → T, name mismatch → M.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from prepcheck.checks.mozilla_tls import TlsProfile
from prepcheck.probes.tls import PROTOCOL_NAMES, CertInfo, TlsScan, TrustResult
from prepcheck.results import CheckResult, error, outcome

LEGACY_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
_NAME_MISMATCH_MARKER = "no matching subjectAltName"
_VULNERABLE_ROBOT = ("VULNERABLE_WEAK_ORACLE", "VULNERABLE_STRONG_ORACLE")
_LETTER_ORDER = "ABCF"


# -- shared evidence --------------------------------------------------------------------------


def grade_caps(scan: TlsScan, *, custom_ca: bool, now: datetime | None = None) -> dict[str, object]:
    """The SSL-Labs-style caps that apply: ``{"tope": letter or None, "motivos": [...]}``."""
    caps: list[tuple[str, str]] = []
    offered = scan.offered()
    for name, letter in (("SSLv2", "F"), ("SSLv3", "C"), ("TLSv1", "B"), ("TLSv1.1", "B")):
        if name in offered:
            caps.append((letter, f"ofrece {name}"))
    suites = [s for name in offered for s in scan.protocols[name]]
    if suites and not any(s.forward_secret for s in suites):
        caps.append(("B", "ningún cifrado con secreto perfecto hacia adelante"))
    if scan.chain:
        trust = certificate_trust(scan, custom_ca=custom_ca, now=now)
        if not trust["confiable"] or trust["caducado"]:
            caps.append(("T", "certificado no confiable o caducado"))
        if not trust["nombre_coincide"]:
            caps.append(("M", f"el certificado no corresponde a {scan.host}"))
    letters = {cap for cap, _ in caps}
    special = next((x for x in ("T", "M") if x in letters), None)
    grades = [c for c in letters if c in _LETTER_ORDER]
    worst = max(grades, key=_LETTER_ORDER.index) if grades else None
    return {"tope": special or worst, "motivos": [f"{c}: {why}" for c, why in caps]}


def _base_evidence(scan: TlsScan, custom_ca: bool, now: datetime | None) -> dict[str, object]:
    return {
        "escaneo": scan.summary(),
        "protocolos_ofrecidos": scan.offered(),
        "tope_ssl_labs": grade_caps(scan, custom_ca=custom_ca, now=now),
    }


def _unscanned(check: str, scan: TlsScan) -> CheckResult:
    return error(
        check,
        f"No se pudo verificar: no hubo sesión TLS con {scan.host}:{scan.port} ({scan.error})",
        escaneo=scan.summary(),
        tipo_de_falla=scan.error_kind,
    )


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
    evidence = _base_evidence(scan, custom_ca, None)
    evidence.update(negociado=scan.negotiated, resultado="tls-handshake-ok")
    version = scan.negotiated.get("version", "?")
    return outcome(check, True, f"El saludo TLS se completa en {where} ({version})", **evidence)


# -- certificates ---------------------------------------------------------------------------


def hostname_matches(host: str, names: tuple[str, ...]) -> bool:
    """RFC 6125 matching of ``host`` against SAN entries (one left-most wildcard label)."""
    wanted = host.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(wanted)
    except ValueError:
        address = None
    for name in names:
        candidate = name.lower().rstrip(".")
        if address is not None:
            try:
                if ipaddress.ip_address(candidate) == address:
                    return True
            except ValueError:
                continue
        elif candidate == wanted or _wildcard_match(candidate, wanted):
            return True
    return False


def _wildcard_match(pattern: str, host: str) -> bool:
    if not pattern.startswith("*."):
        return False
    head, _, rest = host.partition(".")
    return bool(head) and rest == pattern[2:] and rest.count(".") >= 1


def _relevant_trust(scan: TlsScan, custom_ca: bool) -> list[TrustResult]:
    """The rehearsal CA's result when configured, else the Mozilla store (the system's source)."""
    if custom_ca:
        return [t for t in scan.trust if t.custom]
    return [t for t in scan.trust if t.store.startswith("Mozilla")] or list(scan.trust)


def certificate_trust(
    scan: TlsScan, *, custom_ca: bool, now: datetime | None = None
) -> dict[str, object]:
    """Trust, expiry and name facts about the leaf (used by checks and grade caps)."""
    now = now or datetime.now(UTC)
    leaf = scan.chain[0]
    relevant = _relevant_trust(scan, custom_ca)
    names_ok = hostname_matches(scan.host, leaf.names)
    # The verifier checks the name too: a failure only about the name still means a trusted chain.
    trusted = any(t.ok or (_NAME_MISMATCH_MARKER in (t.error or "")) for t in relevant)
    return {
        "confiable": trusted,
        "caducado": datetime.fromisoformat(leaf.not_after) < now,
        "aun_no_vigente": datetime.fromisoformat(leaf.not_before) > now,
        "nombre_coincide": names_ok,
        "almacenes": [
            {"almacen": t.store, "valida": t.ok, "error": (t.error or "")[:200]} for t in relevant
        ],
    }


def _chain_evidence(chain: tuple[CertInfo, ...]) -> list[dict[str, object]]:
    return [
        {
            "sujeto": c.subject,
            "emisor": c.issuer,
            "vigente_desde": c.not_before,
            "vence": c.not_after,
            "nombres": list(c.names),
            "llave": c.key,
        }
        for c in chain
    ]


def evaluate_certificate_valid(
    scan: TlsScan, *, custom_ca: bool, now: datetime | None = None
) -> CheckResult:
    """``tls.certificate-valid``: the chain validates and the leaf names the site.

    Trust anchor: the difusor's rehearsal CA when configured (``ca_file``), else the Mozilla
    root store bundled with sslyze (the source of Debian's ca-certificates).
    Outcomes and fixes: ``certificate-ok`` (pass); ``certificate-expired`` /
    ``certificate-not-yet-valid`` (fail: renew or fix the dates); ``certificate-untrusted``
    (fail, cap T: install a chain issued by a trusted CA, intermediates included);
    ``certificate-name-mismatch`` (fail, cap M: issue the certificate for the site's name);
    no TLS session or no certificate read → error.
    """
    check = "tls.certificate-valid"
    if not scan.ok:
        return _unscanned(check, scan)
    if not scan.chain:
        reason = scan.command_errors.get("certificate_info", "sin certificado")
        return error(check, f"No se pudo leer el certificado: {reason}", escaneo=scan.summary())
    facts = certificate_trust(scan, custom_ca=custom_ca, now=now)
    evidence = _base_evidence(scan, custom_ca, now)
    evidence.update(cadena=_chain_evidence(scan.chain), validacion=facts)
    leaf = scan.chain[0]
    problems: list[tuple[str, str]] = []
    if facts["caducado"]:
        problems.append(("certificate-expired", f"el certificado venció el {leaf.not_after}"))
    if facts["aun_no_vigente"]:
        problems.append(("certificate-not-yet-valid", f"vigente apenas desde {leaf.not_before}"))
    if not facts["confiable"]:
        anchor = "la CA de ensayo configurada" if custom_ca else "el almacén de confianza"
        problems.append(
            ("certificate-untrusted", f"la cadena no valida contra {anchor} (emisor {leaf.issuer})")
        )
    if not facts["nombre_coincide"]:
        names = ", ".join(leaf.names) or leaf.subject
        problems.append(
            ("certificate-name-mismatch", f"el certificado es para {names}, no {scan.host}")
        )
    if problems:
        evidence["resultado"] = [code for code, _ in problems]
        return outcome(
            check, False, "Certificado inválido: " + "; ".join(t for _, t in problems), **evidence
        )
    evidence["resultado"] = "certificate-ok"
    return outcome(check, True, f"Certificado de confianza para {scan.host}", **evidence)


def evaluate_certificate_lifetime(
    scan: TlsScan,
    *,
    window_end: datetime,
    margin_days: int,
    custom_ca: bool,
    now: datetime | None = None,
) -> CheckResult:
    """``tls.certificate-lifetime``: the leaf is valid through window end plus the margin.

    Outcomes and fixes: ``lifetime-ok`` (pass); ``lifetime-too-short`` (fail: renew the
    certificate so that it covers the whole publication window plus the margin; say when it
    ends and by how many days it falls short); no TLS session or certificate → error.
    """
    check = "tls.certificate-lifetime"
    if not scan.ok:
        return _unscanned(check, scan)
    if not scan.chain:
        return error(check, "No se pudo leer el certificado", escaneo=scan.summary())
    leaf = scan.chain[0]
    expires = datetime.fromisoformat(leaf.not_after)
    needed = window_end + timedelta(days=margin_days)
    evidence = _base_evidence(scan, custom_ca, now)
    evidence.update(
        vence=leaf.not_after,
        fin_de_ventana=window_end.isoformat(),
        margen_dias=margin_days,
        debe_vencer_despues_de=needed.isoformat(),
    )
    if expires < needed:
        short = needed - expires
        evidence["resultado"] = "lifetime-too-short"
        days = short.days + (1 if short.seconds else 0)
        return outcome(
            check,
            False,
            f"El certificado vence el {expires:%d/%m/%Y %H:%M} UTC, {days} día(s) antes del fin "
            f"de la publicación más {margin_days} día(s) de margen ({needed:%d/%m/%Y %H:%M})",
            **evidence,
        )
    evidence["resultado"] = "lifetime-ok"
    return outcome(
        check,
        True,
        f"El certificado vence el {expires:%d/%m/%Y} UTC, después del fin de la publicación "
        f"más {margin_days} día(s)",
        **evidence,
    )


# -- protocols and suites ------------------------------------------------------------------


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
        return _unscanned(check, scan)
    evidence = _base_evidence(scan, custom_ca, None)
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
        return _unscanned(check, scan)
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
        return _unscanned(check, scan)
    untested = _untested(scan, PROTOCOL_NAMES)
    evidence = _base_evidence(scan, custom_ca, None)
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


# -- vulnerabilities and OCSP --------------------------------------------------------------

_VULN_LABELS = {
    "heartbleed": "Heartbleed",
    "ccs_injection": "inyección CCS (CVE-2014-0224)",
    "robot": "ROBOT",
    "secure_renegotiation": "renegociación insegura",
    "compression": "compresión TLS (CRIME)",
}


def _is_vulnerable(name: str, value: object) -> bool:
    if name == "robot":
        return value in _VULNERABLE_ROBOT
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
        return _unscanned(check, scan)
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
        return _unscanned(check, scan)
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
        "robot": found.get("robot") in _VULNERABLE_ROBOT,
        "insecure_renegotiation": found.get("secure_renegotiation") is False,
        "compression": found.get("compression") is True,
    }
