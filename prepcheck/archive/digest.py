"""Package digests: streamed hashing, ``sha256sum``-format sidecars and verification.

Contract: algorithms are ``sha256`` (default), ``sha512`` and ``md5``; digests are lowercase
hex. A sidecar holds lines ``<hex>  <name>`` or ``<hex> *<name>`` (as written by
``sha256sum``/``md5sum``/``sha512sum``). Every failure raises :class:`PackageError` naming the
package and saying (in Spanish) what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

from prepcheck.errors import PackageError

HEX_LENGTHS: dict[str, int] = {"md5": 32, "sha256": 64, "sha512": 128}
SIDECAR_SUFFIXES: dict[str, str] = {".sha256": "sha256", ".sha512": "sha512", ".md5": "md5"}
_CHUNK = 1024 * 1024
_LINE = re.compile(r"^(?P<hex>[0-9a-fA-F]+) [ *](?P<name>.+)$")
_SIDECAR_MAX_BYTES = 1024 * 1024


def _check_algorithm(algorithm: str) -> str:
    name = algorithm.lower()
    if name not in HEX_LENGTHS:
        raise PackageError(
            f"algoritmo de huella desconocido «{algorithm}»; use sha256, sha512 o md5"
        )
    return name


def file_digest(path: Path | str, algorithm: str = "sha256") -> str:
    """Return the lowercase hex digest of ``path``, read in 1 MiB chunks (never whole)."""
    hasher = hashlib.new(_check_algorithm(algorithm))
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def _algorithm_for(hex_digest: str, sidecar: Path) -> str:
    """Infer the algorithm from the sidecar suffix, else from the digest length."""
    by_length = {length: name for name, length in HEX_LENGTHS.items()}.get(len(hex_digest))
    by_suffix = SIDECAR_SUFFIXES.get(sidecar.suffix.lower())
    if by_suffix and len(hex_digest) != HEX_LENGTHS[by_suffix]:
        raise PackageError(
            f"una huella {by_suffix} debe tener {HEX_LENGTHS[by_suffix]} dígitos hexadecimales "
            f"y esta tiene {len(hex_digest)}",
            package=str(sidecar),
        )
    if by_suffix is None and by_length is None:
        raise PackageError(
            f"no se reconoce el algoritmo de una huella de {len(hex_digest)} dígitos "
            "(sha256 tiene 64, sha512 128 y md5 32)",
            package=str(sidecar),
        )
    return by_suffix or str(by_length)


def _sidecar_lines(sidecar: Path) -> list[tuple[str, str]]:
    if sidecar.stat().st_size > _SIDECAR_MAX_BYTES:
        raise PackageError(
            "el archivo de huella es demasiado grande para ser uno", package=str(sidecar)
        )
    try:
        text = sidecar.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError("el archivo de huella no es texto UTF-8", package=str(sidecar)) from exc
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _LINE.match(line.strip())
        if match is None:
            raise PackageError(
                f"la línea {number} no tiene la forma «<huella en hexadecimal>  <nombre del "
                "archivo>»",
                package=str(sidecar),
            )
        pairs.append((match["hex"].lower(), match["name"]))
    if not pairs:
        raise PackageError(
            "el archivo de huella no contiene ninguna línea de huella", package=str(sidecar)
        )
    return pairs


def read_sidecar(path: Path | str, archive_name: str | None = None) -> tuple[str, str]:
    """Parse a sidecar and return ``(algorithm, hex_digest)``.

    With ``archive_name`` the line naming that file (by base name) is used; without it the
    sidecar must hold exactly one line.
    """
    sidecar = Path(path)
    pairs = _sidecar_lines(sidecar)
    if archive_name is None:
        if len(pairs) != 1:
            raise PackageError(
                "el archivo de huella lista varios archivos; indique cuál paquete verificar",
                package=str(sidecar),
            )
        hex_digest = pairs[0][0]
    else:
        wanted = Path(archive_name).name
        found = [hex_ for hex_, name in pairs if Path(name).name == wanted]
        if not found:
            listed = ", ".join(name for _, name in pairs)
            raise PackageError(
                f"no trae la huella de «{wanted}»; solo lista {listed}", package=str(sidecar)
            )
        hex_digest = found[0]
    return _algorithm_for(hex_digest, sidecar), hex_digest


def verify_digest(
    archive: Path | str,
    *,
    expected: str | None = None,
    sidecar: Path | str | None = None,
    algorithm: str = "sha256",
) -> tuple[str, str]:
    """Check ``archive`` against ``expected`` hex or a ``sidecar``; return ``(algorithm, hex)``.

    Exactly one of ``expected``/``sidecar`` must be given; a sidecar's own algorithm wins over
    ``algorithm``. Raises :class:`PackageError` with expected vs found on mismatch.
    """
    archive = Path(archive)
    if (expected is None) == (sidecar is None):
        raise PackageError(
            "give exactly one of an expected digest or a sidecar", package=archive.name
        )
    if sidecar is not None:
        algorithm, expected = read_sidecar(sidecar, archive.name)
    algorithm = _check_algorithm(algorithm)
    assert expected is not None
    wanted = expected.strip().lower()
    if len(wanted) != HEX_LENGTHS[algorithm] or not re.fullmatch(r"[0-9a-f]+", wanted):
        raise PackageError(
            f"la huella {algorithm} indicada no tiene {HEX_LENGTHS[algorithm]} dígitos "
            f"hexadecimales: «{expected}»",
            package=archive.name,
        )
    found = file_digest(archive, algorithm)
    if not hmac.compare_digest(found, wanted):
        raise PackageError(
            f"la huella {algorithm} no coincide: se esperaba {wanted}, pero el archivo tiene "
            f"{found}",
            package=archive.name,
        )
    return algorithm, found


def find_sidecar(archive: Path | str) -> Path | None:
    """The ``<archive>.sha256`` / ``.sha512`` / ``.md5`` file beside ``archive``, if present."""
    archive = Path(archive)
    for suffix in SIDECAR_SUFFIXES:
        candidate = archive.with_name(archive.name + suffix)
        if candidate.is_file():
            return candidate
    return None
