"""``host.access-log``: the web server writes an access log the memoria's statistics can use.

Contract of ``check_access_log(path, spec, max_age, now)``: reads only the file's tail (the
last ``TAIL_BYTES``), never the whole log. Outcomes:

* pass  the format carries client address, time, request line, status, bytes, referrer and
  user agent (combined or richer); at least 90 % of the sampled lines parse; the newest line is
  at most ``max_age`` old;
* fail  the file does not exist or is empty; the lines are in common format (no referrer or
  user agent) — fix: Apache ``CustomLog ... combined`` (``LogFormat "%h %l %u %t \\"%r\\" %>s
  %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined``), nginx ``access_log ... combined;``;
  a declared format lacking those fields; lines in an unrecognised format; no recent line
  (logging stopped, or the server writes elsewhere);
* error the file cannot be read, is a rotated gzip, or the declared format is invalid.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prepcheck.memoria.logfiles import is_gzip
from prepcheck.memoria.logformat import (
    FIELD_LABELS_ES,
    LogFormat,
    LogRecord,
    compile_format,
)
from prepcheck.results import CheckResult, error, outcome

CHECK_ID = "host.access-log"
TAIL_BYTES = 256 * 1024
SAMPLE_LINES = 200
MIN_PARSED = 0.9
FIX_COMBINED = (
    "Configure la bitácora en formato combined: en Apache «CustomLog <archivo> combined» con "
    '«LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined»; '
    "en nginx «access_log <archivo> combined;» (o un log_format que incluya $http_referer y "
    "$http_user_agent)."
)


def tail_lines(path: Path, limit: int = SAMPLE_LINES) -> list[str]:
    """The last ``limit`` complete lines among the file's last ``TAIL_BYTES``."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL_BYTES))
        data = handle.read()
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > TAIL_BYTES and lines:
        lines = lines[1:]  # the first one is probably cut
    return [line for line in lines if line.strip()][-limit:]


def check_access_log(
    path: Path,
    spec: str = "combined",
    max_age: timedelta = timedelta(hours=1),
    now: datetime | None = None,
) -> CheckResult:
    """Judge the live access log ``path`` written in format ``spec``; see the module contract."""
    try:
        log_format = compile_format(spec)
    except ValueError as exc:
        return error(CHECK_ID, f"Formato de bitácora inválido: {exc}.", formato=spec)
    evidence: dict[str, Any] = {"archivo": str(path), "formato": spec}
    if log_format.missing:
        return _missing_fields(log_format, evidence)
    if not path.exists():
        return outcome(CHECK_ID, False, f"No existe la bitácora {path}.", **evidence)
    try:
        if is_gzip(path):
            return error(CHECK_ID, f"{path} es una bitácora rotada (gzip); indique la activa.")
        lines = tail_lines(path)
        evidence["modificada"] = _iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))
    except OSError as exc:
        return error(CHECK_ID, f"No se pudo leer {path}: {exc.strerror or exc}.", **evidence)
    if not lines:
        return outcome(
            CHECK_ID, False, f"La bitácora {path} está vacía; visite el sitio y repita.", **evidence
        )
    return _judge_lines(lines, log_format, max_age, now or datetime.now(UTC), evidence)


def _missing_fields(log_format: LogFormat, evidence: dict[str, Any]) -> CheckResult:
    missing = sorted(FIELD_LABELS_ES[f] for f in log_format.missing)
    return outcome(
        CHECK_ID,
        False,
        f"El formato declarado no registra: {', '.join(missing)}. {FIX_COMBINED}",
        campos_faltantes=missing,
        **evidence,
    )


def _judge_lines(
    lines: list[str],
    log_format: LogFormat,
    max_age: timedelta,
    now: datetime,
    evidence: dict[str, Any],
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
            CHECK_ID,
            False,
            f"La línea más reciente es de {_iso(newest)}: la bitácora no registra accesos "
            f"desde hace más de {_minutes(max_age)} min (¿el servidor escribe en otro archivo o "
            "la rotación quedó abierta sobre el anterior?). Visite el sitio y repita.",
            **evidence,
        )
    return outcome(
        CHECK_ID,
        True,
        f"Bitácora en formato {log_format.spec}: {len(records)} de {len(lines)} líneas "
        f"reconocidas; la más reciente es de {_iso(newest)}.",
        **evidence,
    )


def _unrecognised(
    lines: list[str], records: list[LogRecord], evidence: dict[str, Any]
) -> CheckResult:
    common = compile_format("common")
    as_common = sum(1 for line in lines if common.parse(line) is not None)
    evidence["ejemplos"] = [line[:200] for line in lines[-3:]]
    if as_common >= MIN_PARSED * len(lines):
        return outcome(
            CHECK_ID,
            False,
            "La bitácora está en formato common: no registra la página de origen ni el agente "
            f"de usuario, necesarios para contar visitantes y visitas. {FIX_COMBINED}",
            formato_detectado="common",
            **evidence,
        )
    return outcome(
        CHECK_ID,
        False,
        f"Solo {len(records)} de {len(lines)} líneas recientes están en el formato "
        f"{evidence['formato']}; indique el formato real con --access-log-format o "
        f"{FIX_COMBINED}",
        **evidence,
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
