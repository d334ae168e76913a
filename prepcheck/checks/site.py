"""Evaluators for the site.* checks: pure functions from snapshots to CheckResults."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from prepcheck.probes.http import HttpSnapshot
from prepcheck.results import CheckResult, error, outcome

_LOGIN_STATUSES = {
    401: "requiere autenticación",
    402: "requiere pago",
    403: "acceso prohibido",
    407: "requiere autenticación de proxy",
}


def _chain_evidence(chain: list[HttpSnapshot]) -> dict[str, object]:
    return {"saltos": [hop.summary() for hop in chain]}


def evaluate_reachable(chain: list[HttpSnapshot]) -> CheckResult:
    """``site.reachable``: the base URL ends, after redirects, in a 200 over HTTPS on the same site.

    Outcomes: unreachable (error: connection/TLS/timeout), login-or-paywall (401/402/403/407 or
    a redirect to another host), not-https, bad-status, ok.
    """
    check = "site.reachable"
    last = chain[-1]
    evidence = _chain_evidence(chain)
    if not last.ok:
        return error(check, f"No se pudo consultar {last.url}: {last.error}", **evidence)
    start_host = urlsplit(chain[0].url).hostname
    final = urlsplit(last.url)
    if last.status in _LOGIN_STATUSES:
        return outcome(
            check,
            False,
            f"{last.url} {_LOGIN_STATUSES[last.status]} "
            f"(HTTP {last.status}); los resultados deben ser públicos y gratuitos",
            **evidence,
        )
    if final.hostname != start_host:
        return outcome(
            check,
            False,
            f"El sitio redirige a otro dominio ({final.hostname}); posible registro o muro de pago",
            **evidence,
        )
    if final.scheme != "https":
        return outcome(check, False, f"El sitio termina en {last.url} sin HTTPS", **evidence)
    if last.status != 200:
        return outcome(
            check, False, f"{last.url} respondió HTTP {last.status}, se esperaba 200", **evidence
        )
    return outcome(check, True, f"{last.url} responde 200 por HTTPS", **evidence)


def evaluate_public_folder(
    snapshot: HttpSnapshot, expected_index: bytes, folder: str
) -> CheckResult:
    """``site.public-folder``: the election folder URL serves the package's ``index.html``."""
    check = "site.public-folder"
    evidence: dict[str, object] = {"solicitud": snapshot.summary(), "carpeta": folder}
    if not snapshot.ok:
        return error(
            check, f"No se pudo consultar la carpeta {folder}: {snapshot.error}", **evidence
        )
    if snapshot.status != 200:
        return outcome(
            check, False, f"La carpeta {folder}/ respondió HTTP {snapshot.status}", **evidence
        )
    expected = hashlib.sha256(expected_index).hexdigest()
    found = hashlib.sha256(snapshot.body).hexdigest()
    evidence.update(
        sha256_esperado=expected,
        sha256_servido=found,
        bytes_esperados=len(expected_index),
        bytes_servidos=len(snapshot.body),
    )
    if found != expected:
        return outcome(
            check,
            False,
            f"La carpeta {folder}/ no sirve el index.html del paquete oficial (contenido distinto)",
            **evidence,
        )
    return outcome(
        check, True, f"La carpeta {folder}/ es pública y sirve el index.html oficial", **evidence
    )
