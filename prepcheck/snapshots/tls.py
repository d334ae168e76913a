"""What a TLS scan saw: protocols, suites, the certificate chain, trust, vulnerabilities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROTOCOL_NAMES = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


@dataclass(frozen=True)
class Suite:
    """One accepted cipher suite (IANA name) and its key exchange (None: static RSA, no PFS)."""

    name: str
    key_exchange: str | None = None
    curve: str | None = None
    bits: int | None = None

    @property
    def forward_secret(self) -> bool:
        return (
            self.key_exchange is not None
            or self.name.startswith("TLS_AES")
            or (self.name.startswith("TLS_CHACHA20"))
        )


@dataclass(frozen=True)
class CertInfo:
    """One certificate of the chain the server sent (index 0 is the leaf)."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    names: tuple[str, ...] = ()
    key: str = ""
    signature: str = ""


@dataclass(frozen=True)
class TrustResult:
    """Path validation against one trust store (``custom``: the configured rehearsal CA)."""

    store: str
    ok: bool
    error: str | None = None
    custom: bool = False


@dataclass(frozen=True)
class TlsScan:
    """What one scan saw. ``error`` set means no TLS session could be studied (see ``error_kind``).

    ``protocols`` maps every name of ``PROTOCOL_NAMES`` that was tested to its accepted suites
    (empty list: not offered); a protocol missing from it could not be tested (see
    ``command_errors``). ``vulnerabilities`` holds sslyze's findings by short name.
    """

    host: str
    port: int
    elapsed_s: float
    error: str | None = None
    error_kind: str | None = None
    ip_address: str | None = None
    negotiated: dict[str, str] = field(default_factory=dict)
    protocols: dict[str, tuple[Suite, ...]] = field(default_factory=dict)
    curves: tuple[str, ...] = ()
    chain: tuple[CertInfo, ...] = ()
    trust: tuple[TrustResult, ...] = ()
    ocsp_stapled: bool | None = None
    vulnerabilities: dict[str, Any] = field(default_factory=dict)
    command_errors: dict[str, str] = field(default_factory=dict)
    error_detail: str | None = None  # the system's or sslyze's own words, for the evidence

    @property
    def ok(self) -> bool:
        return self.error is None

    def offered(self) -> list[str]:
        """Protocol names the server accepted, oldest first."""
        return [name for name in PROTOCOL_NAMES if self.protocols.get(name)]

    def summary(self) -> dict[str, object]:
        """A short, report-friendly view."""
        found: dict[str, object] = {
            "servidor": f"{self.host}:{self.port}",
            "ip": self.ip_address,
            "duracion_s": round(self.elapsed_s, 2),
            "error": self.error,
        }
        if self.error_detail:
            found["detalle_tecnico"] = self.error_detail
        return found


def version_text(name: object) -> str:
    """sslyze's protocol name as a reader writes it: ``TLS_1_3`` → ``TLS 1.3``."""
    return str(name).replace("TLS_", "TLS ").replace("SSL_", "SSL ").replace("_", ".")
