"""The reference ingest procedure: verify, validate, extract, switch atomically, keep history.

This is the "procedimiento automático para verificar la integridad y descomprimir" of the
convocatoria, in a form difusores can adopt; the reference difusor uses it.

On-disk layout::

    root/
      current -> releases/<release>    relative symlink: web servers serve root/current
      releases/<release>/              one extracted package; <release> = <corte>-<sha256[:12]>,
                                       <corte> = YYYYMMDD_HHMM from the package file name
      .staging-<corte>-<random>/       transient extraction folder (same filesystem as root)
      current.tmp                      transient symlink renamed over ``current``
      .ingest.lock                     flock(2) lock serialising ingests
    history/
      <package name>                   every package accepted, never overwritten
      <package name>.<algorithm>       its digest in sha256sum format
      ingest.log                       append-only JSON lines, one per event

Atomicity: the new corte is complete and fsynced in ``releases/`` before ``current`` is
switched with a single rename(2) of a symlink, so a reader resolving ``current`` sees the old
tree or the new one, never a mix. (Web servers must resolve ``current`` per request: nginx
``root /srv/prep/current;`` does; keep ``open_file_cache`` off or short.)

The upload is first copied to ``root/.staging-upload-<random>/`` and only that copy is
verified, validated, extracted and archived, so an upload rewritten meanwhile cannot slip
unverified bytes in.

Recovery: a ``.staging-*`` folder or ``current.tmp`` left by a killed run is removed by the
next ingest; a release folder without the switch is rebuilt.

Test hook: ``PREPCHECK_INGEST_PAUSE=during-extract|before-switch|after-switch`` makes ingest
print ``PREPCHECK_INGEST_PAUSED <point>`` on stderr and sleep
``PREPCHECK_INGEST_PAUSE_SECONDS`` (default 60) at that point, so tests can kill -9 it there.
Never set it in production.

The procedure is split by job: :mod:`~prepcheck.ingest.publish` (the procedure),
:mod:`~prepcheck.ingest.plan` (private copy, digest, release name),
:mod:`~prepcheck.ingest.history` (history folder and log),
:mod:`~prepcheck.ingest.release` (lock, recovery, install, switch, prune) and
:mod:`~prepcheck.ingest.watch` (watch mode). This module keeps the public surface.
"""

from __future__ import annotations

from prepcheck.ingest.history import LOG_NAME
from prepcheck.ingest.publish import IngestOutcome, Status, ingest
from prepcheck.ingest.release import PAUSE_ENV, PAUSE_SECONDS_ENV, current_release
from prepcheck.ingest.watch import watch

__all__ = [
    "LOG_NAME",
    "PAUSE_ENV",
    "PAUSE_SECONDS_ENV",
    "IngestOutcome",
    "Status",
    "current_release",
    "ingest",
    "watch",
]
