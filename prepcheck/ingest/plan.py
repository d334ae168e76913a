"""What one ingest is about to publish: the private copy of the upload and its verified plan.

Contract: :func:`private_copy` copies the upload into ``root`` (removed afterwards) so what is
verified is exactly what gets extracted; :func:`make_plan` requires a ``YYYYMMDD_HHMM_PREP``
name and a matching digest (PackageError otherwise) and names the release
``<corte>-<sha256[:12]>``; :func:`refuse_older` rejects a corte older than or equal to the
published one (the caller skips it when forced).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prepcheck.archive import corte_id
from prepcheck.archive.digest import file_digest, verify_digest
from prepcheck.errors import PackageError


@dataclass(frozen=True)
class Plan:
    """The verified facts of one ingest: copy, corte, digest (as given) and its sha256."""

    package: Path
    corte: str
    algorithm: str
    digest: str
    sha256: str

    @property
    def release(self) -> str:
        return f"{self.corte}-{self.sha256[:12]}"


def make_plan(
    package: Path, digest_file: Path | str | None, expected: str | None, algorithm: str
) -> Plan:
    """Check the name and the digest of ``package``; PackageError when either is wrong."""
    corte = corte_id(package.name)
    if corte is None:
        raise PackageError(
            "el nombre del archivo no empieza con la fecha y hora del corte en la forma "
            "AAAAMMDD_HHMM_PREP (p. ej. 20210606_2100_PREP_VER.zip)",
            package=package.name,
        )
    if digest_file is None and expected is None:
        raise PackageError(
            "no se indicó la huella y no hay archivo .sha256, .sha512 ni .md5 junto al paquete",
            package=package.name,
        )
    algorithm, digest = verify_digest(
        package, expected=expected, sidecar=digest_file, algorithm=algorithm
    )
    sha256 = digest if algorithm == "sha256" else file_digest(package, "sha256")
    return Plan(package, corte, algorithm, digest, sha256)


@contextmanager
def private_copy(package: Path, root: Path) -> Iterator[Path]:
    """Copy the upload into ``root``: what is verified is then exactly what gets extracted,
    even if the upload changes meanwhile. The copy keeps the upload's name (sidecar lines)."""
    if not package.is_file():
        raise PackageError(
            "no se encontró el archivo del paquete, o no es un archivo normal", package=str(package)
        )
    holder = root / f".staging-upload-{secrets.token_hex(4)}"
    holder.mkdir()
    try:
        copy = holder / package.name
        shutil.copyfile(package, copy)
        yield copy
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def refuse_older(plan: Plan, current: str) -> None:
    """PackageError when ``plan``'s corte is older than or the same as the published one."""
    current_corte = current.split("-", 1)[0]
    if plan.corte < current_corte:
        raise PackageError(
            f"el corte {plan.corte} es anterior al publicado ({current_corte}); para volver a "
            "un corte anterior use --force",
            package=plan.package.name,
        )
    if plan.corte == current_corte:
        raise PackageError(
            f"el corte {plan.corte} ya está publicado con otro paquete ({current}); para "
            "reemplazarlo use --force",
            package=plan.package.name,
        )
