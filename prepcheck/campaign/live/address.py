"""``--serve HOST:PORT`` parsed for argparse (kept free of heavy imports: the CLI loads it)."""

from __future__ import annotations

import argparse
from ipaddress import ip_address


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (an IP address and a port) → ``(host, port)``; argparse's error otherwise.
    Port 0 asks the system for a free port (the monitor prints the one it got)."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    try:
        ip_address(host)
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--serve espera IP:PUERTO, p. ej. 127.0.0.1:8080; se recibió {text!r}"
        ) from None
    if not 0 <= number < 65536:
        raise argparse.ArgumentTypeError(f"--serve: puerto fuera de rango en {text!r}")
    return host, number
