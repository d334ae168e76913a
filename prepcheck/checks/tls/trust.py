"""Certificate facts for the tls.* checks: host name matching and trust of the leaf.

Contract: :func:`hostname_matches` follows RFC 6125 (IP addresses compared as addresses, one
left-most wildcard label covering exactly one label); :func:`certificate_trust` answers trust
(against the rehearsal CA when configured, else the Mozilla store), expiry, not-yet-valid and
name match for ``scan.chain[0]``, which must exist. Pure functions, no network.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from prepcheck.snapshots.tls import TlsScan, TrustResult

_NAME_MISMATCH_MARKER = "no matching subjectAltName"


def hostname_matches(host: str, names: tuple[str, ...]) -> bool:
    """RFC 6125 matching of ``host`` against SAN entries (one left-most wildcard label)."""
    wanted = host.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(wanted)
    except ValueError:
        address = None
    for name in names:
        candidate = name.lower().rstrip(".")
        if address is not None:
            try:
                if ipaddress.ip_address(candidate) == address:
                    return True
            except ValueError:
                continue
        elif candidate == wanted or _wildcard_match(candidate, wanted):
            return True
    return False


def _wildcard_match(pattern: str, host: str) -> bool:
    if not pattern.startswith("*."):
        return False
    head, _, rest = host.partition(".")
    return bool(head) and rest == pattern[2:] and rest.count(".") >= 1


def _relevant_trust(scan: TlsScan, custom_ca: bool) -> list[TrustResult]:
    """The rehearsal CA's result when configured, else the Mozilla store (the system's source)."""
    if custom_ca:
        return [t for t in scan.trust if t.custom]
    return [t for t in scan.trust if t.store.startswith("Mozilla")] or list(scan.trust)


def certificate_trust(
    scan: TlsScan, *, custom_ca: bool, now: datetime | None = None
) -> dict[str, object]:
    """Trust, expiry and name facts about the leaf (used by checks and grade caps)."""
    now = now or datetime.now(UTC)
    leaf = scan.chain[0]
    relevant = _relevant_trust(scan, custom_ca)
    names_ok = hostname_matches(scan.host, leaf.names)
    # The verifier checks the name too: a failure only about the name still means a trusted chain.
    trusted = any(t.ok or (_NAME_MISMATCH_MARKER in (t.error or "")) for t in relevant)
    return {
        "confiable": trusted,
        "caducado": datetime.fromisoformat(leaf.not_after) < now,
        "aun_no_vigente": datetime.fromisoformat(leaf.not_before) > now,
        "nombre_coincide": names_ok,
        "almacenes": [
            {"almacen": t.store, "valida": t.ok, "error": (t.error or "")[:200]} for t in relevant
        ],
    }
