"""The embedded reference difusor: a real nginx or Apache serving a PREP tree over HTTPS.

``ReferenceServer`` writes its configs under ``workdir``, starts the server on 127.0.0.1 (or the
``bind_host`` given, e.g. a network namespace's address) with a certificate from a local CA valid
for that address, waits until it answers, and stops it by pid leaving no process::

    with ReferenceServer(tmp / "site", tmp / "nginx") as server:
        httpx.get(server.base_url + "prepver2021/json/main.json",
                  verify=ssl.create_default_context(cafile=server.ca_file))
"""

from __future__ import annotations

import functools
import ipaddress
import os
from pathlib import Path

from prepcheck.errors import ServerError
from prepcheck.lifecycle import Service
from prepcheck.reference import apache, nginx, pki
from prepcheck.reference.layout import LOOPBACK, SERVER_NAME, Layout, url_host
from prepcheck.reference.process import ManagedProcess, free_port, free_ports, port_open, tail
from prepcheck.reference.variants import ServerKind, Variant

_START_ATTEMPTS = 3
_PORT_RACE = "Address already in use"


class ReferenceServer(Service):
    """One reference server instance (a context manager: ``start()`` on enter, ``stop()`` on exit).

    ``https_port``/``http_port`` 0 pick free ports (retrying if another process takes one first).
    ``ca`` defaults to a local CA kept in ``workdir/pki/ca`` (reused on the next start).
    ``bind_host`` is the IP address both ports listen on (default loopback, then the URLs name
    ``localhost``; any other address is named as is, and the certificate is valid for it).
    """

    def __init__(
        self,
        root: Path,
        workdir: Path,
        *,
        kind: ServerKind = "nginx",
        https_port: int = 0,
        http_port: int = 0,
        variant: Variant = Variant(),  # noqa: B008 - frozen, so sharing the default is safe
        ca: pki.LocalCA | None = None,
        bind_host: str = LOOPBACK,
    ) -> None:
        missing = variant.unsupported_by(kind)
        if missing:
            raise ValueError(f"variant {variant.name}: {kind} cannot do {', '.join(missing)}")
        self.bind_host = checked_bind_host(bind_host)
        self.root = root.resolve()
        self.workdir = workdir.resolve()
        self.kind: ServerKind = kind
        self.variant = variant
        self._ports = (https_port, http_port)
        self._ca = ca
        self._layout: Layout | None = None
        self._process: ManagedProcess | None = None

    # -- public surface -------------------------------------------------------------------

    @property
    def ca_file(self) -> Path:
        """The CA certificate clients should trust (it did not sign a self-signed variant)."""
        return self._ca.cert_path if self._ca else self.workdir / "pki" / "ca" / "ca.pem"

    @property
    def https_port(self) -> int:
        return self._started().https_port

    @property
    def http_port(self) -> int:
        return self._started().http_port

    @property
    def host_name(self) -> str:
        """How URLs name the server: ``localhost`` on loopback, else its address."""
        return SERVER_NAME if self.bind_host == LOOPBACK else url_host(self.bind_host)

    @property
    def base_url(self) -> str:
        return f"https://{self.host_name}:{self.https_port}/"

    @property
    def http_url(self) -> str:
        return f"http://{self.host_name}:{self.http_port}/"

    @property
    def access_log(self) -> Path:
        """The access log, in combined format (what host.access-log and the memoria read)."""
        return self.workdir / "logs" / "access.log"

    @property
    def error_log(self) -> Path:
        return self.workdir / "logs" / "error.log"

    @property
    def pid(self) -> int:
        """The pid of the server's main process (also its process group id)."""
        if self._process is None:
            raise ServerError(f"{self.kind} reference server is not running")
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.alive()

    def start(self, timeout: float = 10.0) -> None:
        """Write the configs, start the server and wait until both ports answer.

        Raises ``ServerError`` with the tail of the server's logs if it does not come up.
        """
        if self._process is not None:
            raise ServerError(f"{self.kind} reference server already started (pid {self.pid})")
        leaf = self._issue_leaf()
        for attempt in range(1, _START_ATTEMPTS + 1):
            layout = self._new_layout(leaf)
            process = self._launch(layout)
            if process.wait_until(functools.partial(_answers, layout), timeout):
                self._layout, self._process = layout, process
                # A restart (stop, then start) comes back on the same addresses.
                self._ports = (layout.https_port, layout.http_port)
                return
            process.stop()
            logs = _log_tails(layout)
            if not (self._lost_port_race(logs) and attempt < _START_ATTEMPTS):
                raise ServerError(f"{self.kind} did not start within {timeout} s:\n{logs}")

    def stop(self) -> None:
        """Stop the server by pid (TERM, wait, KILL its whole group). Idempotent."""
        process, self._process = self._process, None
        if process is not None:
            process.stop()

    def __repr__(self) -> str:
        state = f"pid {self._process.pid}" if self._process else "stopped"
        return f"<ReferenceServer {self.kind} {self.variant.name} {state}>"

    # -- internals ------------------------------------------------------------------------

    def _started(self) -> Layout:
        if self._layout is None:
            raise ServerError(f"{self.kind} reference server not started: ports not chosen yet")
        return self._layout

    def _lost_port_race(self, logs: str) -> bool:
        """Whether the launch failed on a port we picked (worth retrying), not a fixed one."""
        fixed = [port for port in self._ports if port]
        return _PORT_RACE in logs and not any(f":{port}" in logs for port in fixed)

    def _issue_leaf(self) -> pki.LeafCert:
        if self._ca is None:
            self._ca = pki.LocalCA.create(self.workdir / "pki" / "ca")
        hostnames = tuple(dict.fromkeys((*pki.DEFAULT_HOSTNAMES, self.bind_host)))
        return leaf_for(self._ca, self.workdir / "pki" / self.variant.cert, self.variant, hostnames)

    def _new_layout(self, leaf: pki.LeafCert) -> Layout:
        https_port, http_port, origin_port = self._new_ports()
        return Layout(
            root=self.root,
            workdir=self.workdir,
            https_port=https_port,
            http_port=http_port,
            origin_port=origin_port,
            leaf=leaf,
            variant=self.variant,
            run_as_root=os.geteuid() == 0,
            bind_host=self.bind_host,
        )

    def _new_ports(self) -> tuple[int, int, int]:
        """HTTPS and HTTP ports (the fixed ones, else free ones on ``bind_host``) and the cache
        front's origin port (free on loopback; 0 without a cache front), all distinct."""
        loopback = self.bind_host == LOOPBACK
        candidates = free_ports(5 if loopback else 4, self.bind_host)
        spare = iter(port for port in candidates if port not in self._ports)
        https_port, http_port = (port or next(spare) for port in self._ports)
        origin_port = 0
        if self.variant.cache_front:
            origin_port = next(spare) if loopback else free_port()
        return https_port, http_port, origin_port

    def _launch(self, layout: Layout) -> ManagedProcess:
        backend = nginx if self.kind == "nginx" else apache
        config = backend.write_config(layout)
        layout.pid_file.unlink(missing_ok=True)
        for log in (layout.error_log, layout.output_log):  # errors of this launch only
            log.unlink(missing_ok=True)
        process = ManagedProcess(
            backend.command(layout, config), output=layout.output_log, cwd=layout.workdir
        )
        process.start()
        return process


