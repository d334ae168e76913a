"""The ``host.*`` evaluators: what ``prepcheck selftest`` read on the difusor's host, judged.

Contract: pure functions of ``prepcheck.snapshots.host`` facts plus the thresholds of
``HostSettings`` (no I/O; the collectors are ``prepcheck.host.disk``, ``.history`` and
``.access_log``).

``host.disk-free`` (``disk_free``), per filesystem holding one of the folders (each once,
evidence per mount point, space available to a non-root user):

* pass  every filesystem has at least ``min_free_bytes`` free;
* fail  one has less (named, with free and required GB); fix: free or enlarge that filesystem;
* error a folder does not exist or cannot be measured (the first, named); fix: pass the right
  folder.

``host.history-kept`` (``history_kept``):

* pass  at least one package; each has a sidecar and matches it; every package ingest.log says
  was published is present;
* fail  a package without sidecar, a mismatch, an unreadable package, a sidecar without its
  package, or a published package missing (counts plus the first ``max_problems``, each
  named); fix: restore the package from the OPLE's copy and keep it with its digest;
* error the folder does not exist, cannot be listed or holds no package at all (nothing to
  verify yet), or its ingest.log cannot be read. Without ingest.log the folder alone is judged
  (said in the evidence).

``host.access-log`` (``access_log``), on the log's tail as read:

* pass  the format carries client address, time, request line, status, bytes, referrer and
  user agent (combined or richer); at least 90 % of the sampled lines parse; the newest line is
  at most ``max_age`` older than the moment the tail was read;
* fail  the file does not exist or is empty; the lines are in common format (no referrer or
  user agent) — fix: Apache ``CustomLog ... combined`` (``LogFormat "%h %l %u %t \\"%r\\" %>s
  %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined``), nginx ``access_log ... combined;``;
  a declared format lacking those fields; lines in an unrecognised format; no recent line
  (logging stopped, or the server writes elsewhere);
* error the file cannot be read, is a rotated gzip, or the declared format is invalid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import PurePath
from typing import Any

from prepcheck.checks.registry import check
from prepcheck.formats.logformat import FIELD_LABELS_ES, LogFormat, LogRecord, compile_format
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.host import (
    AccessLogTail,
    Digest,
    Filesystem,
    FolderSpace,
    HistoryFolder,
)
from prepcheck.spanish import zone_text

DISK_FREE = "host.disk-free"
HISTORY_KEPT = "host.history-kept"
ACCESS_LOG = "host.access-log"
GB = 1_000_000_000
MIN_PARSED = 0.9
FIX_COMBINED = (
    "Configure la bitácora en formato combined: en Apache «CustomLog <archivo> combined» con "
    '«LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined»; '
    "en nginx «access_log <archivo> combined;» (o un log_format que incluya $http_referer y "
    "$http_user_agent)."
)

# --- host.disk-free -------------------------------------------------------------------------


@check(DISK_FREE)
def disk_free(folders: Sequence[FolderSpace], min_free_bytes: int) -> CheckResult:
    """Judge the filesystems holding ``folders``; see the module contract."""
    mounts: dict[int, dict[str, Any]] = {}
    for folder in folders:
        if folder.filesystem is None:
            return error(
                DISK_FREE, f"No se pudo medir {folder.label} ({folder.path}): {folder.error}"
            )
        entry = mounts.setdefault(folder.filesystem.device, _mount(folder.filesystem))
        entry["contiene"].append(f"{folder.label}: {folder.path}")
    short = [m for m in mounts.values() if m["libres_bytes"] < min_free_bytes]
    evidence = {
        "minimo_bytes": min_free_bytes,
        "regla": "espacio disponible para usuarios no root (statvfs f_bavail), por sistema de "
        "archivos; 1 GB = 10^9 bytes",
        "sistemas_de_archivos": [_row(m) for m in mounts.values()],
    }
    if short:
        names = "; ".join(
            f"{m['punto_de_montaje']} tiene {_gb(m['libres_bytes'])} GB libres" for m in short
        )
        return outcome(
            DISK_FREE, False, f"{names}; se requieren {_gb(min_free_bytes)} GB.", **evidence
        )
    least = min(m["libres_bytes"] for m in mounts.values())
    return outcome(
        DISK_FREE,
        True,
        f"{len(mounts)} sistema(s) de archivos con al menos {_gb(least)} GB libres "
        f"(mínimo {_gb(min_free_bytes)} GB).",
        **evidence,
    )


def _mount(filesystem: Filesystem) -> dict[str, Any]:
    return {
        "punto_de_montaje": filesystem.mount_point,
        "libres_bytes": filesystem.free_bytes,
        "total_bytes": filesystem.total_bytes,
        "contiene": [],
    }


def _row(mount: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "punto_de_montaje": mount["punto_de_montaje"],
        "contiene": mount["contiene"],
        "libres_gb": _gb(mount["libres_bytes"]),
        "total_gb": _gb(mount["total_bytes"]),
        "libres_bytes": mount["libres_bytes"],
    }


def _gb(value: int) -> float:
    return round(value / GB, 2)


# --- host.history-kept ----------------------------------------------------------------------

#: Problem kinds: the keys of ``problemas_por_tipo`` and their Spanish wording.
_KIND_ES = {
    "sin_huella": "sin archivo de huella",
    "no_coincide": "no coincide con su huella",
    "ilegible": "no se puede leer",
    "huella_sin_paquete": "huella sin su paquete",
    "falta_publicado": "publicado según ingest.log pero ausente",
}
_KIND_OF_DIGEST = {
    Digest.NO_SIDECAR: "sin_huella",
    Digest.MISMATCH: "no_coincide",
    Digest.UNREADABLE: "ilegible",
}


@check(HISTORY_KEPT)
def history_kept(history: HistoryFolder, max_problems: int = 20) -> CheckResult:
    """Judge the history folder as read; see the module contract."""
    if not history.is_folder:
        return error(HISTORY_KEPT, f"No existe la carpeta de históricos {history.path}.")
    if history.error is not None:
        return error(
            HISTORY_KEPT,
            f"No se pudo leer la carpeta de históricos {history.path}: {history.error}.",
        )
    log = history.ingest_log
    if log is not None and log.error is not None:
        return error(
            HISTORY_KEPT,
            f"No se pudo leer ingest.log en {history.path}: {log.error}.",
            carpeta=history.path,
        )
    published = log.published if log is not None else frozenset()
    if not history.packages and not published:
        return error(
            HISTORY_KEPT, f"La carpeta {history.path} no contiene paquetes: nada que verificar."
        )
    problems = _history_problems(history, published)
    counts = Counter(kind for _, kind, _ in problems)
    evidence: dict[str, Any] = {
        "carpeta": history.path,
        "paquetes": len(history.packages),
        "integros": sum(p.digest is Digest.INTACT for p in history.packages),
        "publicados_segun_ingest_log": len(published) if log is not None else None,
        "lineas_ilegibles_ingest_log": log.unreadable_lines if log is not None else 0,
        "problemas_por_tipo": dict(counts),
        "problemas": [
            {"archivo": name, "problema": _KIND_ES[kind], "detalle": detail}
            for name, kind, detail in problems[:max_problems]
        ],
    }
    if log is None:
        evidence["nota"] = "sin ingest.log: solo se verificó el contenido de la carpeta"
    if problems:
        first = "; ".join(f"{name} ({_KIND_ES[kind]})" for name, kind, _ in problems[:3])
        more = f" y {len(problems) - 3} más" if len(problems) > 3 else ""
        return outcome(
            HISTORY_KEPT, False, f"{len(problems)} problema(s): {first}{more}.", **evidence
        )
    return outcome(
        HISTORY_KEPT,
        True,
        f"{len(history.packages)} paquete(s) conservados, cada uno con su huella.",
        **evidence,
    )


def _history_problems(
    history: HistoryFolder, published: frozenset[str]
) -> list[tuple[str, str, str]]:
    """(file name, problem kind, detail): packages not intact, orphan sidecars, then published
    packages missing (each group in name order)."""
    problems = [
        (package.name, _KIND_OF_DIGEST[package.digest], package.detail)
        for package in history.packages
        if package.digest is not Digest.INTACT
    ]
    names = {package.name for package in history.packages}
    problems += [
        (sidecar, "huella_sin_paquete", "")
        for sidecar in history.sidecars
        if PurePath(sidecar).stem not in names
    ]
    problems += [(name, "falta_publicado", "") for name in sorted(published - names)]
    return problems


# --- host.access-log ------------------------------------------------------------------------


@check(ACCESS_LOG)
def access_log(
    tail: AccessLogTail,
    spec: str = "combined",
    max_age: timedelta = timedelta(hours=1),
    tz: tzinfo | None = None,
) -> CheckResult:
    """Judge the log's tail, declared in format ``spec``; see the module contract. Moments
    are shown in ``tz`` (the election's), else in this host's own time zone."""
    try:
        log_format = compile_format(spec)
    except ValueError as exc:
        return error(ACCESS_LOG, f"Formato de bitácora inválido: {exc}.", formato=spec)
    evidence: dict[str, Any] = {"archivo": tail.path, "formato": spec}
    if log_format.missing:
        return _missing_fields(log_format, evidence)
    if not tail.exists:
        return outcome(ACCESS_LOG, False, f"No existe la bitácora {tail.path}.", **evidence)
    if tail.gzip:
        return error(ACCESS_LOG, f"{tail.path} es una bitácora rotada (gzip); indique la activa.")
    if tail.error is not None:
        return error(ACCESS_LOG, f"No se pudo leer {tail.path}: {tail.error}.", **evidence)
    if tail.modified is not None:
        evidence["modificada"] = _iso(tail.modified)
    if not tail.lines:
        return outcome(
            ACCESS_LOG,
            False,
            f"La bitácora {tail.path} está vacía; visite el sitio y repita.",
            **evidence,
        )
    return _judge_lines(tail.lines, log_format, max_age, tail.read_at, evidence, tz)


def _missing_fields(log_format: LogFormat, evidence: dict[str, Any]) -> CheckResult:
    missing = sorted(FIELD_LABELS_ES[f] for f in log_format.missing)
    return outcome(
        ACCESS_LOG,
        False,
        f"El formato declarado no registra: {', '.join(missing)}. {FIX_COMBINED}",
        campos_faltantes=missing,
        **evidence,
    )


def _judge_lines(
    lines: Sequence[str],
    log_format: LogFormat,
    max_age: timedelta,
    now: datetime,
    evidence: dict[str, Any],
    tz: tzinfo | None,
) -> CheckResult:
    records = [r for r in (log_format.parse(line) for line in lines) if r is not None]
    evidence |= {"lineas_muestreadas": len(lines), "lineas_reconocidas": len(records)}
    if len(records) < MIN_PARSED * len(lines):
        return _unrecognised(lines, records, evidence)
    newest = max(record.time for record in records)
    evidence |= {"linea_mas_reciente": _iso(newest), "antiguedad_maxima_s": max_age.total_seconds()}
    evidence["con_agente_de_usuario"] = sum(1 for r in records if r.user_agent)
    if now - newest > max_age:
        return outcome(
            ACCESS_LOG,
            False,
            f"La línea más reciente es del {_shown(newest, tz)}: la bitácora no registra accesos "
            f"desde hace más de {_minutes(max_age)} min (¿el servidor escribe en otro archivo o "
            "la rotación quedó abierta sobre el anterior?). Visite el sitio y repita.",
            **evidence,
        )
    return outcome(
        ACCESS_LOG,
        True,
        f"Bitácora en formato {log_format.spec}: {len(records)} de {len(lines)} líneas "
        f"reconocidas; la más reciente es del {_shown(newest, tz)}.",
        **evidence,
    )


def _unrecognised(
    lines: Sequence[str], records: list[LogRecord], evidence: dict[str, Any]
) -> CheckResult:
    common = compile_format("common")
    as_common = sum(1 for line in lines if common.parse(line) is not None)
    evidence["ejemplos"] = [line[:200] for line in lines[-3:]]
    if as_common >= MIN_PARSED * len(lines):
        return outcome(
            ACCESS_LOG,
            False,
            "La bitácora está en formato common: no registra la página de origen ni el agente "
            f"de usuario, necesarios para contar visitantes y visitas. {FIX_COMBINED}",
            formato_detectado="common",
            **evidence,
        )
    return outcome(
        ACCESS_LOG,
        False,
        f"Solo {len(records)} de {len(lines)} líneas recientes están en el formato "
        f"{evidence['formato']}; indique el formato real con --access-log-format o "
        f"{FIX_COMBINED}",
        **evidence,
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _shown(moment: datetime, tz: tzinfo | None) -> str:
    """``01/12/2026 09:00:32 (UTC−06:00)`` in ``tz``, else in this host's own time zone."""
    return f"{moment.astimezone(tz):%d/%m/%Y %H:%M:%S} ({zone_text(tz, moment)})"


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
