"""Evaluators for ``ingest.*``: a rehearsal package uploaded by SFTP is published intact, and a
corrupt one never is.

Without ``[difusor.sftp]`` the ids are ``skipped`` (not measured); they also need
``rehearsal_uploads = true`` because they change what the difusor publishes, else ``skipped``
with that reason.
"""

from __future__ import annotations

from prepcheck.checks.registry import check
from prepcheck.checks.sftp import not_authorized, not_configured
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.files import FileOutcome
from prepcheck.snapshots.observer import Observer
from prepcheck.snapshots.rehearsal import Rehearsal

_MAX_LISTED = 10


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
        evidence["corte_publicado_antes_de_los_ensayos"] = rehearsal.cortes.published.isoformat()
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


@check("ingest.valid-package-published")
def valid_package_published(seen: Observer) -> CheckResult:
    check_id = "ingest.valid-package-published"
    settings = seen.difusor.sftp
    if settings is None:
        return not_configured(check_id)
    if not settings.rehearsal_uploads:
        return not_authorized(check_id)
    return evaluate_valid_published(seen.rehearsal_valid(), settings.publish_deadline_seconds)


@check("ingest.corrupt-package-rejected")
def corrupt_package_rejected(seen: Observer) -> CheckResult:
    check_id = "ingest.corrupt-package-rejected"
    settings = seen.difusor.sftp
    if settings is None:
        return not_configured(check_id)
    if not settings.rehearsal_uploads:
        return not_authorized(check_id)
    return evaluate_corrupt_rejected(seen.rehearsal_corrupt())
