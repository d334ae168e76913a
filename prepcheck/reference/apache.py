"""Apache 2.4 as the reference difusor: its config files and its command line.

Apache refuses to serve as root (its children must switch to an unprivileged ``User``). When
the harness runs as root, the whole server is started as ``www-data`` (or ``nobody``) through
``setpriv`` with the ambient capabilities to read and write any file, so it still reaches a
document root and work directory under private (0700) temp dirs, and no ``User`` switch happens.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from prepcheck.errors import ServerError
from prepcheck.reference.layout import Layout, render

APACHE = Path("/usr/sbin/apache2")
MODULE_DIR = Path("/usr/lib/apache2/modules")
SETPRIV = Path("/usr/bin/setpriv")
_BASE_MODULES = (
    "mpm_event",
    "authz_core",
    "mime",
    "dir",
    "alias",
    "headers",
    "expires",
    "filter",
    "deflate",
    "socache_shmcb",
    "ssl",
    "http2",
    # Loaded even without listings, as in Debian: "Options -Indexes" then answers 403, not 404.
    "autoindex",
)
_CAPS = "+dac_read_search,+dac_override"


def modules(layout: Layout) -> list[str]:
    """The modules this layout's variant needs, in load order (brotli when Debian ships it)."""
    variant = layout.variant
    wanted = list(_BASE_MODULES)
    if (MODULE_DIR / "mod_brotli.so").is_file():
        wanted.append("brotli")
    if variant.delay_ms or variant.error_percent:
        wanted.append("lua")
    return wanted


def write_config(layout: Layout) -> Path:
    """Render the Apache templates into ``layout.conf_dir``; returns the main config file."""
    layout.make_dirs()
    extra = {"modules": modules(layout), "module_dir": MODULE_DIR}
    files = {
        "httpd.conf": "apache/httpd.conf.j2",
        "mime.types": "apache/mime.types.j2",
        "prepver2021.conf": "apache/prepver2021.conf.j2",
        "inject.lua": "apache/inject.lua.j2",
    }
    for name, template in files.items():
        (layout.conf_dir / name).write_text(render(template, layout, **extra))
    return layout.conf_dir / "httpd.conf"


def command(layout: Layout, config: Path) -> list[str]:
    """Run Apache in the foreground; as root, first drop to an unprivileged user (see above)."""
    argv = [str(APACHE), "-d", str(layout.workdir), "-f", str(config), "-DFOREGROUND"]
    if os.geteuid() != 0:
        return argv
    user = _unprivileged_user()
    return [
        str(SETPRIV),
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        f"--inh-caps={_CAPS}",
        f"--ambient-caps={_CAPS}",
        *argv,
    ]


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("www-data", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServerError("Apache cannot run as root and neither www-data nor nobody exists")
