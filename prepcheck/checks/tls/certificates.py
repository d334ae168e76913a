"""Evaluators for ``tls.certificate-valid`` and ``tls.certificate-lifetime``.

Contract: pure functions from a ``TlsScan`` to a CheckResult; no TLS session or no
certificate read is an error result; evidence includes the chain, the trust facts and the
grade cap.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prepcheck.checks.registry import check
from prepcheck.checks.tls.grade import base_evidence, unscanned
from prepcheck.checks.tls.trust import certificate_trust
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.tls import CertInfo, TlsScan
from prepcheck.spanish import zone_text


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
        return unscanned(check, scan)
    if not scan.chain:
        reason = scan.command_errors.get("certificate_info", "sin certificado")
        return error(check, f"No se pudo leer el certificado: {reason}", escaneo=scan.summary())
    facts = certificate_trust(scan, custom_ca=custom_ca, now=now)
    evidence = base_evidence(scan, custom_ca, now)
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
        return unscanned(check, scan)
    if not scan.chain:
        return error(check, "No se pudo leer el certificado", escaneo=scan.summary())
    leaf = scan.chain[0]
    expires = datetime.fromisoformat(leaf.not_after)
    needed = window_end + timedelta(days=margin_days)
    evidence = base_evidence(scan, custom_ca, now)
    evidence.update(
        vence=leaf.not_after,
        fin_de_ventana=window_end.isoformat(),
        margen_dias=margin_days,
        debe_vencer_despues_de=needed.isoformat(),
    )
    local = expires.astimezone(window_end.tzinfo)  # the election's time, like every moment shown
    zone = zone_text(window_end.tzinfo, expires)
    if expires < needed:
        short = needed - expires
        evidence["resultado"] = "lifetime-too-short"
        days = short.days + (1 if short.seconds else 0)
        return outcome(
            check,
            False,
            f"El certificado vence el {local:%d/%m/%Y %H:%M} ({zone}), {days} día(s) antes del "
            f"fin de la publicación más {margin_days} día(s) de margen "
            f"({needed.astimezone(window_end.tzinfo):%d/%m/%Y %H:%M})",
            **evidence,
        )
    evidence["resultado"] = "lifetime-ok"
    return outcome(
        check,
        True,
        f"El certificado vence el {local:%d/%m/%Y} ({zone}), después del fin de la publicación "
        f"más {margin_days} día(s)",
        **evidence,
    )


@check("tls.certificate-valid")
def tls_certificate_valid(seen: Observer) -> CheckResult:
    return evaluate_certificate_valid(seen.tls_scan(), custom_ca=seen.difusor.ca_file is not None)


@check("tls.certificate-lifetime")
def tls_certificate_lifetime(seen: Observer) -> CheckResult:
    election = seen.election
    return evaluate_certificate_lifetime(
        seen.tls_scan(),
        window_end=election.localize(election.window_end),
        margin_days=election.certificate_margin_days,
        custom_ca=seen.difusor.ca_file is not None,
    )
