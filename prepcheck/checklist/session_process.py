"""Checking sessions as children of a preloaded fork server.

A checklist session is a pytest run of ``suites/test_checklist.py``. Started as a fresh
interpreter it spends about a CPU-second importing pytest, its plugins, the checks and the
probes before it measures anything: with dozens of difusores that is most of a core. So
sessions are forked from ``multiprocessing``'s fork server, which imports those modules once
(``PRELOAD``) and forks a copy per session.

Contract of :func:`start_session`: the child runs ``pytest.main(args)`` with this process's
environment and working directory at the time of the call, in a session (``setsid``) of its
own, named ``SESSION_NAME`` (``ps``, ``/proc/PID/comm``), its stdout and stderr in ``log``
(inherited when None), and exits with pytest's exit code after running its ``atexit``
handlers. What the fork server preloaded is frozen out of the garbage collector's sight in the
child (``gc.freeze``). The returned :class:`SessionProcess` answers like a ``subprocess.Popen``:
``pid``, ``poll()``, ``returncode`` and ``wait(timeout)``.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from prepcheck.checks.registry import ALL_MODULES

#: What every session imports; the fork server imports it once. Never a module that starts
#: threads or opens connections on import (forking copies only the calling thread). Beyond the
#: plugin and the checks: the plugins pytest loads from entry points and the standard modules
#: its start-up reaches (measured: they halve a forked session's own start-up CPU).
PRELOAD = (
    "pytest",
    "_pytest.python",
    "_pytest.terminal",
    "_pytest.junitxml",
    "_pytest.pytester",
    "pytest_html.plugin",
    "pytest_timeout",
    "pytest_metadata.plugin",
    "pytest_locust.plugin",
    "xdist.plugin",
    "xdist.looponfail",
    "pdb",
    "unittest",
    "xml.etree.ElementTree",
    "anyio",
    "platformdirs",
    "prepcheck.checklist.plugin",
    "prepcheck.checklist.target",
    *ALL_MODULES,
)


class SessionProcess:
    """A forked checking session, seen through the ``subprocess.Popen`` calls the runner uses."""

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process
        pid = process.pid
        if pid is None:  # pragma: no cover - start() always sets it
            raise OSError("la sesión de revisión no arrancó")
        self.pid: int = pid

    @property
    def returncode(self) -> int | None:
        """The exit code, or -N after signal N (as ``subprocess``), or None while running."""
        return self._process.exitcode

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        code = self.returncode
        if code is None:
            raise subprocess.TimeoutExpired("sesión de revisión", timeout or 0.0)
        return code


def start_session(args: Sequence[str], log: Path | None) -> SessionProcess:
    """Fork a checking session running ``pytest.main(args)`` (see the module contract)."""
    context = _context()
    process = context.Process(
        target=_session_main,
        args=(list(args), str(log) if log else None, dict(os.environ), os.getcwd()),
        name="prepcheck-sesion",
        daemon=False,
    )
    process.start()
    return SessionProcess(process)


#: The sessions' process name (at most 15 bytes: the kernel's limit).
SESSION_NAME = "prepcheck-ses"

_CONTEXT: multiprocessing.context.ForkServerContext | None = None


def _context() -> multiprocessing.context.ForkServerContext:
    global _CONTEXT
    if _CONTEXT is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        _CONTEXT = context
    return _CONTEXT


def _session_main(args: list[str], log: str | None, environ: dict[str, str], cwd: str) -> None:
    """The child: become a session of its own, take the caller's environment, run pytest."""
    import pytest

    # The preloaded modules are most of the heap and are never garbage: out of the collector's
    # sight (gc.freeze), pytest's end-of-session gc.collect() passes and the automatic ones no
    # longer walk them (each pass cost ≈ 0.25 CPU-s), and their pages stay shared with the
    # fork server instead of being copied when the collector touches their headers.
    gc.freeze()
    os.setsid()
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(SESSION_NAME)
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    if log is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(descriptor, 1)
        os.dup2(descriptor, 2)
        os.close(descriptor)
    code = int(pytest.main(args))
    # multiprocessing ends the child with os._exit: run what a normal interpreter exit would.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
