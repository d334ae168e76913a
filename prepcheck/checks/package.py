"""Evaluators for the package.* checks that read the official package's contents."""

from __future__ import annotations

from collections.abc import Mapping

from prepcheck.errors import PackageError
from prepcheck.formats.anexo13 import check_invariants, read_csv_database
from prepcheck.results import CheckResult, error, outcome

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
                    "encontrado": str(exc),
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
