"""TLS probe: one sslyze scan of a difusor, bounded in time, observed as a plain ``TlsScan``.

Contract: ``scan_tls`` never raises for network trouble and never outlives ``timeout_s``. The
sslyze scan runs in a child Python process (``python -m prepcheck.probes.tls``) that prints one
JSON document; the parent kills it when the bound passes, so a server that accepts the TCP
connection and never answers the handshake becomes a ``TlsScan`` with ``error_kind="timeout"``.

Before sslyze, the child makes one plain TCP connection (bounded by ``network_timeout_s``), so
"nothing listens" (``error_kind="tcp"``) is told apart from "listens but no TLS handshake
completes" (``"handshake"``, or ``"timeout"`` when it never answers).

Reasons (``error``) are plain Spanish; the system's and sslyze's own text is kept apart in
``error_detail`` for the evidence.

Certificates are validated by sslyze (cryptography's verifier) against its bundled stores and,
when given, the difusor's rehearsal CA (``CertificateInfoExtraArgument(custom_ca_file=...)``).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from prepcheck.probes.bounded import run_bounded
from prepcheck.probes.failures import Failure, describe
from prepcheck.snapshots.text import clean_text
from prepcheck.snapshots.tls import CertInfo, Suite, TlsScan, TrustResult

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_NETWORK_TIMEOUT_S = 5
#: Certificates of a chain and names of a certificate kept (a site chooses both).
MAX_CHAIN = 10
MAX_NAMES = 100


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
    except OSError as exc:
        reason = "no se pudo iniciar el análisis TLS (proceso hijo)"
        return TlsScan(host, port, 0.0, error=reason, error_kind="internal", error_detail=str(exc))
    elapsed = time.monotonic() - started
    try:
        document = json.loads(output.strip().splitlines()[-1])
        return scan_from_json(document, elapsed)
    except (ValueError, IndexError, KeyError, TypeError):
        reason = "el análisis TLS terminó sin un resultado legible"
        detail = clean_text(errors[-300:])
        return TlsScan(
            host, port, elapsed, error=reason, error_kind="internal", error_detail=detail
        )


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
        chain=tuple(_certificate(c) for c in document.get("chain", ())[:MAX_CHAIN]),
        trust=tuple(TrustResult(**t) for t in document.get("trust", ())),
        ocsp_stapled=document.get("ocsp_stapled"),
        vulnerabilities=document.get("vulnerabilities", {}),
        command_errors=document.get("command_errors", {}),
        error_detail=document.get("error_detail"),
    )


def _certificate(found: dict[str, Any]) -> CertInfo:
    """A certificate of the chain, its site-chosen texts (names, subject) sanitized and cut."""
    return CertInfo(
        subject=clean_text(found.get("subject", ""), 500),
        issuer=clean_text(found.get("issuer", ""), 500),
        not_before=clean_text(found.get("not_before", ""), 60),
        not_after=clean_text(found.get("not_after", ""), 60),
        names=tuple(clean_text(name, 255) for name in found.get("names", ())[:MAX_NAMES]),
        key=clean_text(found.get("key", ""), 100),
        signature=clean_text(found.get("signature", ""), 100),
    )


def resolve_and_connect(
    host: str, port: int, timeout_s: float
) -> tuple[str | None, Failure | None]:
    """The first address of ``host`` that accepts a TCP connection, or ``(None, failure)``
    (Spanish reason, system text as detail)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        found = describe(exc)
        return None, Failure(found.kind, f"no se pudo resolver {host}", found.detail)
    failure = Failure("dns", f"{host} no tiene direcciones")
    for family, _, _, _, address in infos[:8]:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout_s)
                sock.connect(address)
                return str(address[0]), None
        except OSError as exc:
            found = describe(exc, timeout_s=timeout_s)
            reason = f"sin conexión TCP con {address[0]}:{port}: {found.reason}"
            failure = Failure(found.kind, reason, found.detail)
    return None, failure


if __name__ == "__main__":
    from prepcheck.probes import _sslyze_scan

    print(json.dumps(_sslyze_scan.run(json.loads(sys.argv[1]))), flush=True)
