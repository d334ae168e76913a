"""Foreground server processes started by the harness, and stopped by pid, children included.

Each server runs in its own session, so its process group id equals the leader's pid: stopping
sends TERM to the leader, waits, then KILLs whatever is left in the group (workers that outlive
their master). Nothing is ever matched by name.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from prepcheck.errors import ServerError

_POLL = 0.02


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago (the caller must tolerate a race)."""
    return free_ports(1, host)[0]


def free_ports(count: int, host: str = "127.0.0.1") -> tuple[int, ...]:
    """``count`` distinct TCP ports that were free on ``host`` a moment ago.

    Bound all at once: ports picked one after the other can come back equal (the kernel may
    hand a just-released port out again), and a server told to listen twice on one port
    fails with an unrelated-looking error (nginx: no "ssl_certificate" for the plain listener).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(socket.socket(family, socket.SOCK_STREAM)) for _ in range(count)
        ]
        for sock in sockets:
            sock.bind((host, 0))
        return tuple(int(sock.getsockname()[1]) for sock in sockets)


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file, or a note that it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path} not readable)"
    return "\n".join(text.splitlines()[-lines:])


class ManagedProcess:
    """One server process in its own session; ``stop()`` is idempotent and leaves no process."""

    def __init__(self, argv: Sequence[str], *, output: Path, cwd: Path) -> None:
        self.argv = list(argv)
        self.output = output
        self.cwd = cwd
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise ServerError(f"{self.argv[0]} was not started")
        return self._popen.pid

    def start(self) -> None:
        """Launch the process; its stdout and stderr go to ``output``."""
        with self.output.open("ab") as sink:
            try:
                self._popen = subprocess.Popen(
                    self.argv,
                    cwd=self.cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as exc:
                raise ServerError(f"cannot run {self.argv[0]}: {exc}") from exc

    def alive(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has ended (``None`` while running or unstarted)."""
        return None if self._popen is None else self._popen.poll()

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Poll ``ready`` until true (returns True), the process exits or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return False
            if ready():
                return self.alive()
            time.sleep(_POLL)
        return False

    def stop(self, grace: float = 5.0) -> None:
        """TERM the leader, wait up to ``grace`` seconds, then KILL the whole process group."""
        if self._popen is None:
            return
        pgid = self._popen.pid
        if self._popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self._popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=grace)
        _kill_group(pgid)
        self._popen.wait()
        if group_members(pgid):
            raise ServerError(f"{self.argv[0]}: processes of group {pgid} survived SIGKILL")


@dataclass(frozen=True)
class ProcessInfo:
    """One live (non-zombie) process as /proc shows it."""

    pid: int
    ppid: int
    pgrp: int


def live_processes() -> list[ProcessInfo]:
    """Every live (non-zombie) process, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state, ppid, pgrp, ...
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if state not in ("Z", "X"):
            found.append(ProcessInfo(int(entry.name), int(ppid), int(pgrp)))
    return found


def group_members(pgid: int) -> list[int]:
    """Pids of live (non-zombie) processes whose process group is ``pgid``."""
    return [info.pid for info in live_processes() if info.pgrp == pgid]


def descendants(pid: int) -> list[int]:
    """Pids of live descendants of ``pid``, whatever session or group they moved to."""
    parents = {info.pid: info.ppid for info in live_processes()}
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _kill_group(pgid: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while group_members(pgid) and time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        time.sleep(_POLL)
