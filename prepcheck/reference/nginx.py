"""nginx as the reference difusor: its config files and its command line."""

from __future__ import annotations

from pathlib import Path

from prepcheck.reference.layout import Layout, render

NGINX = Path("/usr/sbin/nginx")


def write_config(layout: Layout) -> Path:
    """Render the nginx templates into ``layout.conf_dir``; returns the main config file."""
    layout.make_dirs()
    files = {
        "nginx.conf": "nginx/nginx.conf.j2",
        "mime.types": "nginx/mime.types.j2",
        "prepver2021.conf": "nginx/prepver2021.conf.j2",
    }
    for name, template in files.items():
        (layout.conf_dir / name).write_text(render(template, layout))
    return layout.conf_dir / "nginx.conf"


def command(layout: Layout, config: Path) -> list[str]:
    """Run nginx in the foreground (``daemon off`` is in the config) with ``workdir`` as prefix.

    ``-e`` sends the errors nginx logs before reading its config away from /var/log/nginx.
    """
    return [
        str(NGINX),
        "-p",
        f"{layout.workdir}/",
        "-e",
        str(layout.error_log),
        "-c",
        str(config),
    ]
