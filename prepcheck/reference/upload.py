"""The reference difusor's upload side: an SFTP account and the watcher that publishes uploads.

Layout under ``workdir``::

    home/upload/        where the OPLE uploads (``upload_dir = "upload"`` in the configuration)
    sshd/               the reference sshd (keys, config, log, known_hosts)
    quarantine/         uploads the procedure rejected, each with ``<name>.reason.txt``
    watcher.log         the watcher's output

``watcher=False`` leaves uploads unpublished (a difusor without the automatic procedure);
``read_only=True`` refuses every write (an upload folder that is not writable).
"""

from __future__ import annotations

from pathlib import Path

from prepcheck.lifecycle import Service
from prepcheck.reference.sshd import ReferenceSshd
from prepcheck.reference.watcher import UploadWatcher

UPLOAD_FOLDER = "upload"


class ReferenceUpload(Service):
    """sshd serving ``home`` plus, optionally, ``prepcheck ingest --watch home/upload``."""

    def __init__(
        self,
        workdir: Path,
        *,
        root: Path,
        history: Path,
        watcher: bool = True,
        read_only: bool = False,
    ) -> None:
        self.workdir = workdir.resolve()
        home = self.workdir / "home"
        self.upload_dir = home / UPLOAD_FOLDER
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        self.sshd = ReferenceSshd(self.workdir / "sshd", home=home, read_only=read_only)
        self.watcher = (
            UploadWatcher(
                self.upload_dir,
                root=root,
                history=history,
                quarantine=self.workdir / "quarantine",
                log=self.workdir / "watcher.log",
            )
            if watcher
            else None
        )

    def start(self) -> None:
        """Start sshd, then the watcher; on failure nothing is left running."""
        self.sshd.start()
        try:
            if self.watcher is not None:
                self.watcher.start()
        except BaseException:
            self.sshd.stop()
            raise

    def stop(self) -> None:
        """Stop the watcher, then sshd, by pid. Idempotent."""
        try:
            if self.watcher is not None:
                self.watcher.stop()
        finally:
            self.sshd.stop()
