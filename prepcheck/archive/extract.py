"""Safe extraction of a package into a staging folder.

Contract: :func:`extract_safely` writes only below ``staging_dir``. Directories are walked
and created one component at a time relative to open directory descriptors with
``O_NOFOLLOW``, and files are created with ``O_CREAT | O_EXCL | O_NOFOLLOW``, so neither a
crafted name nor a symlink planted in the staging folder can redirect a write. Archive modes
are ignored (files 0644, directories 0755). Limits are enforced by the reader while bytes
are written; on any violation the staging folder is emptied (and removed if this call
created it) before the :class:`PackageError` propagates. The tree is synced to disk (one
sync(2), then every directory fsynced) before returning. Messages are Spanish; an OSError's
English text stays out of them (chained as the cause).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from prepcheck.archive import CHUNK, Entry, EntryStream, Limits, open_package
from prepcheck.errors import PackageError
from prepcheck.files import why

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_STAGING = "la carpeta temporal de desempaque"


def _why(exc: OSError) -> str:
    """What ``exc`` means, in Spanish; O_NOFOLLOW's ELOOP means a link planted in the way."""
    return "en su lugar hay un enlace simbólico" if exc.errno == errno.ELOOP else why(exc)


def extract_safely(
    archive: Path | str,
    staging_dir: Path | str,
    limits: Limits | None = None,
    *,
    on_file: Callable[[Entry], None] | None = None,
) -> list[Entry]:
    """Extract every regular file of ``archive`` below ``staging_dir``; return the entries.

    ``staging_dir`` must be absent (it is created) or an empty directory. ``on_file`` is
    called after each file is written and synced (progress reporting, test hooks).
    """
    staging = Path(staging_dir)
    created = _prepare(staging)
    try:
        return _extract(Path(archive), staging, limits or Limits(), on_file)
    except BaseException:
        _clean(staging, remove=created)
        raise


def _prepare(staging: Path) -> bool:
    if staging.is_symlink():
        raise PackageError(f"{_STAGING} es un enlace simbólico", package=str(staging))
    if staging.exists():
        if not staging.is_dir() or any(staging.iterdir()):
            raise PackageError(f"{_STAGING} ya existe y no está vacía", package=str(staging))
        return False
    staging.mkdir(mode=0o755)
    return True


def _clean(staging: Path, *, remove: bool) -> None:
    if remove:
        shutil.rmtree(staging, ignore_errors=True)
        return
    for child in staging.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _extract(
    archive: Path, staging: Path, limits: Limits, on_file: Callable[[Entry], None] | None
) -> list[Entry]:
    root = staging.resolve()
    written: list[Entry] = []
    dirs: dict[str, int] = {"": os.open(root, _DIR_FLAGS)}
    try:
        for entry, stream in open_package(archive, limits).iter_files():
            _check_inside(root, entry, archive.name)
            parent, _, name = entry.path.rpartition("/")
            _write_file(
                _open_dirs(dirs, parent, entry, archive.name), name, stream, entry, archive.name
            )
            written.append(entry)
            if on_file is not None:
                on_file(entry)
        # One sync(2) for the whole tree: per-file fsync made a 10,000-file corte take minutes
        # on slow disks, and durability is only needed before the switch, not file by file.
        os.sync()
        for fd in dirs.values():
            os.fsync(fd)
    finally:
        for fd in dirs.values():
            os.close(fd)
    return written


def _check_inside(root: Path, entry: Entry, package: str) -> None:
    """Belt and braces: the target, normalized, must stay below the staging root.

    Lexical on purpose: links on the way cannot matter, since every directory and file is
    opened relative to its parent's descriptor with ``O_NOFOLLOW``; resolving each of a
    10,000-file corte's paths against the disk cost a quarter of its extraction.
    """
    base = str(root)
    target = os.path.normpath(os.path.join(base, entry.path))
    if target == base or not target.startswith(base + os.sep):
        raise PackageError(
            f"la ruta del archivo sale de {_STAGING}", package=package, entry=entry.path
        )


def _open_dirs(dirs: dict[str, int], parent: str, entry: Entry, package: str) -> int:
    """Descriptor of ``parent`` (relative to the staging root), creating it as needed."""
    if parent in dirs:
        return dirs[parent]
    above, _, name = parent.rpartition("/")
    above_fd = _open_dirs(dirs, above, entry, package)
    # Made for an earlier entry is fine: O_NOFOLLOW below still refuses a planted link.
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, 0o755, dir_fd=above_fd)
    try:
        dirs[parent] = os.open(name, _DIR_FLAGS, dir_fd=above_fd)
    except OSError as exc:
        raise PackageError(
            f"no se pudo abrir la carpeta «{parent}»: {_why(exc)}",
            package=package,
            entry=entry.path,
        ) from exc
    return dirs[parent]


def _write_file(dir_fd: int, name: str, stream: EntryStream, entry: Entry, package: str) -> None:
    try:
        fd = os.open(name, _FILE_FLAGS, 0o644, dir_fd=dir_fd)
    except OSError as exc:
        raise PackageError(
            f"no se pudo crear el archivo: {_why(exc)}", package=package, entry=entry.path
        ) from exc
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK):
            out.write(chunk)
