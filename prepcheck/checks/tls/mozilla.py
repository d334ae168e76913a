"""Mozilla Server Side TLS "intermediate" profiles, as data (IANA suite names).

sslyze 6 ships only guideline 5.7 (``sslyze/mozilla_tls_profile/5.7.json``). Guideline 6.0
(ssl-config.mozilla.org/guidelines/6.0.json) dropped the three DHE suites from intermediate
(every suite is now ECDHE with AEAD) and added the hybrid group X25519MLKEM768. prepcheck
implements 6.0 itself (the default) and keeps 5.7 selectable for comparison with sslyze's CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_GUIDELINE = "6.0"

_ECDHE_AEAD = (
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
)
_DHE_AEAD = (
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
)
_TLS13 = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
# Mozilla writes prime256v1 (ANSI X9.62); sslyze reports the SECG name secp256r1.
_CURVES = ("X25519", "secp256r1", "secp384r1")


@dataclass(frozen=True)
class TlsProfile:
    """What an intermediate server may offer: versions, TLS 1.2 suites, TLS 1.3 suites, groups."""

    guideline: str
    versions: frozenset[str]
    ciphers: frozenset[str]
    tls13_suites: frozenset[str]
    curves: frozenset[str]

    @property
    def label(self) -> str:
        return f"Mozilla Server Side TLS {self.guideline}, perfil intermedio"


PROFILES: dict[str, TlsProfile] = {
    "6.0": TlsProfile(
        "6.0",
        frozenset({"TLSv1.2", "TLSv1.3"}),
        frozenset(_ECDHE_AEAD),
        frozenset(_TLS13),
        frozenset({"X25519MLKEM768", *_CURVES}),
    ),
    "5.7": TlsProfile(
        "5.7",
        frozenset({"TLSv1.2", "TLSv1.3"}),
        frozenset(_ECDHE_AEAD + _DHE_AEAD),
        frozenset(_TLS13),
        frozenset(_CURVES),
    ),
}
