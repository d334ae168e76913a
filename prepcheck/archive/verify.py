"""``prepcheck package verify``: digest and archive safety of one package, in one summary line."""

from __future__ import annotations

from pathlib import Path

from prepcheck.archive import Limits, validate
from prepcheck.archive.digest import find_sidecar, verify_digest
from prepcheck.errors import PackageError


def verify_package(
    package: Path,
    *,
    digest_file: Path | None = None,
    expected: str | None = None,
    algorithm: str = "sha256",
    limits: Limits | None = None,
) -> str:
    """Verify ``package`` (digest first, then safety); return a Spanish summary line.

    The digest comes from ``expected``, ``digest_file`` or a sidecar beside the package.
    Raises ``PackageError`` naming the package (and the entry) when anything is wrong.
    """
    if not package.is_file():
        raise PackageError("no se encontró el archivo", package=str(package))
    sidecar = digest_file or (None if expected else find_sidecar(package))
    if sidecar is None and expected is None:
        raise PackageError(
            f"no hay huella con qué compararlo: indique --digest o ponga {package.name}.sha256 "
            "junto al paquete",
            package=package.name,
        )
    used, digest = verify_digest(package, expected=expected, sidecar=sidecar, algorithm=algorithm)
    summary = validate(package, limits)
    corte = f"{summary.corte_from_name:%d/%m/%Y %H:%M}" if summary.corte_from_name else "?"
    return (
        f"{package.name}: íntegro y seguro — corte {corte}, {summary.files} archivos, "
        f"{summary.bytes:,} bytes, {used} {digest}"
    )
