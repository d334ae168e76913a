"""Network namespaces as separate machines for tests: ``with Network(["ref", "master"]) as net``.

Every host is its own network namespace with an ``eth0`` holding a link-local address
(``169.254.77.<n>/24``) and ``lo`` up; the ``eth0``s are veth pairs whose other ends sit on a
bridge in one more namespace (the "switch"), so the hosts reach each other and nothing else:
the root namespace's interfaces, routes and addresses are never touched. Names carry this
process's pid and a random token, so concurrent runs never collide.

Contract: entering creates everything or, on any failure, removes what it created and raises;
``Network.available()`` returns ``None`` or the kernel's own refusal (``ip netns add`` run as a
probe) for a test to skip with. Leaving always, also when the test failed: stops the processes
started with ``start`` by pid (process group included), kills by pid whatever still runs inside
the namespaces (``ip netns pids``: only processes this test started can be there), deletes the
namespaces (which destroys their veths and the bridge) and checks that none is left.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from prepcheck.reference.process import ManagedProcess

IP = "/usr/sbin/ip"
SUBNET = "169.254.77"
PREFIX_LENGTH = 24


class NetnsError(RuntimeError):
    """An ``ip`` command failed (the message carries its output)."""


def ip(*args: str) -> str:
    """Run ``ip ARGS``; its stdout, or ``NetnsError`` with its stderr."""
    done = subprocess.run([IP, *args], capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


class Network:
    """Hosts in separate network namespaces on one link-local subnet (see the module doc)."""

    def __init__(self, hosts: Sequence[str]) -> None:
        if len(set(hosts)) != len(hosts) or not 0 < len(hosts) < 250:
            raise ValueError(f"hosts must be distinct, 1 to 249 of them: {hosts}")
        self.hosts = list(hosts)
        self.prefix = f"pctest{os.getpid()}{secrets.token_hex(2)}"
        self.switch = f"{self.prefix}-switch"
        self._created: list[str] = []
        self._processes: list[ManagedProcess] = []

    @staticmethod
    def available() -> str | None:
        """``None`` when network namespaces can be made here, else the kernel's refusal."""
        probe = f"pctest{os.getpid()}{secrets.token_hex(2)}-probe"
        try:
            ip("netns", "add", probe)
        except (NetnsError, OSError, subprocess.TimeoutExpired) as exc:
            return str(exc)
        with contextlib.suppress(NetnsError):
            ip("netns", "del", probe)
        return None

    def namespace(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def address(self, host: str) -> str:
        """The host's link-local IPv4 address."""
        return f"{SUBNET}.{self.hosts.index(host) + 1}"

    def argv(self, host: str, command: Sequence[str]) -> list[str]:
        """``command`` run inside ``host`` (``ip netns exec`` keeps the pid: it execs)."""
        return [IP, "netns", "exec", self.namespace(host), *command]

    def start(
        self, host: str, command: Sequence[str], *, output: Path, cwd: Path
    ) -> ManagedProcess:
        """Start ``command`` inside ``host`` (stopped by pid when the network is torn down)."""
        process = ManagedProcess(self.argv(host, command), output=output, cwd=cwd)
        self._processes.append(process)
        process.start()
        return process

    def pids(self, host: str) -> list[int]:
        """Pids of the processes running inside ``host``."""
        return [int(pid) for pid in ip("netns", "pids", self.namespace(host)).split()]

    # -- setting up and tearing down ----------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _add_namespace(self, name: str) -> None:
        ip("netns", "add", name)
        self._created.append(name)
        ip("-n", name, "link", "set", "lo", "up")

    def _build(self) -> None:
        self._add_namespace(self.switch)
        ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        ip("-n", self.switch, "link", "set", "br0", "up")
        for index, host in enumerate(self.hosts, 1):
            name, port = self.namespace(host), f"port{index}"
            self._add_namespace(name)
            ip("-n", self.switch, "link", "add", port, "type", "veth", "peer", "name", "eth0",
               "netns", name)  # fmt: skip
            ip("-n", self.switch, "link", "set", port, "master", "br0")
            ip("-n", self.switch, "link", "set", port, "up")
            ip("-n", name, "addr", "add", f"{self.address(host)}/{PREFIX_LENGTH}", "dev", "eth0")
            ip("-n", name, "link", "set", "eth0", "up")

    def close(self) -> None:
        """Stop every process, delete every namespace; raise if anything is left behind."""
        for process in reversed(self._processes):
            with contextlib.suppress(Exception):
                process.stop()
        for name in reversed(self._created):
            _kill_inside(name)
            with contextlib.suppress(NetnsError):
                ip("netns", "del", name)
        left = [name for name in ip("netns", "list").split() if name.startswith(self.prefix)]
        self._created = [name for name in self._created if name in left]
        if left:
            raise NetnsError(f"network namespaces left behind: {left}")


def _kill_inside(namespace: str, timeout: float = 10.0) -> None:
    """SIGKILL, by pid, whatever still runs inside ``namespace``; wait until none does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pids = [int(p) for p in ip("netns", "pids", namespace).split()]
        except NetnsError:
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
