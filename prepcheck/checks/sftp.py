"""Evaluators for ``sftp.*`` and ``ingest.*``: pure functions from probe outcomes to results.

Conditional ids: without ``[difusor.sftp]`` every id is ``skipped`` ("no configurado"); the
``ingest.*`` ids also need ``rehearsal_uploads = true`` (they change what the difusor
publishes), else ``skipped`` with that reason. Messages never carry secrets: the probes redact
them and the evidence holds only host, port, user, the kinds of credential offered and the
server's key fingerprint.
"""

from __future__ import annotations

from prepcheck.results import CheckResult, error, outcome, skipped
from prepcheck.snapshots.files import FileOutcome
from prepcheck.snapshots.rehearsal import Rehearsal
from prepcheck.snapshots.sftp import SftpOutcome

NOT_CONFIGURED = "no configurado (difusor.sftp)"
NOT_AUTHORIZED = (
    "ensayo de publicación no autorizado (difusor.sftp.rehearsal_uploads = false): "
    "estas pruebas suben paquetes de ensayo que el difusor publica"
)
MIN_MB_PER_S = 40.0
_MAX_LISTED = 10


def not_configured(check_id: str) -> CheckResult:
    return skipped(check_id, NOT_CONFIGURED)


def not_authorized(check_id: str) -> CheckResult:
    return skipped(check_id, NOT_AUTHORIZED)


def _session_evidence(result: SftpOutcome) -> dict[str, object]:
    return {
        **result.facts.evidence(),
        "etapa": result.stage,
        "detalle": result.reason,
        "segundos": round(result.elapsed_s, 2),
    }


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


def _differences(files: list[FileOutcome]) -> list[dict[str, object]]:
    wrong = [f for f in files if f.kind != "identical"]
    return [
        {"archivo": f.path, "resultado": f.kind, "motivo": f.reason} for f in wrong[:_MAX_LISTED]
    ]


def _rehearsal_evidence(rehearsal: Rehearsal) -> dict[str, object]:
    evidence: dict[str, object] = {
        "paquete_de_ensayo": rehearsal.package,
        "corte_de_ensayo": rehearsal.corte.isoformat() if rehearsal.corte else None,
        "archivos": len(rehearsal.files),
    }
    if rehearsal.cortes is not None:
        evidence["corte_publicado_antes"] = rehearsal.cortes.published.isoformat()
    if rehearsal.upload is not None:
        evidence["carga"] = {
            **rehearsal.upload.facts.evidence(),
            "detalle": rehearsal.upload.reason,
            "bytes": rehearsal.upload.bytes,
        }
    if rehearsal.watch is not None:
        evidence["observacion"] = rehearsal.watch.evidence()
    if rehearsal.cleanup is not None:
        evidence["limpieza"] = rehearsal.cleanup.detail or rehearsal.cleanup.reason
    return evidence


def _not_observed(check_id: str, rehearsal: Rehearsal) -> CheckResult | None:
    evidence = _rehearsal_evidence(rehearsal)
    if rehearsal.phase == "sin-corte":
        return error(
            check_id, f"No se pudo leer el corte publicado: {rehearsal.reason}", **evidence
        )
    if rehearsal.phase == "sin-ensayo":
        return error(check_id, f"No se pudo ensayar: {rehearsal.reason}", **evidence)
    if rehearsal.phase == "carga":
        return error(
            check_id, f"No se pudo subir el paquete de ensayo: {rehearsal.reason}", **evidence
        )
    return None


def evaluate_valid_published(rehearsal: Rehearsal, deadline_s: float) -> CheckResult:
    """``ingest.valid-package-published``: a valid rehearsal package uploaded by SFTP is
    served byte-identical (main.json names its corte and every file matches) within
    ``deadline_s`` seconds of the end of the upload.

    Outcomes and fixes: pass; ``not-published`` (fail: run the automatic procedure on the upload
    folder, e.g. ``prepcheck ingest --watch``); ``published-different`` (fail: main.json
    switched but files differ or are missing; publish the whole package atomically);
    main.json unreadable, no room before the next official corte, or the upload failed → error.
    """
    check = "ingest.valid-package-published"
    early = _not_observed(check, rehearsal)
    if early is not None:
        return early
    assert rehearsal.watch is not None
    watch = rehearsal.watch
    evidence = {
        **_rehearsal_evidence(rehearsal),
        "plazo_segundos": deadline_s,
        "diferencias": _differences(watch.files),
    }
    corte = f"{watch.corte:%d/%m/%Y %H:%M}"
    if watch.verified_s is not None:
        return outcome(
            check,
            True,
            f"El paquete de ensayo (corte {corte}) se publicó íntegro en "
            f"{watch.verified_s:.1f} s (plazo {deadline_s:g} s)",
            resultado="ok",
            **evidence,
        )
    if watch.appeared:
        wrong = sum(1 for f in watch.files if f.kind != "identical")
        return outcome(
            check,
            False,
            f"main.json cambió al corte {corte}, pero {wrong} archivo(s) "
            f"no coinciden con el paquete tras {deadline_s:g} s",
            resultado="published-different",
            **evidence,
        )
    return outcome(
        check,
        False,
        f"El paquete de ensayo (corte {corte}) no se publicó en {deadline_s:g} s",
        resultado="not-published",
        **evidence,
    )


def evaluate_corrupt_rejected(rehearsal: Rehearsal) -> CheckResult:
    """``ingest.corrupt-package-rejected``: a package whose sidecar digest does not match is
    never published, and the previous corte stays online intact.

    Run after a verified valid rehearsal: without one, a difusor that publishes nothing would
    pass, so that case is ``error`` (no concluyente). Outcomes and fixes: pass;
    ``corrupt-published`` (fail: verify the digest before unpacking, reject on mismatch);
    ``previous-damaged`` (fail: never unpack over the published tree; stage and switch
    atomically); main.json unreadable or the upload failed → error.
    """
    check = "ingest.corrupt-package-rejected"
    if rehearsal.phase == "sin-valido":
        return error(
            check,
            f"No concluyente: {rehearsal.reason}; sin él no se distingue un "
            "rechazo de un procedimiento inactivo",
            **_rehearsal_evidence(rehearsal),
        )
    early = _not_observed(check, rehearsal)
    if early is not None:
        return early
    assert rehearsal.watch is not None
    watch = rehearsal.watch
    evidence = {
        **_rehearsal_evidence(rehearsal),
        "corte_anterior": _differences(rehearsal.baseline),
    }
    corte = f"{watch.corte:%d/%m/%Y %H:%M}"
    if watch.appeared:
        return outcome(
            check,
            False,
            f"Se publicó el paquete con huella incorrecta (corte {corte}) "
            f"a los {watch.appeared_s:.1f} s",
            resultado="corrupt-published",
            **evidence,
        )
    damaged = [f for f in rehearsal.baseline if f.kind != "identical"]
    if damaged or not rehearsal.baseline:
        return outcome(
            check,
            False,
            f"El paquete con huella incorrecta no se publicó, pero el "
            f"corte anterior ya no se sirve íntegro ({len(damaged)} archivo(s) "
            "distintos o faltantes)",
            resultado="previous-damaged",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"El paquete con huella incorrecta (corte {corte}) no se publicó "
        f"en {watch.waited_s:.0f} s y el corte anterior sigue íntegro",
        resultado="ok",
        **evidence,
    )
