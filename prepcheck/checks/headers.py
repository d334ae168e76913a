"""Evaluators for the headers.* checks: pure functions from snapshots to CheckResults."""

from __future__ import annotations

from prepcheck.checks.cache_control import evaluate_main_json_policy
from prepcheck.probes.http import HttpSnapshot
from prepcheck.results import CheckResult, error, outcome

_CACHE_MESSAGES = {
    "cache-control-ok": "main.json prohíbe el almacenamiento en caché ({value})",
    "cache-control-missing": "main.json se sirve sin encabezado Cache-Control",
    "cache-control-malformed": "Cache-Control de main.json mal formado: {value}",
    "cache-control-directives-missing": (
        "Cache-Control de main.json ({value}) no incluye: {missing}"
    ),
    "cache-control-contradiction": "Cache-Control de main.json ({value}) permite caché: {contra}",
}


def evaluate_main_json_cache_control(snapshot: HttpSnapshot) -> CheckResult:
    """``headers.main-json-cache-control``: no-cache, no-store, must-revalidate; nothing allowing.

    Outcomes (see ``cache_control.evaluate_main_json_policy``) and fixes:
    missing → add the header; directives-missing → add the missing directives;
    contradiction → remove ``max-age>0``/``public``/``immutable``/``s-maxage``/``stale-*``;
    malformed → write the header as a plain comma-separated list. Unreachable → ``error``.
    """
    check = "headers.main-json-cache-control"
    evidence: dict[str, object] = {"solicitud": snapshot.summary()}
    if not snapshot.ok:
        return error(check, f"No se pudo consultar main.json: {snapshot.error}", **evidence)
    if snapshot.status != 200:
        return error(
            check,
            f"main.json respondió HTTP {snapshot.status}; no se puede revisar su encabezado",
            **evidence,
        )
    value = snapshot.header("cache-control")
    verdict = evaluate_main_json_policy(value)
    evidence.update(
        cache_control=value,
        resultado=verdict.outcome,
        faltan=list(verdict.missing),
        contradicen=list(verdict.contradicting),
    )
    message = _CACHE_MESSAGES[verdict.outcome].format(
        value=value, missing=", ".join(verdict.missing), contra=", ".join(verdict.contradicting)
    )
    return outcome(check, verdict.passed, message, **evidence)
