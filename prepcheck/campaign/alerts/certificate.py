"""When each difusor's certificate expires, read in the background for the alerts.

Contract: :func:`certificate_expiry` opens one TLS connection to the difusor's ``base_url``
(bounded by its ``timeout_seconds``), verifying the chain and the name against its ``ca_file``
or the system store, and returns the certificate's ``notAfter`` (UTC); None when it cannot be
read or verified (the checklist's ``tls.*`` checks judge that; an alert needs a known date).
:class:`CertificateWatch` reads every difusor at most every ``every_s`` seconds in one daemon
thread, so the monitor never waits for it; :meth:`CertificateWatch.expiries` returns what is
known so far.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from prepcheck.config import Difusor


def certificate_expiry(difusor: Difusor) -> datetime | None:
    """The ``notAfter`` of ``difusor``'s verified certificate, or None (see contract)."""
    parts = urlsplit(difusor.base_url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    context = ssl.create_default_context(cafile=str(difusor.ca_file) if difusor.ca_file else None)
    try:
        with (
            socket.create_connection(
                (parts.hostname, parts.port or 443), timeout=difusor.timeout_seconds
            ) as raw,
            context.wrap_socket(raw, server_hostname=parts.hostname) as tls,
        ):
            certificate = tls.getpeercert()
    except (OSError, ssl.SSLError, ValueError):
        return None
    not_after = certificate.get("notAfter") if certificate else None
    if not isinstance(not_after, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)


class CertificateWatch:
    """Background reader of certificate expiries (see the module contract)."""

    def __init__(self, difusores: Sequence[Difusor], every_s: float) -> None:
        self.difusores = list(difusores)
        self.every_s = every_s
        self._known: dict[str, datetime] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="prepcheck-certificados", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)  # a read in flight ends at its own timeout

    def expiries(self) -> dict[str, datetime]:
        with self._lock:
            return dict(self._known)

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            for difusor in self.difusores:
                if self._stop.is_set():
                    return
                expiry = certificate_expiry(difusor)
                if expiry is not None:
                    with self._lock:
                        self._known[difusor.name] = expiry
            self._stop.wait(max(0.0, self.every_s - (time.monotonic() - began)))
