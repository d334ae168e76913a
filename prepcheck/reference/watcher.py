"""The difusor side of the automatic procedure: ``prepcheck ingest --watch`` as a child process.

It is exactly the command a difusor adopting the reference procedure runs, started in its own
session and stopped by pid. ``lifetime_seconds`` bounds it even if nobody stops it (the CLI's
``--max-iterations``), so an orphaned watcher ends by itself.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from prepcheck.errors import ServerError
from prepcheck.lifecycle import Service
from prepcheck.reference.process import ManagedProcess, tail

_READY_LINE = "Vigilando"


def prepcheck_command() -> list[str]:
    """How to run this installation's ``prepcheck`` CLI."""
    script = Path(sys.executable).with_name("prepcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "prepcheck.cli"]


class UploadWatcher(Service):
    """``prepcheck ingest --watch upload_dir --root root --history history --quarantine …``."""

    def __init__(
        self,
        upload_dir: Path,
        *,
        root: Path,
        history: Path,
        quarantine: Path,
        log: Path,
        poll_seconds: float = 0.5,
        lifetime_seconds: float = 3600.0,
    ) -> None:
        self.upload_dir = upload_dir.resolve()
        self.root = root.resolve()
        self.history = history.resolve()
        self.quarantine = quarantine.resolve()
        self.log = log.resolve()
        self.poll_seconds = poll_seconds
        self.max_iterations = max(1, math.ceil(lifetime_seconds / poll_seconds))
        self._process: ManagedProcess | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise ServerError("upload watcher is not running")
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.alive()

    def start(self, timeout: float = 15.0) -> None:
        """Start the watcher; returns once it announced it is watching, else ``ServerError``."""
        if self._process is not None:
            raise ServerError(f"upload watcher already started (pid {self.pid})")
        for folder in (self.upload_dir, self.quarantine, self.log.parent):
            folder.mkdir(parents=True, exist_ok=True)
        self.log.write_text("", encoding="utf-8")
        argv = [
            *prepcheck_command(),
            "ingest",
            "--watch",
            str(self.upload_dir),
            "--root",
            str(self.root),
            "--history",
            str(self.history),
            "--quarantine",
            str(self.quarantine),
            "--poll",
            str(self.poll_seconds),
            "--max-iterations",
            str(self.max_iterations),
        ]
        process = ManagedProcess(argv, output=self.log, cwd=self.log.parent)
        process.start()
        if not process.wait_until(self._announced, timeout):
            process.stop()
            raise ServerError(f"upload watcher did not start within {timeout} s:\n{tail(self.log)}")
        self._process = process

    def stop(self) -> None:
        """Stop the watcher by pid (TERM lets it finish the current ingest). Idempotent."""
        process, self._process = self._process, None
        if process is not None:
            process.stop(grace=10.0)

    def _announced(self) -> bool:
        try:
            return _READY_LINE in self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
