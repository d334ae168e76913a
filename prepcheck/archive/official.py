"""The official package as the checks see it: verified once, then a manifest of every file.

Contract: ``load_official`` never raises for a bad package; the problems land in the
``checksum`` and ``safety`` results (``package.checksum``, ``package.safe-archive``) and
``usable`` is False, so dependent checks report ``error`` ("paquete oficial no verificado")
instead of comparing a difusor against an untrusted reference.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from prepcheck.archive import Limits, open_package, validate
from prepcheck.archive.digest import verify_digest
from prepcheck.archive.extract import extract_safely
from prepcheck.config import PackageSource
from prepcheck.errors import PackageError
from prepcheck.results import CheckResult, Status, error, outcome

MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024
# Files whose bytes the checks read (the rest is only hashed): pages, main.json, CSV databases.
_KEPT_SUFFIXES = ("index.html", "json/main.json", ".csv")


@dataclass(frozen=True)
class ManifestEntry:
    """One file of the package: its path inside the archive, size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass
class OfficialPackage:
    """A loaded official package: the two precondition results and, when safe, its manifest."""

    archive: Path
    folder: str
    checksum: CheckResult
    safety: CheckResult
    manifest: tuple[ManifestEntry, ...] = ()
    contents: dict[str, bytes] = field(default_factory=dict)
    _extracted: Path | None = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        return self.checksum.status is Status.PASS and self.safety.status is Status.PASS

    def read(self, relative: str) -> bytes | None:
        """Bytes of a kept file (``index.html`` or ``json/main.json``) under the folder."""
        return self.contents.get(f"{self.folder}/{relative}")

    def extracted_root(self) -> Path:
        """A safely extracted copy of the package (made once, removed at interpreter exit).

        Only for a usable package; raises ``PackageError`` otherwise.
        """
        if not self.usable:
            raise PackageError(self.unusable_reason(), package=self.archive.name)
        if self._extracted is None:
            scratch = Path(tempfile.mkdtemp(prefix="prepcheck-official-"))
            atexit.register(shutil.rmtree, scratch, ignore_errors=True)
            extract_safely(self.archive, scratch / "tree", Limits())
            self._extracted = scratch / "tree"
        return self._extracted

    def file_bytes(self, path: str) -> bytes:
        """Bytes of any package file (archive path), read from the extracted copy."""
        root = self.extracted_root()
        target = (root / path).resolve()
        if not target.is_relative_to(root.resolve()):
            raise PackageError("path outside the package", package=self.archive.name, entry=path)
        return target.read_bytes()

    def csv_files(self) -> dict[str, bytes]:
        """The package's CSV databases: archive path -> bytes."""
        return {path: data for path, data in self.contents.items() if path.endswith(".csv")}

    def main_json(self) -> dict[str, Any] | None:
        raw = self.read("json/main.json")
        return json.loads(raw) if raw is not None else None

    @property
    def corte(self) -> datetime | None:
        data = self.main_json()
        return datetime.fromisoformat(data["corte"]) if data and "corte" in data else None

    def unusable_reason(self) -> str:
        failed = [r.message for r in (self.checksum, self.safety) if r.status is not Status.PASS]
        return "paquete oficial no verificado: " + "; ".join(failed)


def load_official(
    source: PackageSource, folder: str, limits: Limits | None = None
) -> OfficialPackage:
    """Fetch (when a URL), verify and index the official package. See the module contract."""
    archive = source.path if source.path is not None else _download(source)
    checksum = _check_digest(archive, source)
    safety = _check_safety(archive, limits or Limits())
    package = OfficialPackage(archive, folder, checksum, safety)
    if package.usable:
        package.manifest, package.contents = _index(archive, limits or Limits())
    return package


def _download(source: PackageSource) -> Path:
    assert source.url is not None
    target = Path(tempfile.mkdtemp(prefix="prepcheck-package-")) / Path(source.url).name
    size = 0
    with httpx.stream("GET", source.url, timeout=60.0, follow_redirects=True) as response:
        response.raise_for_status()
        with target.open("wb") as handle:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise PackageError("download exceeds the size limit", package=source.url)
                handle.write(chunk)
    return target


def _default_sidecar(archive: Path, algorithm: str) -> Path | None:
    candidate = archive.with_name(f"{archive.name}.{algorithm}")
    return candidate if candidate.exists() else None


def _check_digest(archive: Path, source: PackageSource) -> CheckResult:
    check = "package.checksum"
    sidecar = source.digest_file or (
        None if source.digest else _default_sidecar(archive, source.algorithm)
    )
    if source.digest is None and sidecar is None:
        return error(
            check,
            f"No hay huella para {archive.name}: configure 'digest' o 'digest_file'",
            paquete=archive.name,
        )
    try:
        verify_digest(archive, expected=source.digest, sidecar=sidecar, algorithm=source.algorithm)
    except PackageError as exc:
        return outcome(
            check,
            False,
            f"La huella del paquete no coincide: {exc}",
            paquete=archive.name,
            algoritmo=source.algorithm,
        )
    except OSError as exc:
        return error(check, f"No se pudo leer el paquete: {exc}", paquete=archive.name)
    return outcome(
        check,
        True,
        f"{archive.name} coincide con su huella {source.algorithm}",
        paquete=archive.name,
        algoritmo=source.algorithm,
        huella=str(sidecar.name) if sidecar else "configurada",
    )


def _check_safety(archive: Path, limits: Limits) -> CheckResult:
    check = "package.safe-archive"
    try:
        summary = validate(archive, limits)
    except PackageError as exc:
        return outcome(check, False, f"Paquete rechazado: {exc}", paquete=archive.name)
    except OSError as exc:
        return error(check, f"No se pudo leer el paquete: {exc}", paquete=archive.name)
    return outcome(
        check,
        True,
        f"{archive.name}: {summary.files} archivos, {summary.bytes} bytes; "
        "sin rutas peligrosas ni bombas",
        paquete=archive.name,
        archivos=summary.files,
        bytes=summary.bytes,
    )


def _index(archive: Path, limits: Limits) -> tuple[tuple[ManifestEntry, ...], dict[str, bytes]]:
    entries: list[ManifestEntry] = []
    kept: dict[str, bytes] = {}
    with open_package(archive, limits) as reader:
        for entry, stream in reader.iter_files():
            digest = hashlib.sha256()
            keep = entry.path.endswith(_KEPT_SUFFIXES)
            chunks: list[bytes] = []
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                if keep:
                    chunks.append(chunk)
            entries.append(ManifestEntry(entry.path, entry.size, digest.hexdigest()))
            if keep:
                kept[entry.path] = b"".join(chunks)
    return tuple(sorted(entries, key=lambda e: e.path)), kept


NO_PACKAGE = "sin paquete oficial configurado"


def unusable_reason(official: OfficialPackage | None) -> str | None:
    """Why checks that compare against the official package cannot run (None: they can)."""
    if official is None:
        return NO_PACKAGE
    return None if official.usable else official.unusable_reason()


def precondition_error(check_id: str, official: OfficialPackage | None) -> CheckResult | None:
    """An ``error`` record for ``check_id`` when the official package is missing or unusable."""
    reason = unusable_reason(official)
    return None if reason is None else error(check_id, reason)
