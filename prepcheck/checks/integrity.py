"""Evaluators for the integrity.* checks: pure functions from per-file outcomes to CheckResults.

Input is the list ``fetch_and_compare`` returns (one ``FileOutcome`` per package file). Each
check looks only at its own kinds: ``files-identical`` at modified files, ``no-missing-files``
at missing ones; files that could not be fetched (``error``) make either check ``error`` when
they leave its answer open. Evidence holds counts and at most ``MAX_EXAMPLES`` examples, never
one line per file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.files import FileOutcome
from prepcheck.snapshots.observer import Observer

MAX_EXAMPLES = 10

FILES_IDENTICAL = "integrity.files-identical"
NO_MISSING_FILES = "integrity.no-missing-files"

_KIND_LABELS = {
    "identical": "idénticos",
    "modified": "modificados",
    "missing": "faltantes",
    "error": "sin_verificar",
}


def evaluate_files_identical(outcomes: Sequence[FileOutcome]) -> CheckResult:
    """``integrity.files-identical``: every file the difusor served is byte-identical.

    fail: at least one modified file (even if others could not be checked).
    error: nothing could be compared, or some files errored and none differed.
    pass: every served file is identical (missing files are the other check's concern).
    """
    counts, total = _counts(outcomes), len(outcomes)
    modified, errored = counts["modified"], counts["error"]
    compared = counts["identical"] + modified
    evidence = _evidence(outcomes, ("modified", "error"))
    if modified:
        message = f"{modified:,} de {total:,} archivos difieren del paquete oficial"
        if errored:
            message += f"; además {errored:,} no se pudieron verificar"
        return outcome(FILES_IDENTICAL, False, message, **evidence)
    if not total:
        return error(FILES_IDENTICAL, "No hay archivos del paquete que verificar", **evidence)
    if errored:
        message = _unverified_message(outcomes, errored, compared, "son idénticos")
        return error(FILES_IDENTICAL, message, **evidence)
    if not compared:
        message = f"Ninguno de los {total:,} archivos se pudo comparar: todos faltan en el difusor"
        return error(FILES_IDENTICAL, message, **evidence)
    message = f"Los {compared:,} archivos servidos son idénticos al paquete oficial"
    if counts["missing"]:
        message += f" ({counts['missing']:,} faltantes se reportan en {NO_MISSING_FILES})"
    return outcome(FILES_IDENTICAL, True, message, **evidence)


def evaluate_no_missing_files(outcomes: Sequence[FileOutcome]) -> CheckResult:
    """``integrity.no-missing-files``: no package file answers 404/403/410/5xx or a redirect.

    fail: at least one missing file. error: none missing but some could not be fetched, or no
    files at all. pass: every file was served.
    """
    counts, total = _counts(outcomes), len(outcomes)
    missing, errored = counts["missing"], counts["error"]
    evidence = _evidence(outcomes, ("missing", "error"))
    if missing:
        statuses = Counter(str(o.status) for o in outcomes if o.kind == "missing")
        evidence["faltantes_por_estado_http"] = dict(statuses.most_common())
        by_status = ", ".join(f"{n:,} con HTTP {code}" for code, n in statuses.most_common())
        message = f"{missing:,} de {total:,} archivos faltan en el difusor ({by_status})"
        if errored:
            message += f"; además {errored:,} no se pudieron consultar"
        return outcome(NO_MISSING_FILES, False, message, **evidence)
    if not total:
        return error(NO_MISSING_FILES, "No hay archivos del paquete que verificar", **evidence)
    if errored:
        message = _unverified_message(outcomes, errored, total - errored, "están publicados")
        return error(NO_MISSING_FILES, message, **evidence)
    message = f"Los {total:,} archivos del paquete están publicados"
    return outcome(NO_MISSING_FILES, True, message, **evidence)


def _counts(outcomes: Sequence[FileOutcome]) -> Counter[str]:
    """Outcomes per kind; every kind is present (zero when absent)."""
    counts: Counter[str] = Counter({kind: 0 for kind in _KIND_LABELS})
    counts.update(o.kind for o in outcomes)
    return counts


def _unverified_message(
    outcomes: Sequence[FileOutcome], errored: int, checked: int, checked_are: str
) -> str:
    """Spanish "could not verify" message: how many, the first reason, what the rest showed."""
    first = next(o for o in outcomes if o.kind == "error")
    if not checked:
        return (
            f"No se pudo verificar ninguno de los {errored:,} archivos "
            f"(p. ej. {first.path}: {first.reason})"
        )
    return (
        f"{errored:,} de {errored + checked:,} archivos no se pudieron verificar "
        f"(p. ej. {first.path}: {first.reason}); los {checked:,} verificados {checked_are}"
    )


def _evidence(outcomes: Sequence[FileOutcome], kinds: tuple[str, ...]) -> dict[str, Any]:
    """Counts by kind plus the first ``MAX_EXAMPLES`` outcomes of ``kinds``, in that order."""
    counts = _counts(outcomes)
    selected = [o for kind in kinds for o in outcomes if o.kind == kind]
    return {
        "total": len(outcomes),
        "por_tipo": {label: counts[kind] for kind, label in _KIND_LABELS.items()},
        "ejemplos": [_example(o) for o in selected[:MAX_EXAMPLES]],
        "ejemplos_omitidos": max(0, len(selected) - MAX_EXAMPLES),
    }


def _example(o: FileOutcome) -> dict[str, Any]:
    found = {
        "ruta": o.path,
        "tipo": _KIND_LABELS[o.kind],
        "estado_http": o.status,
        "tamaño_esperado": o.expected_size,
        "tamaño_servido": o.actual_size,
        "primer_byte_distinto": o.first_diff_offset,
        "motivo": o.reason,
    }
    if o.detail:
        found["detalle_tecnico"] = o.detail
    return found


@check("integrity.files-identical")
def files_identical(seen: Observer) -> CheckResult:
    return evaluate_files_identical(seen.package_files())


@check("integrity.no-missing-files")
def no_missing_files(seen: Observer) -> CheckResult:
    return evaluate_no_missing_files(seen.package_files())
