"""Evaluators for the main.json caching checks: ``headers.main-json-cache-control`` (what the
header says) and ``headers.main-json-not-cached`` (what intermediaries actually do).

Contract: pure functions from snapshots to CheckResults; an unreachable main.json or a
non-200 answer is an error result, never a pass.
"""

from __future__ import annotations

import hashlib

from prepcheck.checks.headers.cache_control import evaluate_main_json_policy
from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.http import HttpSnapshot, LabelledSnapshot
from prepcheck.snapshots.observer import Observer

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


# -- headers.main-json-not-cached ---------------------------------------------------------------

# Headers through which caches and CDNs say whether they served a stored copy.
_CACHE_STATUS_HEADERS = (
    "x-cache",
    "x-cache-status",
    "x-proxy-cache",
    "x-cache-lookup",
    "cf-cache-status",
    "x-vercel-cache",
    "x-nginx-cache",
    "x-litespeed-cache",
    "x-drupal-cache",
    "akamai-cache-status",
    "cdn-cache",
)
_STALE_TOKENS = ("HIT", "STALE", "UPDATING")
_CDN_HINT_HEADERS = (
    "x-served-by",
    "via",
    "x-varnish",
    "cf-ray",
    "x-amz-cf-id",
    "x-fastly-request-id",
)


def cache_markers(snapshot: HttpSnapshot) -> list[str]:
    """Signs that a cache served this response: ``Age > 0``, HIT/STALE statuses, Varnish hits."""
    found: list[str] = []
    age = snapshot.header("age")
    if age is not None:
        first = age.split(",")[0].strip()
        if not first.isdigit() or int(first) > 0:
            found.append(f"Age: {age}")
    for name in _CACHE_STATUS_HEADERS:
        value = snapshot.header(name)
        if value and any(token in value.upper() for token in _STALE_TOKENS):
            found.append(f"{name}: {value}")
    varnish = snapshot.header("x-varnish")
    if varnish and len(varnish.replace(",", " ").split()) >= 2:
        found.append(f"x-varnish: {varnish} (acierto de Varnish)")
    return found


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:16]


def _observation(item: LabelledSnapshot) -> dict[str, object]:
    snap = item.snapshot
    return {
        "solicitud": item.label,
        "status": snap.status,
        "error": snap.error,
        "age": snap.header("age"),
        "marcas": cache_markers(snap),
        "etag": snap.header("etag"),
        "last_modified": snap.header("last-modified"),
        "sha256": _digest(snap.body) if snap.ok else None,
        "intermediarios": {h: snap.header(h) for h in _CDN_HINT_HEADERS if snap.header(h)},
        **({"detalle_tecnico": snap.error_detail} if snap.error_detail else {}),
    }


def _stale_plain_copies(sequence: list[LabelledSnapshot]) -> list[str]:
    """Plain responses whose body or validators match no cache-busted response."""
    busted = [item.snapshot for item in sequence if item.kind == "busted"]
    fresh_bodies = {_digest(s.body) for s in busted}
    fresh_validators = {(s.header("etag"), s.header("last-modified")) for s in busted}
    stale: list[str] = []
    for item in sequence:
        if item.kind == "busted":
            continue
        snap = item.snapshot
        if _digest(snap.body) not in fresh_bodies:
            stale.append(f"{item.label}: contenido distinto al de la copia sin caché")
        elif (snap.header("etag"), snap.header("last-modified")) not in fresh_validators:
            stale.append(f"{item.label}: ETag/Last-Modified distintos a los de la copia sin caché")
    return stale


def evaluate_main_json_not_cached(sequence: list[LabelledSnapshot]) -> CheckResult:
    """``headers.main-json-not-cached``: no intermediary serves a stored copy of main.json.

    Reads the sequence of ``probes.cache_probe`` (plain, cache-busted and revalidating requests).
    Outcomes and fixes: ``not-cached`` (pass); ``cached-copy`` (fail: a response shows
    ``Age > 0`` or a HIT/STALE cache status, or a plain request got a body or validators that
    no cache-busted request got; fix: exclude json/main.json from every CDN, reverse proxy and
    load-balancer cache, or make it honour ``Cache-Control``); a request that failed or did not
    answer 200 → error.
    """
    check = "headers.main-json-not-cached"
    evidence: dict[str, object] = {"solicitudes": [_observation(item) for item in sequence]}
    broken = [item for item in sequence if not item.snapshot.ok or item.snapshot.status != 200]
    if broken:
        first = broken[0].snapshot
        reason = first.error or f"HTTP {first.status}"
        return error(
            check, f"No se pudo consultar main.json ({broken[0].label}): {reason}", **evidence
        )
    markers = [
        f"{item.label}: {marker}" for item in sequence for marker in cache_markers(item.snapshot)
    ]
    stale = _stale_plain_copies(sequence)
    if markers or stale:
        evidence.update(resultado="cached-copy", marcas=markers, copias_viejas=stale)
        return outcome(
            check,
            False,
            "Un intermediario sirve main.json desde caché: " + "; ".join((markers + stale)[:4]),
            **evidence,
        )
    evidence["resultado"] = "not-cached"
    return outcome(
        check,
        True,
        f"{len(sequence)} solicitudes de main.json sin Age, sin aciertos de caché y con el mismo "
        "contenido que las solicitudes que evitan la caché",
        **evidence,
    )


@check("headers.main-json-cache-control")
def main_json_cache_control(seen: Observer) -> CheckResult:
    return evaluate_main_json_cache_control(seen.get(seen.main_json_url))


@check("headers.main-json-not-cached")
def main_json_not_cached(seen: Observer) -> CheckResult:
    return evaluate_main_json_not_cached(seen.main_json_caching())