def checked_bind_host(address: str) -> str:
    """``address`` if it is one IP address a server can listen on and be named by, else
    ``ValueError`` (Spanish: it reaches the command line)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"{address!r} no es una dirección IP") from None
    if parsed.is_unspecified:
        raise ValueError(f"{address}: indique la dirección de una interfaz, no la de «todas»")
    return str(parsed)


def leaf_for(
    ca: pki.LocalCA,
    directory: Path,
    variant: Variant,
    hostnames: tuple[str, ...] = pki.DEFAULT_HOSTNAMES,
) -> pki.LeafCert:
    """The certificate ``variant.cert`` asks for (valid for ``hostnames`` unless the variant is
    the wrong-host one), written into ``directory``."""
    key_type = variant.key_type
    if variant.cert == "self-signed":
        return pki.self_signed_leaf(directory, hostnames, key_type=key_type)
    if variant.cert == "wrong-host":
        return ca.issue_leaf(directory, pki.WRONG_HOSTNAMES, key_type=key_type)
    expiring = {"expired": pki.expired_validity, "expires-soon": pki.expires_soon_validity}
    validity = expiring.get(variant.cert)
    start, end = validity() if validity else (None, None)
    return ca.issue_leaf(directory, hostnames, not_before=start, not_after=end, key_type=key_type)


def _answers(layout: Layout) -> bool:
    ports = [layout.https_port, layout.http_port]
    return layout.pid_file.is_file() and all(port_open(p, layout.bind_host) for p in ports)


def _log_tails(layout: Layout) -> str:
    parts = [f"--- {path.name} ---\n{tail(path)}" for path in (layout.error_log, layout.output_log)]
    return "\n".join(parts)
