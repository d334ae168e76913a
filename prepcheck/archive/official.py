"""The official package as the checks see it: verified once, then a manifest of every file.

Contract: ``load_official`` never raises for a bad package: what it found lands in the
``digest`` and ``safety`` facts (judged by ``checks.package``) and ``usable`` is False, so the
checks that compare a difusor against the package report ``error`` ("paquete oficial no
verificado") instead of trusting an unverified reference. Reading only local files; a package
given by URL is downloaded first by ``probes.official_download``.
"""

from __future__ import annotations

import atexit
import hashlib
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timezone
from pathlib import Path

from prepcheck.archive import Limits, open_package, validate
from prepcheck.archive.digest import verify_digest
from prepcheck.archive.extract import extract_safely
from prepcheck.config import PackageSource
from prepcheck.errors import PackageError
from prepcheck.formats.corte import corte_from_main_json

# Files whose bytes the checks read (the rest is only hashed): pages, main.json, CSV databases.
_KEPT_SUFFIXES = ("index.html", "json/main.json", ".csv")


@dataclass(frozen=True)
class DigestFacts:
    """The package against its published digest. ``matches`` None: it could not be compared
    (``problem`` says why: no digest configured, unreadable package)."""

    algorithm: str
    expected_from: str | None
    matches: bool | None
    problem: str | None = None
    #: The archive's digest in hex, as computed, when it matched.
    found: str | None = None


@dataclass(frozen=True)
class SafetyFacts:
    """The archive's safety. ``safe`` None: it could not be read (``problem`` says why)."""

    safe: bool | None
    problem: str | None = None
    files: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class ManifestEntry:
    """One file of the package: its path inside the archive, size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass
class OfficialPackage:
    """A loaded official package: the facts of its two preconditions and, when safe, its
    manifest and the bytes of the files checks read."""

    archive: Path
    folder: str
    digest: DigestFacts
    safety: SafetyFacts
    tz: timezone = UTC
    manifest: tuple[ManifestEntry, ...] = ()
    contents: dict[str, bytes] = field(default_factory=dict)
    _extracted: Path | None = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        return self.digest.matches is True and self.safety.safe is True

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
            raise PackageError("la ruta sale del paquete", package=self.archive.name, entry=path)
        return target.read_bytes()

    def csv_files(self) -> dict[str, bytes]:
        """The package's CSV databases: archive path -> bytes."""
        return {path: data for path, data in self.contents.items() if path.endswith(".csv")}

    @property
    def corte(self) -> datetime | None:
        """The corte the package's main.json names (None when it names none readable)."""
        raw = self.read("json/main.json")
        try:
            return corte_from_main_json(raw, self.tz) if raw is not None else None
        except ValueError:
            return None

    def unusable_reason(self) -> str:
        problems = []
        if self.digest.matches is not True:
            problems.append(self.digest.problem or "la huella no coincide")
        if self.safety.safe is not True:
            problems.append(self.safety.problem or "el archivo no es seguro")
        return "paquete oficial no verificado: " + "; ".join(problems)


def load_official(
    archive: Path,
    source: PackageSource,
    folder: str,
    *,
    tz: timezone = UTC,
    limits: Limits | None = None,
) -> OfficialPackage:
    """Verify and index the official package at ``archive`` (see the module contract)."""
    limits = limits or Limits()
    package = OfficialPackage(
        archive, folder, _digest_facts(archive, source), _safety_facts(archive, limits), tz
    )
    if package.usable:
        package.manifest, package.contents = _index(archive, limits)
    return package


def _default_sidecar(archive: Path, algorithm: str) -> Path | None:
    candidate = archive.with_name(f"{archive.name}.{algorithm}")
    return candidate if candidate.exists() else None


def _digest_facts(archive: Path, source: PackageSource) -> DigestFacts:
    sidecar = source.digest_file or (
        None if source.digest else _default_sidecar(archive, source.algorithm)
    )
    expected_from = sidecar.name if sidecar else ("configurada" if source.digest else None)
    facts = DigestFacts(source.algorithm, expected_from, None)
    if expected_from is None:
        return DigestFacts(
            source.algorithm,
            None,
            None,
            f"no hay huella para {archive.name}: configure «digest» o «digest_file»",
        )
    try:
        _, found = verify_digest(
            archive, expected=source.digest, sidecar=sidecar, algorithm=source.algorithm
        )
    except PackageError as exc:  # says itself what failed («la huella sha256 no coincide: …»)
        return DigestFacts(facts.algorithm, expected_from, False, str(exc))
    except OSError as exc:
        return DigestFacts(
            facts.algorithm, expected_from, None, f"no se pudo leer el paquete: {exc.strerror}"
        )
    return DigestFacts(facts.algorithm, expected_from, True, found=found)


def _safety_facts(archive: Path, limits: Limits) -> SafetyFacts:
    try:
        summary = validate(archive, limits)
    except PackageError as exc:  # the check says «Paquete rechazado: …» before it
        return SafetyFacts(False, str(exc))
    except OSError as exc:
        return SafetyFacts(None, f"no se pudo leer el paquete: {exc.strerror}")
    return SafetyFacts(True, None, summary.files, summary.bytes)


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


def save_index(package: OfficialPackage, path: Path) -> Path:
    """Write ``package`` as loaded (facts, manifest, kept bytes; not its extracted copy) to
    ``path`` for :func:`load_index`. Pickle: ``path`` must be in a folder only this user
    writes (the runner's scratch folder), since loading a pickle runs what it names."""
    path.write_bytes(pickle.dumps(replace(package, _extracted=None), pickle.HIGHEST_PROTOCOL))
    return path


def load_index(path: Path) -> OfficialPackage:
    """The package :func:`save_index` wrote: verified and indexed once, read as it was."""
    package = pickle.loads(path.read_bytes())  # written by save_index: see there
    if not isinstance(package, OfficialPackage):
        raise PackageError("no es un índice de paquete oficial", package=path.name)
    return package
