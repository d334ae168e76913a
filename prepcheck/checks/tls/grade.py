"""The SSL-Labs-style grade cap and the evidence every tls.* result shares.

Contract: :func:`grade_caps` returns ``{"tope": letter or None, "letra": letter,
"motivos": [...]}`` with TLS 1.0/1.1 → B, SSLv3 → C, SSLv2 → F, no forward secrecy → B,
untrusted or expired certificate → T, name mismatch → M (T and M take precedence over
letters, else the worst letter). ``letra`` is the grade the report shows: the cap, or ``A``
when nothing caps it (prepcheck does not score key and cipher strength, so ``A`` is the best
it gives; never ``A+``). :func:`base_evidence` carries the scan summary, the offered
protocols and the cap; :func:`unscanned` is the error result when no TLS session was
established.
"""

from __future__ import annotations

from datetime import datetime

from prepcheck.checks.tls.trust import certificate_trust
from prepcheck.results import CheckResult, error
from prepcheck.snapshots.tls import TlsScan

_LETTER_ORDER = "ABCF"


def grade_caps(scan: TlsScan, *, custom_ca: bool, now: datetime | None = None) -> dict[str, object]:
    """The SSL-Labs-style caps that apply: ``{"tope", "letra", "motivos"}`` (see above)."""
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
    cap = special or worst
    return {"tope": cap, "letra": cap or "A", "motivos": [f"{c}: {why}" for c, why in caps]}


def base_evidence(scan: TlsScan, custom_ca: bool, now: datetime | None) -> dict[str, object]:
    """Evidence every tls.* result carries: scan summary, offered protocols, the grade cap."""
    return {
        "escaneo": scan.summary(),
        "protocolos_ofrecidos": scan.offered(),
        "tope_ssl_labs": grade_caps(scan, custom_ca=custom_ca, now=now),
    }


def unscanned(check: str, scan: TlsScan) -> CheckResult:
    """The error result of ``check`` when no TLS session was established."""
    return error(
        check,
        f"No se pudo verificar: no hubo sesión TLS con {scan.host}:{scan.port} ({scan.error})",
        escaneo=scan.summary(),
        tipo_de_falla=scan.error_kind,
    )
