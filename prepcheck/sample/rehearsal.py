"""Rehearsal packages for the ``ingest.*`` checks: synthetic, marked, one minute after a corte.

A rehearsal package is a sample package (``build_package``, same election folder and seed) for
an off-grid corte (the published corte plus 1 minute for the valid one, plus 2 for the corrupt
one), with an extra file ``<folder>/ENSAYO-PREPCHECK.txt`` saying it is not official. Because
the corte is newer than the published one, a difusor's procedure accepts it; because it is
older than the next official corte (at most one update interval later), the next official
package replaces it.

The corrupt package is a well-formed archive whose sidecar names a digest that does not match:
only a procedure that verifies the digest rejects it (a broken archive would be rejected by
any extractor and prove nothing).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from prepcheck.sample import BuiltPackage, build_package

MARKER_NAME = "ENSAYO-PREPCHECK.txt"
_MARKER_TEXT = (
    "Paquete de ENSAYO generado por prepcheck para probar el procedimiento automático de "
    "publicación del difusor. No es un resultado oficial. Corte de ensayo: {corte}.\n"
)


class RehearsalNotPossible(ValueError):
    """The rehearsal cortes would reach the next official corte (Spanish message)."""


@dataclass(frozen=True)
class RehearsalCortes:
    """The two rehearsal cortes after ``published`` and the official boundary they stay under."""

    published: datetime
    valid: datetime
    corrupt: datetime
    next_official: datetime


def rehearsal_cortes(published: datetime, interval: timedelta) -> RehearsalCortes:
    """Cortes ``published + 1 min`` and ``+ 2 min``; raises ``RehearsalNotPossible`` when the
    second would not stay before the next corte boundary (``interval`` grid from midnight)."""
    local = published.replace(second=0, microsecond=0)
    midnight = local.replace(hour=0, minute=0)
    steps = (local - midnight) // interval
    boundary = midnight + (steps + 1) * interval
    cortes = RehearsalCortes(
        published, local + timedelta(minutes=1), local + timedelta(minutes=2), boundary
    )
    if cortes.corrupt >= boundary:
        raise RehearsalNotPossible(
            f"el difusor ya publica el corte {local:%d/%m/%Y %H:%M}, a menos de 3 minutos del "
            f"siguiente corte oficial ({boundary:%H:%M}); publique el corte oficial vigente y "
            "repita la prueba"
        )
    return cortes


def build_rehearsal(
    corte: datetime,
    out_dir: Path,
    *,
    folder: str,
    utc_offset: timezone,
    election_start: datetime | None = None,
    corrupt_digest: bool = False,
) -> BuiltPackage:
    """A marked rehearsal package for ``corte`` in ``out_dir`` with its ``.sha256`` sidecar;
    with ``corrupt_digest`` the sidecar names a digest one hex digit off the archive's."""
    built = build_package(
        corte, out_dir, folder=folder, utc_offset=utc_offset, election_start=election_start
    )
    text = _MARKER_TEXT.format(corte=f"{built.corte:%d/%m/%Y %H:%M}")
    with zipfile.ZipFile(built.archive, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{folder}/{MARKER_NAME}", date_time=built.corte.timetuple()[:6])
        archive.writestr(info, text.encode("utf-8"))
    sha256 = hashlib.sha256(built.archive.read_bytes()).hexdigest()
    named = _off_by_one(sha256) if corrupt_digest else sha256
    built.digest_file.write_text(f"{named}  {built.archive.name}\n", encoding="ascii")
    return BuiltPackage(built.archive, built.digest_file, sha256, built.corte, built.files + 1)


def _off_by_one(digest: str) -> str:
    last = "0" if digest[-1] != "0" else "1"
    return digest[:-1] + last
