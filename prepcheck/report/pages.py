"""Writing a rendered page: atomically (a reader never sees half a page), mode ``FILE_MODE``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prepcheck.results import FILE_MODE


def write_page(html: str, path: Path) -> Path:
    """Write ``html`` to ``path`` through a temporary file and a rename; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
