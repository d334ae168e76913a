"""Where reference shots are kept between runs: one folder per official package's content.

Rendering the official package costs as much as rendering a difusor, and it is the same work
for every run against the same package (re-running one difusor after its fix, a sharded run,
the test suite). :func:`shots_folder` names a folder under the user's cache
(``$PREPCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/prepcheck``, else ``~/.cache/prepcheck``),
keyed by the package archive's verified digest; the renderer keys each shot further by page,
viewport, render settings and the browser build, so a shot is reused only for the same bytes
shown by the same browser. Only the ``KEEP`` most recently used package folders are kept.
It returns None when the cache cannot be used (no usable package, an unwritable cache): the run
then keeps its shots in its scratch folder, as before.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Package folders kept (a corte every 15 minutes: the last two hours of a rehearsal).
KEEP = 8


def cache_root() -> Path:
    """The user's prepcheck cache folder (not created)."""
    explicit = os.environ.get("PREPCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "prepcheck"


def shots_folder(digest: str) -> Path | None:
    """The reference-shot folder of the package archive whose verified digest is ``digest``,
    created and marked as just used; older package folders beyond ``KEEP`` are removed. None
    when the cache is unusable."""
    try:
        base = cache_root() / "referencia"
        folder = base / digest[:32]
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
        _prune(base)
    except OSError:
        return None
    return folder


def _prune(base: Path) -> None:
    folders = sorted(
        (entry for entry in base.iterdir() if entry.is_dir()),
        key=lambda entry: entry.stat().st_mtime,
        reverse=True,
    )
    for stale in folders[KEEP:]:
        shutil.rmtree(stale, ignore_errors=True)
