"""The official package served by the harness itself on loopback, for reference renderings.

Contract: ``ReferenceSite.start`` extracts the (already verified) archive with
``extract_safely`` into a private folder and serves it read-only over HTTP on 127.0.0.1 from a
thread; ``stop`` shuts the server down, joins the thread and removes the folder (idempotent).
Nothing but loopback is bound. ``read_json`` reads a file of the election folder from the
extracted tree (the official values the figures are checked against).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from prepcheck.archive import Limits
from prepcheck.archive.extract import extract_safely
from prepcheck.lifecycle import Service


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files without access logging on stderr (the suite's output stays readable)."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class ReferenceSite(Service):
    """An official package on ``http://127.0.0.1:<port>/``; see the module contract."""

    def __init__(self, archive: Path, folder: str, *, limits: Limits | None = None) -> None:
        self.archive = archive
        self.folder = folder
        self.limits = limits
        self._root: Path | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def root(self) -> Path:
        if self._root is None:
            raise RuntimeError("reference site not started")
        return self._root

    @property
    def folder_url(self) -> str:
        if self._server is None:
            raise RuntimeError("reference site not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/{self.folder}/"

    def start(self) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="prepcheck-reference-"))
        try:
            extract_safely(self.archive, self._root / "site", self.limits)
            handler = partial(_QuietHandler, directory=str(self._root / "site"))
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            self._server.daemon_threads = True
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="prepcheck-reference-site", daemon=True
            )
            self._thread.start()
        except BaseException:
            self.stop()
            raise

    def read_json(self, relative: str) -> Any | None:
        """The parsed JSON file ``<folder>/<relative>`` of the package, or None when absent."""
        path = self.root / "site" / self.folder / relative
        if not path.resolve().is_relative_to(self.root.resolve()) or not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
