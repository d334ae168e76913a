"""Evaluators of the package.* checks: the official package's digest, its safety, its CSV data.

The package is the same for every difusor; its facts come from ``archive.official``."""

from __future__ import annotations

from collections.abc import Mapping

from prepcheck.archive.official import OfficialPackage
from prepcheck.checks.registry import check
from prepcheck.errors import PackageError
from prepcheck.formats.anexo13 import check_invariants, read_csv_database
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.observer import Observer

MAX_EXAMPLES = 10


def evaluate_csv_consistency(csv_files: Mapping[str, bytes]) -> CheckResult:
    """``package.csv-consistency``: each CSV's summary row agrees with its per-acta rows.

    Outcomes: no CSV in the package → ``error``; a CSV that cannot be read → warn naming the
    file and line; discrepancies → warn with field, expected and found (fix: report them to the
    OPLE); all consistent → pass.
    """
    check = "package.csv-consistency"
    if not csv_files:
        return error(check, "El paquete no contiene bases de datos CSV")
    problems: list[dict[str, str]] = []
    rows = 0
    for name, data in sorted(csv_files.items()):
        try:
            database = read_csv_database(data, name=name)
        except PackageError as exc:
            problems.append(
                {
                    "archivo": name,
                    "campo": "(lectura)",
                    "esperado": "CSV válido",
                    "encontrado": exc.reason,  # «archivo» already names the CSV
                }
            )
            continue
        rows += len(database.rows)
        problems += [
            {"archivo": name, "campo": d.field, "esperado": d.expected, "encontrado": d.found}
            for d in check_invariants(database)
        ]
    evidence = {
        "archivos": sorted(csv_files),
        "actas_leidas": rows,
        "discrepancias": problems[:MAX_EXAMPLES],
        "total_discrepancias": len(problems),
    }
    if problems:
        first = problems[0]
        return outcome(
            check,
            False,
            f"{len(problems)} discrepancia(s); p. ej. {first['archivo']}: "
            f"{first['campo']} esperado {first['esperado']}, encontrado "
            f"{first['encontrado']}",
            **evidence,
        )
    return outcome(check, True, f"{len(csv_files)} CSV consistentes ({rows:,} actas)", **evidence)


def evaluate_checksum(official: OfficialPackage) -> CheckResult:
    """``package.checksum``: the package matches its published digest.

    Outcomes: no digest configured or the package unreadable (error: configure ``digest`` or
    ``digest_file``); mismatch (fail: download the package again from the OPLE); match (pass).
    """
    check_id = "package.checksum"
    facts = official.digest
    evidence = {"paquete": official.archive.name, "algoritmo": facts.algorithm}
    if facts.matches is None:
        return error(check_id, f"No se pudo comparar la huella: {facts.problem}.", **evidence)
    if not facts.matches:
        # The problem says itself what failed («…: la huella sha256 no coincide: …»).
        return outcome(
            check_id,
            False,
            f"El paquete no pasó la verificación de huella: {facts.problem}.",
            **evidence,
        )
    return outcome(
        check_id,
        True,
        f"{official.archive.name} coincide con su huella {facts.algorithm}.",
        **evidence,
        huella=facts.expected_from,
    )


def evaluate_safe_archive(official: OfficialPackage) -> CheckResult:
    """``package.safe-archive``: the archive is well formed and safe (no traversal, links,
    devices, duplicates, bombs). Outcomes: unreadable (error); rejected (fail, naming the entry
    and the rule); safe (pass, with files and bytes)."""
    check_id = "package.safe-archive"
    facts = official.safety
    evidence = {"paquete": official.archive.name}
    if facts.safe is None:
        return error(check_id, f"No se pudo leer el paquete: {facts.problem}.", **evidence)
    if not facts.safe:
        return outcome(check_id, False, f"Paquete rechazado: {facts.problem}.", **evidence)
    return outcome(
        check_id,
        True,
        f"{official.archive.name}: {facts.files} archivos, {facts.bytes} bytes; "
        "sin rutas peligrosas ni bombas.",
        **evidence,
        archivos=facts.files,
        bytes=facts.bytes,
    )


@check("package.checksum")
def package_checksum(seen: Observer) -> CheckResult:
    return evaluate_checksum(seen.official())


@check("package.safe-archive")
def package_safe_archive(seen: Observer) -> CheckResult:
    return evaluate_safe_archive(seen.official())


@check("package.csv-consistency")
def package_csv_consistency(seen: Observer) -> CheckResult:
    return evaluate_csv_consistency(seen.usable_official().csv_files())
