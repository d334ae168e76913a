"""Where a reference server keeps its files, and the rendering of its config templates.

Everything a server writes (configs, logs, pid, runtime and temp dirs) lives under ``workdir``;
nothing under /etc is read for configuration or written. The templates live in
``prepcheck/reference/templates/`` because difusores copy them: this module only fills them in.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from prepcheck.reference.pki import LeafCert
from prepcheck.reference.variants import MOZILLA_GUIDELINE_VERSION, Variant

TEMPLATES = Path(__file__).resolve().parent / "templates"
SERVER_NAME = "localhost"
LOOPBACK = "127.0.0.1"
HSTS_MAX_AGE = 31_536_000
FRAME_ANCESTORS = "frame-ancestors 'self'"
STATIC_MAX_AGE = 60
#: Media types of everything a PREP package holds. Served as-is by both servers.
MIME_TYPES: dict[str, tuple[str, ...]] = {
    "text/html": ("html", "htm"),
    "text/css": ("css",),
    "application/javascript": ("js", "mjs"),
    "application/json": ("json", "map"),
    "text/csv": ("csv",),
    "text/plain": ("txt",),
    "image/svg+xml": ("svg", "svgz"),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/x-icon": ("ico",),
    "font/woff": ("woff",),
    "font/woff2": ("woff2",),
    "font/ttf": ("ttf",),
    "application/pdf": ("pdf",),
    "application/zip": ("zip",),
    "application/gzip": ("gz", "tgz"),
}
#: Types worth compressing (text/html is always compressed by nginx and listed for Apache).
COMPRESSIBLE = (
    "text/html",
    "text/css",
    "application/javascript",
    "application/json",
    "text/csv",
    "text/plain",
    "image/svg+xml",
)


@dataclass(frozen=True)
class Layout:
    """Every path and port one server instance uses; the context its templates are rendered with."""

    root: Path
    workdir: Path
    https_port: int
    http_port: int
    origin_port: int
    leaf: LeafCert
    variant: Variant
    run_as_root: bool
    bind_host: str = LOOPBACK

    @property
    def listen_host(self) -> str:
        """``bind_host`` as server configs and URLs write it (IPv6 in brackets)."""
        return url_host(self.bind_host)

    @property
    def conf_dir(self) -> Path:
        return self.workdir / "conf"

    @property
    def log_dir(self) -> Path:
        return self.workdir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.workdir / "run"

    @property
    def tmp_dir(self) -> Path:
        return self.workdir / "tmp"

    @property
    def access_log(self) -> Path:
        return self.log_dir / "access.log"

    @property
    def error_log(self) -> Path:
        return self.log_dir / "error.log"

    @property
    def output_log(self) -> Path:
        """The server's own stdout and stderr (errors before its error log is open)."""
        return self.log_dir / "stderr.log"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "server.pid"

    def make_dirs(self) -> None:
        for directory in (self.conf_dir, self.log_dir, self.run_dir, self.tmp_dir):
            directory.mkdir(parents=True, exist_ok=True)

    def context(self) -> dict[str, Any]:
        """The template variables: this layout plus the fixed policy values."""
        return {
            "layout": self,
            "variant": self.variant,
            "server_name": SERVER_NAME,
            "hsts_max_age": HSTS_MAX_AGE,
            "frame_ancestors": FRAME_ANCESTORS,
            "static_max_age": STATIC_MAX_AGE,
            "mime_types": MIME_TYPES,
            "compressible": COMPRESSIBLE,
            "guideline_version": MOZILLA_GUIDELINE_VERSION,
        }


def url_host(address: str) -> str:
    """An IP address as a URL or ``listen`` directive writes it (``[::1]``, ``169.254.7.1``)."""
    return f"[{address}]" if ipaddress.ip_address(address).version == 6 else address


def render(template: str, layout: Layout, **extra: Any) -> str:
    """Render ``templates/<template>`` with ``layout``'s context (undefined names fail)."""
    return _environment().get_template(template).render(layout.context(), **extra)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # server configs, not HTML
    )
