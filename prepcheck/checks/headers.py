"""Evaluators for the headers.* checks: pure functions from snapshots to CheckResults."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from prepcheck.checks.cache_control import evaluate_main_json_policy
from prepcheck.probes.cache_probe import LabelledSnapshot
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


# -- headers.main-json-content-type -------------------------------------------------------------


def media_type(value: str | None) -> str | None:
    """The media type of a Content-Type value, lower-cased, without parameters."""
    if value is None:
        return None
    return value.split(",")[0].split(";")[0].strip().lower() or None


def evaluate_main_json_content_type(snapshot: HttpSnapshot) -> CheckResult:
    """``headers.main-json-content-type``: main.json is served as ``application/json``.

    Outcomes: ``content-type-ok`` (pass; a charset parameter is fine); ``content-type-wrong``
    or ``content-type-missing`` (warn; fix: map ``.json`` to ``application/json`` in the
    server's MIME types); request failed → error.
    """
    check = "headers.main-json-content-type"
    evidence: dict[str, object] = {"solicitud": snapshot.summary()}
    if not snapshot.ok or snapshot.status != 200:
        reason = snapshot.error or f"HTTP {snapshot.status}"
        return error(check, f"No se pudo consultar main.json: {reason}", **evidence)
    value = snapshot.header("content-type")
    evidence["content_type"] = value
    if value is None:
        return outcome(
            check,
            False,
            "main.json se sirve sin Content-Type",
            resultado="content-type-missing",
            **evidence,
        )
    if media_type(value) != "application/json":
        return outcome(
            check,
            False,
            f"main.json se sirve como {value}, no application/json",
            resultado="content-type-wrong",
            **evidence,
        )
    return outcome(
        check, True, f"main.json se sirve como {value}", resultado="content-type-ok", **evidence
    )


# -- headers.hsts -------------------------------------------------------------------------------

#: Six months, as the HTTP Observatory counts them (182.5 days).
HSTS_MIN_AGE = 15_768_000


def parse_hsts(value: str) -> tuple[int | None, list[str]]:
    """``(max-age, problems)`` of one Strict-Transport-Security value (RFC 6797 §6.1)."""
    problems: list[str] = []
    seen: set[str] = set()
    max_age: int | None = None
    for part in value.split(";"):
        name, sep, raw = part.strip().partition("=")
        name = name.strip().lower()
        if not name:
            continue
        if name in seen:
            problems.append(f"directiva repetida: {name}")
        seen.add(name)
        if name == "max-age":
            number = raw.strip().strip('"')
            if not sep or not number.isdigit():
                problems.append(f"max-age inválido: {raw.strip()!r}")
            else:
                max_age = int(number)
    if max_age is None and not any(p.startswith("max-age") for p in problems):
        problems.append("falta max-age")
    return max_age, problems


def evaluate_hsts(snapshot: HttpSnapshot) -> CheckResult:
    """``headers.hsts``: Strict-Transport-Security with max-age of six months or more.

    Outcomes (Observatory names) and fixes: ``hsts-implemented-max-age-at-least-six-months``
    (pass); ``hsts-not-implemented`` (warn: add ``Strict-Transport-Security:
    max-age=31536000``); ``hsts-header-invalid`` (warn: write one header with one numeric
    max-age); ``hsts-implemented-max-age-less-than-six-months`` (warn: raise max-age to
    31536000); request failed → error. Only the first header counts (RFC 6797 §8.1).
    """
    check = "headers.hsts"
    evidence: dict[str, object] = {"solicitud": snapshot.summary()}
    if not snapshot.ok:
        return error(check, f"No se pudo consultar {snapshot.url}: {snapshot.error}", **evidence)
    values = snapshot.header_values("strict-transport-security")
    evidence["strict_transport_security"] = values
    if not values:
        return outcome(
            check,
            False,
            "Sin encabezado Strict-Transport-Security",
            resultado="hsts-not-implemented",
            **evidence,
        )
    max_age, problems = parse_hsts(values[0])
    evidence.update(max_age=max_age, problemas=problems, minimo=HSTS_MIN_AGE)
    if problems:
        return outcome(
            check,
            False,
            f"Strict-Transport-Security inválido: {'; '.join(problems)}",
            resultado="hsts-header-invalid",
            **evidence,
        )
    if max_age is None or max_age < HSTS_MIN_AGE:
        return outcome(
            check,
            False,
            f"HSTS con max-age={max_age}, menos de 6 meses",
            resultado="hsts-implemented-max-age-less-than-six-months",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"HSTS con max-age={max_age}",
        resultado="hsts-implemented-max-age-at-least-six-months",
        **evidence,
    )


# -- headers.security ---------------------------------------------------------------------------


def frame_ancestors(snapshot: HttpSnapshot) -> list[str] | None:
    """The sources of the first CSP ``frame-ancestors`` directive, or None when absent."""
    for policy in snapshot.header_values("content-security-policy"):
        for directive in policy.split(";"):
            tokens = directive.split()
            if tokens and tokens[0].lower() == "frame-ancestors":
                return tokens[1:]
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _source_allows(source: str, embedder: str, site: str) -> bool:
    token = source.strip().lower()
    if token == "'self'":
        return _origin(embedder) == _origin(site)
    if token == "*":
        return True
    if token.endswith(":") and "/" not in token:
        return urlsplit(embedder).scheme + ":" == token
    wanted = urlsplit(embedder)
    candidate = urlsplit(token if "://" in token else f"{wanted.scheme}://{token}")
    host = candidate.hostname or ""
    host_ok = host == wanted.hostname or (
        host.startswith("*.") and (wanted.hostname or "").endswith(host[1:])
    )
    port_ok = candidate.port is None or candidate.port == wanted.port
    return host_ok and port_ok and candidate.scheme in (wanted.scheme, "")


def framing_verdict(snapshot: HttpSnapshot, embedder: str, site: str) -> tuple[bool, str]:
    """Whether the framing policy exists and lets ``embedder`` (the difusor's portal) frame it."""
    sources = frame_ancestors(snapshot)
    if sources is not None:
        lowered = [s.lower() for s in sources]
        if not sources or lowered == ["'none'"]:
            return False, "frame-ancestors 'none' impide también el embebido propio"
        if "*" in lowered:
            return False, "frame-ancestors * permite que cualquier sitio enmarque las páginas"
        if not any(_source_allows(s, embedder, site) for s in sources):
            return False, f"frame-ancestors {' '.join(sources)} no permite {_origin(embedder)}"
        return True, f"frame-ancestors {' '.join(sources)}"
    xfo = (snapshot.header("x-frame-options") or "").strip().upper()
    if not xfo:
        return False, "sin política de marcos (ni frame-ancestors ni X-Frame-Options)"
    if xfo == "SAMEORIGIN" and _origin(embedder) == _origin(site):
        return True, "X-Frame-Options: SAMEORIGIN"
    if xfo == "SAMEORIGIN":
        return False, f"X-Frame-Options: SAMEORIGIN impide el embebido desde {_origin(embedder)}"
    return False, f"X-Frame-Options: {xfo} impide el embebido propio"


def evaluate_security(
    snapshot: HttpSnapshot, *, site_url: str, embed_url: str | None = None
) -> CheckResult:
    """``headers.security``: ``X-Content-Type-Options: nosniff`` and a framing policy that
    still allows the difusor's own embedding (``embed_url`` when configured, else same origin).

    Outcomes and fixes: ``security-headers-ok`` (pass); ``nosniff-missing`` (warn: add
    ``X-Content-Type-Options: nosniff``); ``framing-missing`` / ``framing-blocks-embedding`` /
    ``framing-too-open`` (warn: add ``Content-Security-Policy: frame-ancestors 'self'`` plus the
    portal's origin); request failed → error.
    """
    check = "headers.security"
    evidence: dict[str, object] = {"solicitud": snapshot.summary()}
    if not snapshot.ok:
        return error(check, f"No se pudo consultar {snapshot.url}: {snapshot.error}", **evidence)
    nosniff = (snapshot.header("x-content-type-options") or "").strip().lower() == "nosniff"
    framing_ok, framing_text = framing_verdict(snapshot, embed_url or site_url, site_url)
    evidence.update(
        x_content_type_options=snapshot.header("x-content-type-options"),
        content_security_policy=snapshot.header_values("content-security-policy"),
        x_frame_options=snapshot.header("x-frame-options"),
        politica_de_marcos=framing_text,
        portal=embed_url,
    )
    problems = [] if nosniff else ["falta X-Content-Type-Options: nosniff"]
    if not framing_ok:
        problems.append(framing_text)
    if problems:
        return outcome(check, False, "; ".join(problems), **evidence)
    return outcome(check, True, f"nosniff y {framing_text}", **evidence)


# -- headers.compression ------------------------------------------------------------------------

ACCEPT_ENCODING = {"Accept-Encoding": "br, gzip"}
_COMPRESSED = ("gzip", "br", "zstd", "deflate")
#: Bodies this small are not worth compressing; servers rightly skip them.
MIN_COMPRESSIBLE_BYTES = 1024


def evaluate_compression(snapshots: dict[str, HttpSnapshot]) -> CheckResult:
    """``headers.compression``: HTML, JSON and CSV are served compressed when asked.

    ``snapshots`` maps a kind (``html``, ``json``, ``csv``) to a response requested with
    ``Accept-Encoding: br, gzip``. Outcomes: ``compression-ok`` (pass); ``compression-missing``
    (warn; fix: enable gzip or brotli for text/html, application/json and text/csv); every
    request failed → error. Bodies under 1 KiB are not judged.
    """
    check = "headers.compression"
    rows = []
    missing = []
    for kind, snap in snapshots.items():
        encoding = (snap.header("content-encoding") or "").strip().lower()
        rows.append(
            {
                "tipo": kind,
                "url": snap.url,
                "status": snap.status,
                "content_encoding": encoding or None,
                "bytes": len(snap.body),
                "error": snap.error,
            }
        )
        small = len(snap.body) < MIN_COMPRESSIBLE_BYTES
        if snap.ok and snap.status == 200 and encoding not in _COMPRESSED and not small:
            missing.append(kind)
    judged = [s for s in snapshots.values() if s.ok and s.status == 200]
    if not judged:
        first = next(iter(snapshots.values()), None)
        reason = (first.error or f"HTTP {first.status}") if first else "sin archivos"
        return error(
            check,
            f"No se pudo consultar ningún archivo para revisar la compresión: {reason}",
            archivos=rows,
        )
    if missing:
        return outcome(
            check,
            False,
            f"Sin compresión: {', '.join(missing)}",
            resultado="compression-missing",
            archivos=rows,
        )
    return outcome(
        check,
        True,
        "HTML, JSON y CSV se sirven comprimidos",
        resultado="compression-ok",
        archivos=rows,
    )
