"""TLS probe: one sslyze scan of a difusor, bounded in time, observed as a plain ``TlsScan``.

Contract: ``scan_tls`` never raises for network trouble and never outlives ``timeout_s``. The
sslyze scan runs in a child Python process (``python -m prepcheck.probes.tls``) that prints one
JSON document; the parent kills it when the bound passes, so a server that accepts the TCP
connection and never answers the handshake becomes a ``TlsScan`` with ``error_kind="timeout"``.

Before sslyze, the child makes one plain TCP connection (bounded by ``network_timeout_s``), so
"nothing listens" (``error_kind="tcp"``) is told apart from "listens but no TLS handshake
completes" (``"handshake"``, or ``"timeout"`` when it never answers).

Certificates are validated by sslyze (cryptography's verifier) against its bundled stores and,
when given, the difusor's rehearsal CA (``CertificateInfoExtraArgument(custom_ca_file=...)``).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prepcheck.probes.bounded import run_bounded

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_NETWORK_TIMEOUT_S = 5
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

    @property
    def ok(self) -> bool:
        return self.error is None

    def offered(self) -> list[str]:
        """Protocol names the server accepted, oldest first."""
        return [name for name in PROTOCOL_NAMES if self.protocols.get(name)]

    def summary(self) -> dict[str, object]:
        """A short, report-friendly view."""
        return {
            "servidor": f"{self.host}:{self.port}",
            "ip": self.ip_address,
            "duracion_s": round(self.elapsed_s, 2),
            "error": self.error,
        }


def scan_tls(
    host: str,
    port: int,
    *,
    ca_file: Path | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    network_timeout_s: int = DEFAULT_NETWORK_TIMEOUT_S,
) -> TlsScan:
    """Scan ``host:port`` with sslyze in a child process; at most ``timeout_s`` seconds."""
    request = {
        "host": host,
        "port": port,
        "ca_file": str(ca_file) if ca_file else None,
        "network_timeout": max(1, int(network_timeout_s)),
    }
    command = [sys.executable, "-m", "prepcheck.probes.tls", json.dumps(request)]
    started = time.monotonic()
    try:
        output, errors = run_bounded(command, timeout_s)
    except subprocess.TimeoutExpired:
        elapsed = time.monotonic() - started
        reason = f"el análisis TLS no terminó en {timeout_s:g} s (límite configurado); se detuvo"
        return TlsScan(host, port, elapsed, error=reason, error_kind="timeout")
    elapsed = time.monotonic() - started
    try:
        document = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        reason = f"el análisis TLS terminó sin resultado legible: {errors[-300:]!r}"
        return TlsScan(host, port, elapsed, error=reason, error_kind="internal")
    return scan_from_json(document, elapsed)


def scan_from_json(document: dict[str, Any], elapsed_s: float) -> TlsScan:
    """Rebuild a ``TlsScan`` from the child's JSON document."""
    protocols = {
        name: tuple(Suite(**suite) for suite in suites)
        for name, suites in document.get("protocols", {}).items()
    }
    return TlsScan(
        host=document["host"],
        port=document["port"],
        elapsed_s=elapsed_s,
        error=document.get("error"),
        error_kind=document.get("error_kind"),
        ip_address=document.get("ip_address"),
        negotiated=document.get("negotiated", {}),
        protocols=protocols,
        curves=tuple(document.get("curves", ())),
        chain=tuple(
            CertInfo(**{**c, "names": tuple(c["names"])}) for c in document.get("chain", ())
        ),
        trust=tuple(TrustResult(**t) for t in document.get("trust", ())),
        ocsp_stapled=document.get("ocsp_stapled"),
        vulnerabilities=document.get("vulnerabilities", {}),
        command_errors=document.get("command_errors", {}),
    )


def resolve_and_connect(host: str, port: int, timeout_s: float) -> tuple[str | None, str | None]:
    """The first address of ``host`` that accepts a TCP connection, or ``(None, reason)``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return None, f"no se pudo resolver {host}: {exc}"
    reason = "sin direcciones"
    for family, _, _, _, address in infos[:8]:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout_s)
                sock.connect(address)
                return str(address[0]), None
        except OSError as exc:
            reason = f"conexión TCP a {address[0]}:{port} fallida: {exc}"
    return None, reason


if __name__ == "__main__":
    from prepcheck.probes import _sslyze_scan

    print(json.dumps(_sslyze_scan.run(json.loads(sys.argv[1]))), flush=True)
