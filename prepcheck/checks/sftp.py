"""Evaluators for ``sftp.*``: pure functions from SFTP session outcomes to results.

Without ``[difusor.sftp]`` the ids are ``skipped`` (not measured: the convocatoria requires an
SFTP account of every difusor, so the verdict stays INCOMPLETO). Messages never carry secrets:
the probes redact them and the evidence holds only host, port, user, the kinds of credential
offered and the server's key fingerprint.
"""

from __future__ import annotations

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome, skipped
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.sftp import SftpOutcome

NOT_CONFIGURED = "Falta la sección [difusor.sftp] con la cuenta de carga que emite el OPLE."
NOT_AUTHORIZED = (
    "ensayo de publicación no autorizado (difusor.sftp.rehearsal_uploads = false): "
    "estas pruebas suben paquetes de ensayo que el difusor publica"
)
MIN_MB_PER_S = 40.0


def not_configured(check_id: str) -> CheckResult:
    return skipped(check_id, NOT_CONFIGURED)


def not_authorized(check_id: str) -> CheckResult:
    return skipped(check_id, NOT_AUTHORIZED)


def _session_evidence(result: SftpOutcome) -> dict[str, object]:
    found: dict[str, object] = {
        **result.facts.evidence(),
        "etapa": result.stage,
        "detalle": result.reason,
        "segundos": round(result.elapsed_s, 2),
    }
    if result.error_detail:
        found["detalle_tecnico"] = result.error_detail
    return found


def _unverified(check_id: str, result: SftpOutcome) -> CheckResult | None:
    """The shared login outcomes: ``error`` when nothing could be tried (credentials not
    readable, connection failed), ``fail`` when the server refused its key or the credentials;
    None once logged in."""
    evidence = _session_evidence(result)
    if result.stage == "credenciales":
        return error(check_id, f"Credenciales SFTP no disponibles: {result.reason}", **evidence)
    if result.stage == "conexion":
        return error(check_id, f"No se pudo usar el servicio SFTP: {result.reason}", **evidence)
    if result.stage == "llave-servidor":
        return outcome(
            check_id,
            False,
            f"Llave del servidor SFTP distinta: {result.reason}",
            resultado="host-key-mismatch",
            **evidence,
        )
    if result.stage == "autenticacion":
        return outcome(
            check_id,
            False,
            f"Acceso SFTP denegado: {result.reason}",
            resultado="login-refused",
            **evidence,
        )
    return None


def evaluate_reachable(result: SftpOutcome) -> CheckResult:
    """``sftp.reachable``: log in with the issued credentials, write a file in the upload folder
    and remove it.

    Outcomes and fixes: ``ok`` (pass); ``login-refused`` (fail: enable the account and the key
    or password issued to the OPLE); ``host-key-mismatch`` (fail: the server's key is not the
    one in known_hosts; give the OPLE the current fingerprint or restore the key);
    ``write-refused`` (fail: make the upload folder writable for the account);
    ``remove-refused`` (fail: let the account delete and rename its own files, uploaders
    replace partial uploads); credentials unreadable or connection failed → error.
    """
    check = "sftp.reachable"
    early = _unverified(check, result)
    if early is not None:
        return early
    evidence = _session_evidence(result)
    if result.stage == "escritura":
        return outcome(
            check,
            False,
            f"No se puede escribir en {result.facts.upload_dir}: {result.reason}",
            resultado="write-refused",
            **evidence,
        )
    if result.stage == "borrado":
        return outcome(
            check,
            False,
            f"Se escribe pero no se puede borrar en {result.facts.upload_dir}: {result.reason}",
            resultado="remove-refused",
            **evidence,
        )
    checked = "" if result.facts.host_key_checked else " (llave del servidor no verificada)"
    return outcome(
        check,
        True,
        f"Acceso SFTP como {result.facts.username} y escritura en "
        f"{result.facts.upload_dir}{checked}",
        resultado="ok",
        **evidence,
    )


def megabytes_per_second(nbytes: int, seconds: float) -> float:
    """Throughput in MB/s, decimal megabytes (10^6 bytes) as in "40 MB/s"."""
    return nbytes / 1e6 / seconds if seconds > 0 else float("inf")


def evaluate_throughput(result: SftpOutcome, minimum_mb_s: float = MIN_MB_PER_S) -> CheckResult:
    """``sftp.throughput``: a sustained upload of ``throughput_bytes`` reaches ``minimum_mb_s``
    MB/s (10^6 bytes per second), timed from opening the remote file to closing it.

    Outcomes and fixes: pass; ``slow`` (fail: more upstream bandwidth or a faster disk for the
    upload folder; check CPU-bound ciphers, offer aes128-gcm); login or write failures → error
    (``sftp.reachable`` says why); no time measured → error.
    """
    check = "sftp.throughput"
    early = _unverified(check, result)
    if early is not None:
        return error(check, early.message, **early.evidence)
    evidence = _session_evidence(result)
    if not result.ok or result.transfer_s is None:
        return error(check, f"No se pudo medir la carga SFTP: {result.reason}", **evidence)
    rate = megabytes_per_second(result.bytes, result.transfer_s)
    evidence.update(
        bytes=result.bytes,
        segundos_de_carga=round(result.transfer_s, 3),
        mb_por_segundo=round(rate, 1),
        minimo_mb_por_segundo=minimum_mb_s,
    )
    size = f"{result.bytes / 1e6:.0f} MB en {result.transfer_s:.2f} s"
    if rate < minimum_mb_s:
        return outcome(
            check,
            False,
            f"Carga SFTP de {rate:.1f} MB/s, menos de {minimum_mb_s:g} MB/s ({size})",
            resultado="slow",
            **evidence,
        )
    return outcome(
        check, True, f"Carga SFTP de {rate:.1f} MB/s ({size})", resultado="ok", **evidence
    )


@check("sftp.reachable")
def sftp_reachable(seen: Observer) -> CheckResult:
    if seen.difusor.sftp is None:
        return not_configured("sftp.reachable")
    return evaluate_reachable(seen.sftp_write())


@check("sftp.throughput")
def sftp_throughput(seen: Observer) -> CheckResult:
    if seen.difusor.sftp is None:
        return not_configured("sftp.throughput")
    return evaluate_throughput(seen.sftp_upload(), seen.difusor.sftp.min_mb_per_s)
