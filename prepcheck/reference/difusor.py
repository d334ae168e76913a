"""The embedded reference difusor: the ingest procedure publishing into a site a real server serves.

Layout under ``workdir``::

    docroot/index.html              the difusor's own portal page (links to the election folder)
    docroot/<folder> -> ../published/current/<folder>   what the web server serves
    published/                      ingest root (releases/, current -> releases/<corte>)
    history/                        every package received, with its digest
    server/                         the web server's configs, logs, pid, certificates
    sftp/                           with ``sftp=True``: sshd, upload folder, watcher (upload.py)

Contract: ``publish`` goes through ``prepcheck.ingest`` exactly like a difusor adopting
it; the server is started and stopped by pid and leaves no process behind.
"""

from __future__ import annotations

from pathlib import Path

from prepcheck.errors import PackageError, ServerError
from prepcheck.ingest import IngestOutcome, ingest
from prepcheck.lifecycle import Service
from prepcheck.reference.layout import LOOPBACK
from prepcheck.reference.pki import LocalCA
from prepcheck.reference.servers import ReferenceServer, ServerKind
from prepcheck.reference.upload import ReferenceUpload
from prepcheck.reference.variants import Variant

# The difusor's own portal (clause I.f): its header around the official pages, embedded.
_PORTAL = """<!DOCTYPE html>
<html lang="es-MX"><head><meta charset="utf-8"><title>Difusor de referencia</title>
<style>body{{margin:0;font-family:sans-serif}} header{{background:#333;color:#fff;padding:8px}}
iframe{{border:0;width:100%;height:1400px}}</style></head>
<body><header>Difusor de referencia (prepcheck) —
<a style="color:#fff" href="{folder}/">Resultados del PREP</a></header>
<iframe title="PREP" src="{folder}/#/"></iframe></body></html>
"""


class ReferenceDifusor(Service):
    """A reference difusor on loopback (or ``bind_host``): ingest + nginx or Apache over HTTPS
    with a local CA."""

    def __init__(
        self,
        workdir: Path,
        *,
        kind: ServerKind = "nginx",
        https_port: int = 0,
        http_port: int = 0,
        variant: Variant | None = None,
        ca: LocalCA | None = None,
        folder: str = "prepver2021",
        sftp: bool = False,
        sftp_watcher: bool = True,
        sftp_read_only: bool = False,
        bind_host: str = LOOPBACK,
    ) -> None:
        """``sftp`` adds the upload side: sshd on loopback and, unless ``sftp_watcher`` is
        False, ``prepcheck ingest --watch`` publishing uploads into this site."""
        self.workdir = workdir.resolve()
        self.folder = folder
        self.docroot = self.workdir / "docroot"
        self.published = self.workdir / "published"
        self.history = self.workdir / "history"
        self._prepare_docroot()
        self.server = ReferenceServer(
            self.docroot,
            self.workdir / "server",
            kind=kind,
            https_port=https_port,
            http_port=http_port,
            variant=variant or Variant(),
            ca=ca,
            bind_host=bind_host,
        )
        self.upload = (
            ReferenceUpload(
                self.workdir / "sftp",
                root=self.published,
                history=self.history,
                watcher=sftp_watcher,
                read_only=sftp_read_only,
            )
            if sftp
            else None
        )

    def _prepare_docroot(self) -> None:
        self.docroot.mkdir(parents=True, exist_ok=True)
        (self.docroot / "index.html").write_text(
            _PORTAL.format(folder=self.folder), encoding="utf-8"
        )
        link = self.docroot / self.folder
        if not link.is_symlink():
            link.symlink_to(Path("..") / "published" / "current" / self.folder)

    def publish(
        self, package: Path, digest_file: Path | None = None, *, force: bool = False
    ) -> IngestOutcome:
        """Ingest ``package``; raises ``PackageError`` when it is rejected."""
        result = ingest(
            package, digest_file=digest_file, root=self.published, history=self.history, force=force
        )
        if result.status == "rejected":  # the reason names the package already
            raise PackageError(result.reason or f"{package.name}: rechazado")
        return result

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def http_url(self) -> str:
        """The plain-HTTP root (the server redirects it to HTTPS unless the variant says not)."""
        return self.server.http_url

    @property
    def ca_file(self) -> Path:
        return self.server.ca_file

    def _upload_side(self) -> ReferenceUpload:
        if self.upload is None:
            raise ServerError("this reference difusor was created without sftp=True")
        return self.upload

    @property
    def sftp_host(self) -> str:
        return self._upload_side().sshd.host

    @property
    def sftp_port(self) -> int:
        return self._upload_side().sshd.port

    @property
    def sftp_user(self) -> str:
        return self._upload_side().sshd.user

    @property
    def sftp_key(self) -> Path:
        return self._upload_side().sshd.client_key

    @property
    def sftp_known_hosts(self) -> Path:
        return self._upload_side().sshd.known_hosts

    @property
    def upload_dir(self) -> Path:
        """The upload folder on disk (``upload`` relative to the SFTP start folder)."""
        return self._upload_side().upload_dir

    def start(self) -> None:
        self.server.start()
        if self.upload is not None:
            try:
                self.upload.start()
            except BaseException:
                self.server.stop()
                raise

    def stop(self) -> None:
        try:
            if self.upload is not None:
                self.upload.stop()
        finally:
            self.server.stop()
