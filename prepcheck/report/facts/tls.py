"""Facts of the tls.* records: protocols offered, the chain, vulnerabilities, the profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report.blocks import (
    Block,
    Cell,
    bad,
    code,
    good,
    items,
    judged,
    pairs,
    present,
    table,
)
from prepcheck.report.facts.common import Context, generic, mapping, rows, texts
from prepcheck.snapshots.tls import version_text

#: Every protocol a scan tries, and whether a difusor may offer it.
PROTOCOLS = (
    ("SSLv2", False),
    ("SSLv3", False),
    ("TLSv1", False),
    ("TLSv1.1", False),
    ("TLSv1.2", True),
    ("TLSv1.3", True),
)
#: sslyze's ROBOT verdicts, as a reader says them.
ROBOT_ES = {
    "NOT_VULNERABLE_NO_ORACLE": "no vulnerable",
    "NOT_VULNERABLE_RSA_NOT_SUPPORTED": "no vulnerable (no ofrece intercambio de llaves RSA)",
    "VULNERABLE_WEAK_ORACLE": "vulnerable (oráculo débil)",
    "VULNERABLE_STRONG_ORACLE": "vulnerable (oráculo fuerte)",
    "UNKNOWN_INCONSISTENT_RESULTS": "no concluyente (respuestas inconsistentes)",
}
VULNERABILITIES = (
    ("heartbleed", "Heartbleed"),
    ("ccs_injection", "Inyección CCS (CVE-2014-0224)"),
    ("robot", "ROBOT"),
    ("secure_renegotiation", "Renegociación segura"),
    ("compression", "Compresión TLS (CRIME)"),
)


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    blocks = _scan(evidence)
    if check in ("tls.protocols", "tls.enabled"):
        blocks += _protocols(evidence)
    if check == "tls.enabled":
        negotiated = mapping(evidence.get("negociado"))
        blocks += present(pairs(_negotiated(negotiated), "Sesión negociada"))
    elif check == "tls.certificate-valid":
        blocks += _certificate(evidence, ctx)
    elif check == "tls.certificate-lifetime":
        blocks += present(
            pairs(
                [
                    ("El certificado vence", ctx.moment(evidence.get("vence"))),
                    ("Fin de la publicación", ctx.moment(evidence.get("fin_de_ventana"))),
                    ("Margen exigido (días)", evidence.get("margen_dias")),
                    ("Debe vencer después de", ctx.moment(evidence.get("debe_vencer_despues_de"))),
                ]
            )
        )
    elif check == "tls.tls13":
        suites = texts(evidence.get("cifrados_tls13"))
        blocks += present(items((code(s) for s in suites), "Cifrados TLS 1.3 ofrecidos"))
    elif check == "tls.ciphers":
        blocks += _ciphers(evidence)
    elif check == "tls.vulnerabilities":
        blocks += _vulnerabilities(evidence)
    elif check not in ("tls.protocols", "tls.ocsp-stapling"):
        return generic(evidence)
    errors = mapping(evidence.get("errores"))
    blocks += present(
        pairs(((k, v) for k, v in errors.items()), "Pruebas que no se pudieron hacer")
    )
    return blocks


def _scan(evidence: Mapping[str, Any]) -> list[Block]:
    scan = mapping(evidence.get("escaneo"))
    if not scan:
        return []
    return present(
        pairs(
            [
                ("Servidor", code(scan.get("servidor"))),
                ("IP", code(scan.get("ip")) if scan.get("ip") else None),
                ("Falla", bad(scan["error"]) if scan.get("error") else None),
                ("Tipo de falla", evidence.get("tipo_de_falla")),
            ]
        )
    )


def _negotiated(negotiated: Mapping[str, Any]) -> list[tuple[str, Cell]]:
    """The session the scan negotiated, labelled in Spanish (``TLS_1_3`` read as TLS 1.3)."""
    shown: list[tuple[str, Cell]] = []
    if version := negotiated.get("version"):
        shown.append(("Versión de TLS", code(version_text(version))))
    if cipher := negotiated.get("cipher"):
        shown.append(("Suite de cifrado", code(cipher)))
    return shown


def _protocols(evidence: Mapping[str, Any]) -> list[Block]:
    offered = set(texts(evidence.get("protocolos_ofrecidos")))
    if "protocolos_ofrecidos" not in evidence:
        return []
    counted = "cifrados_por_protocolo" in evidence  # only records that enumerated the suites
    suites = mapping(evidence.get("cifrados_por_protocolo"))

    def row(name: str, allowed: bool) -> list[Cell]:
        shown: list[Cell] = [
            name,
            judged("sí" if name in offered else "no", (name in offered) <= allowed),
            "sí" if allowed else "no",
        ]
        if counted:
            shown.append(str(len(texts(suites.get(name)))) if name in offered else "—")
        return shown

    columns = ["Protocolo", "¿Lo ofrece?", "Se permite"] + ["Cifrados ofrecidos"] * counted
    return present(table(columns, (row(*protocol) for protocol in PROTOCOLS), "Protocolos"))


def _certificate(evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    facts = mapping(evidence.get("validacion"))
    checks = [
        ("Cadena de confianza válida", facts.get("confiable"), True),
        ("El nombre del sitio coincide", facts.get("nombre_coincide"), True),
        ("Caducado", facts.get("caducado"), False),
        ("Aún no vigente", facts.get("aun_no_vigente"), False),
    ]
    return present(
        pairs(
            (name, judged("sí" if value else "no", bool(value) == wanted))
            for name, value, wanted in checks
            if value is not None
        ),
        table(
            ("Certificado", "Emitido por", "Vigente desde", "Vence", "Nombres"),
            (
                (
                    code(c.get("sujeto")),
                    code(c.get("emisor")),
                    ctx.moment(c.get("vigente_desde")),
                    ctx.moment(c.get("vence")),
                    ", ".join(texts(c.get("nombres"))) or "—",
                )
                for c in rows(evidence.get("cadena"))
            ),
            "Cadena presentada (primero el del sitio)",
        ),
    )


def _ciphers(evidence: Mapping[str, Any]) -> list[Block]:
    outside = texts(evidence.get("fuera_del_perfil"))
    groups = texts(evidence.get("grupos_fuera_del_perfil"))
    no_pfs = texts(evidence.get("sin_pfs"))
    suites = mapping(evidence.get("cifrados_por_protocolo"))
    return present(
        pairs(
            [
                ("Perfil", evidence.get("perfil")),
                (
                    "Cifrados fuera del perfil",
                    bad(", ".join(outside)) if outside else good("ninguno"),
                ),
                ("Grupos fuera del perfil", bad(", ".join(groups)) if groups else good("ninguno")),
                ("Sin secreto perfecto hacia adelante", bad(", ".join(no_pfs)) if no_pfs else None),
            ]
        ),
        table(
            ("Protocolo", "Cifrados ofrecidos"),
            ((name, code(", ".join(texts(listed)))) for name, listed in suites.items()),
        ),
    )


def _vulnerabilities(evidence: Mapping[str, Any]) -> list[Block]:
    found = mapping(evidence.get("hallazgos"))
    rows_: list[tuple[str, Cell]] = []
    for key, name in VULNERABILITIES:
        if key not in found:
            rows_.append((name, "no se pudo probar"))
            continue
        value = found[key]
        if key == "secure_renegotiation":
            rows_.append((name, judged("sí" if value else "no", bool(value))))
        elif key == "robot":
            vulnerable = str(value).startswith("VULNERABLE")
            rows_.append((name, judged(ROBOT_ES.get(str(value), str(value)), not vulnerable)))
        else:
            rows_.append((name, judged("vulnerable" if value else "no vulnerable", not value)))
    return present(table(("Prueba", "Resultado"), rows_))
