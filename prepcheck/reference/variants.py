"""Knobs of the reference difusor, and the named broken variants the tests run against.

The default ``Variant()`` is the good reference: it meets the whole checklist. Every other entry
of ``VARIANTS`` breaks exactly one thing (its name says what), so a suite test can show that its
check fails for the right reason and passes otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ServerKind = Literal["nginx", "apache"]
CertKind = Literal["good", "expired", "expires-soon", "wrong-host", "self-signed"]

#: The Mozilla Server Side TLS guideline the default cipher list follows (sslyze ships 5.7).
MOZILLA_GUIDELINE_VERSION = "6.0"
#: Mozilla intermediate (6.0: ECDHE with AEAD only; 5.7 also had three DHE suites), TLS 1.2
#: suites. TLS 1.3 suites are OpenSSL's defaults, all allowed.
INTERMEDIATE_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    )
)
# OpenSSL 3's default security level refuses TLS 1.0/1.1 and SHA-1 suites whatever the
# protocol list says; level 0 makes the legacy variants really offer what they claim.
_SECLEVEL0 = "@SECLEVEL=0"
#: Mozilla *old* (5.7) suites: CBC and SHA-1 suites that TLS 1.0/1.1 clients need.
LEGACY_CIPHERS = ":".join(
    (
        INTERMEDIATE_CIPHERS,
        "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256",
        "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384",
        "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256",
        "AES128-SHA:AES256-SHA:DES-CBC3-SHA",
        _SECLEVEL0,
    )
)
#: No forward secrecy, CBC with SHA-1, 3DES: none is in the intermediate profile. Needs an RSA key.
WEAK_CIPHERS = f"AES128-SHA:AES256-SHA:DES-CBC3-SHA:{_SECLEVEL0}"

MAIN_JSON_CACHE_CONTROL = "no-cache, no-store, must-revalidate"
KNOWN_PROTOCOLS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


@dataclass(frozen=True)
class Variant:
    """What the reference server does; the defaults meet the whole checklist.

    - ``main_json_cache_control``: the header on every ``*/json/main.json`` (``None``: absent).
    - ``protocols`` / ``ciphers``: TLS versions (``KNOWN_PROTOCOLS`` names) and the OpenSSL
      TLS 1.2-and-older cipher string (``None``: ``INTERMEDIATE_CIPHERS``).
    - ``cert`` / ``key_type``: which leaf the server presents (see ``prepcheck.reference.pki``).
    - ``cache_front`` (nginx only): a ``proxy_cache`` in front of the good site that caches
      ``main.json`` for ten minutes despite its headers and marks hits with ``X-Cache: HIT``.
    - ``delay_ms`` (Apache only, via mod_lua): added to every request before it is served.
    - ``error_percent``: share of requests answered ``503`` at random (load tests).
    """

    name: str = "reference"
    main_json_cache_control: str | None = MAIN_JSON_CACHE_CONTROL
    protocols: tuple[str, ...] = ("TLSv1.2", "TLSv1.3")
    ciphers: str | None = None
    hsts: bool = True
    autoindex: bool = False
    http_redirect: bool = True
    server_tokens: bool = False
    gzip: bool = True
    cert: CertKind = "good"
    key_type: Literal["ec", "rsa"] = "ec"
    cache_front: bool = False
    delay_ms: int = 0
    error_percent: float = 0.0
    description: str = field(default="the good reference: meets the whole checklist", compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.protocols) - set(KNOWN_PROTOCOLS)
        if unknown or not self.protocols:
            raise ValueError(f"variant {self.name}: protocols must be among {KNOWN_PROTOCOLS}")
        if self.delay_ms < 0 or not 0.0 <= self.error_percent <= 100.0:
            raise ValueError(f"variant {self.name}: delay_ms >= 0 and 0 <= error_percent <= 100")

    @property
    def cipher_string(self) -> str:
        """The OpenSSL cipher string the server is configured with."""
        return self.ciphers if self.ciphers is not None else INTERMEDIATE_CIPHERS

    def unsupported_by(self, kind: ServerKind) -> tuple[str, ...]:
        """The knobs this variant sets that ``kind`` cannot implement (empty when all fit)."""
        if kind == "nginx":
            return ("delay_ms",) if self.delay_ms else ()
        return ("cache_front",) if self.cache_front else ()


def _variants(*variants: Variant) -> dict[str, Variant]:
    return {variant.name: variant for variant in variants}


VARIANTS: dict[str, Variant] = _variants(
    Variant(),
    Variant(
        "tls-legacy",
        protocols=KNOWN_PROTOCOLS,
        ciphers=LEGACY_CIPHERS,
        description="TLS 1.0 and 1.1 enabled (tls.protocols fails)",
    ),
    Variant("cert-expired", cert="expired", description="certificate expired yesterday"),
    Variant(
        "cert-expires-soon",
        cert="expires-soon",
        description="certificate ends 3 days from now, before window end plus margin",
    ),
    Variant("cert-wrong-host", cert="wrong-host", description="certificate for another hostname"),
    Variant("cert-self-signed", cert="self-signed", description="self-signed, no CA"),
    Variant(
        "weak-ciphers",
        protocols=("TLSv1.2",),
        ciphers=WEAK_CIPHERS,
        key_type="rsa",
        description="only non-intermediate TLS 1.2 suites (RSA kx, CBC-SHA1, 3DES)",
    ),
    Variant("no-tls13", protocols=("TLSv1.2",), description="TLS 1.3 not offered"),
    Variant("no-hsts", hsts=False, description="no Strict-Transport-Security header"),
    Variant(
        "main-json-max-age",
        main_json_cache_control="max-age=300",
        description="main.json cacheable for 5 minutes",
    ),
    Variant(
        "main-json-public",
        main_json_cache_control=f"public, {MAIN_JSON_CACHE_CONTROL}",
        description="main.json has the three directives but also public",
    ),
    Variant(
        "main-json-no-header",
        main_json_cache_control=None,
        description="main.json without Cache-Control",
    ),
    Variant(
        "stale-cache",
        cache_front=True,
        description="right headers, but an nginx proxy_cache in front serves stale main.json",
    ),
    Variant("directory-listing", autoindex=True, description="folders without index are listed"),
    Variant("no-https-redirect", http_redirect=False, description="http:// serves the site"),
    Variant("server-version", server_tokens=True, description="Server header shows the version"),
    Variant("no-compression", gzip=False, description="nothing served compressed"),
    Variant("slow", delay_ms=500, description="every request delayed 500 ms (Apache only)"),
    Variant("flaky", error_percent=5.0, description="5 % of requests answered 503"),
)
