"""Evaluators for the protective headers: ``headers.hsts`` and ``headers.security``
(nosniff and a framing policy that still allows the difusor's own embedding).

Contract: pure functions from a snapshot to a CheckResult; a failed request is an error
result. HSTS follows RFC 6797 (first header only); framing follows CSP ``frame-ancestors``
first, then ``X-Frame-Options``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.http import HttpSnapshot
from prepcheck.snapshots.observer import Observer

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


@check("headers.hsts")
def hsts(seen: Observer) -> CheckResult:
    return evaluate_hsts(seen.get(seen.folder_url))


@check("headers.security")
def security(seen: Observer) -> CheckResult:
    snapshot = seen.get(seen.folder_url)
    return evaluate_security(snapshot, site_url=seen.base_url, embed_url=seen.difusor.embed_url)
