"""Load generated from other machines: the master's address, as both sides name it.

Contract: ``parse_master_address`` reads ``HOST:PORT`` (``[v6]:PORT``; the port may be left
out, then Locust's ``DEFAULT_MASTER_PORT``) and raises ``ValueError`` with a Spanish message
naming what is wrong. ``worker_command`` is the line an operator runs on each worker machine.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

DEFAULT_MASTER_PORT = 5557
#: How long a master waits for its remote workers unless told otherwise.
DEFAULT_WORKER_WAIT_SECONDS = 120.0


def parse_master_address(text: str) -> tuple[str, int]:
    """(host, port) of ``HOST:PORT``; the host is an IP address or a host name."""
    value = text.strip()
    host, port_text = value, ""
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif value.count(":") == 1:
        host, port_text = value.split(":")
    if not host or any(c.isspace() for c in host):
        raise ValueError(
            f"{text!r}: falta la dirección (se espera HOST:PUERTO, p. ej. 10.0.0.5:5557)"
        )
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(
                f"{text!r}: una dirección IPv6 va entre corchetes: [::1]:5557"
            ) from None
    if not port_text:
        return host, DEFAULT_MASTER_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{text!r}: el puerto debe ser un número entre 1 y 65535")
    return host, int(port_text)


def worker_command(master: str, plan: Path) -> str:
    """``prepcheck load-worker --master MASTER --plan PLAN`` for the operator to copy."""
    return f"prepcheck load-worker --master {master} --plan {plan}"
