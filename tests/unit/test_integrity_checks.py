"""integrity.* evaluators on synthetic outcome lists: statuses, counts, capped examples, Spanish."""

from __future__ import annotations

import json

from prepcheck.checks.integrity import (
    MAX_EXAMPLES,
    evaluate_files_identical,
    evaluate_no_missing_files,
)
from prepcheck.probes.fetch_many import OutcomeKind
from prepcheck.results import Status
from prepcheck.snapshots.files import FileOutcome


def _out(kind: OutcomeKind, i: int = 0, status: int | None = 200) -> FileOutcome:
    actual = {"identical": 100, "modified": 90}.get(kind)
    offset = 7 if kind == "modified" else None
    return FileOutcome(f"json/f{i:05d}.json", kind, status, 100, actual, offset, f"motivo {kind}")


def _many(kind: OutcomeKind, n: int, start: int = 0, status: int | None = 200) -> list[FileOutcome]:
    return [_out(kind, start + i, status) for i in range(n)]


def test_all_identical_passes_both() -> None:
    outcomes = _many("identical", 5210)
    same, present = evaluate_files_identical(outcomes), evaluate_no_missing_files(outcomes)
    assert same.status is Status.PASS
    assert same.message == "Los 5,210 archivos servidos son idénticos al paquete oficial"
    assert present.status is Status.PASS
    assert present.message == "Los 5,210 archivos del paquete están publicados"
    assert same.evidence["ejemplos"] == []
    assert same.evidence["por_tipo"]["idénticos"] == 5210


def test_modified_files_fail_with_count_and_capped_examples() -> None:
    outcomes = _many("identical", 5207) + _many("modified", 3, start=9000)
    result = evaluate_files_identical(outcomes)
    assert result.status is Status.FAIL
    assert result.message == "3 de 5,210 archivos difieren del paquete oficial"
    [first, *_] = result.evidence["ejemplos"]
    assert first == {
        "ruta": "json/f09000.json",
        "tipo": "modificados",
        "estado_http": 200,
        "tamaño_esperado": 100,
        "tamaño_servido": 90,
        "primer_byte_distinto": 7,
        "motivo": "motivo modified",
    }
    assert evaluate_no_missing_files(outcomes).status is Status.PASS

    many = _many("modified", 2500) + _many("identical", 10)
    evidence = evaluate_files_identical(many).evidence
    assert len(evidence["ejemplos"]) == MAX_EXAMPLES == 10
    assert evidence["ejemplos_omitidos"] == 2490
    assert len(json.dumps(evidence, ensure_ascii=False)) < 4000


def test_missing_files_do_not_count_as_modified() -> None:
    outcomes = _many("identical", 8) + _many("missing", 2, start=50, status=404)
    same = evaluate_files_identical(outcomes)
    assert same.status is Status.PASS
    assert "2 faltantes" in same.message
    missing = evaluate_no_missing_files(outcomes)
    assert missing.status is Status.FAIL
    assert missing.message == "2 de 10 archivos faltan en el difusor (2 con HTTP 404)"
    assert missing.evidence["faltantes_por_estado_http"] == {"404": 2}
    assert [e["ruta"] for e in missing.evidence["ejemplos"]] == [
        "json/f00050.json",
        "json/f00051.json",
    ]


def test_missing_statuses_are_summarised_most_common_first() -> None:
    outcomes = _many("missing", 3, status=403) + _many("missing", 5, start=10, status=404)
    message = evaluate_no_missing_files(outcomes).message
    assert message == "8 de 8 archivos faltan en el difusor (5 con HTTP 404, 3 con HTTP 403)"


def test_only_errors_is_error_not_pass_or_fail() -> None:
    outcomes = _many("error", 4, status=None)
    for result in (evaluate_files_identical(outcomes), evaluate_no_missing_files(outcomes)):
        assert result.status is Status.ERROR
        assert result.message.startswith("No se pudo verificar ninguno de los 4 archivos")
        assert "motivo error" in result.message


def test_some_errors_and_no_difference_is_error_naming_how_many() -> None:
    outcomes = _many("identical", 1200) + _many("error", 30, start=2000, status=None)
    result = evaluate_files_identical(outcomes)
    assert result.status is Status.ERROR
    assert result.message.startswith("30 de 1,230 archivos no se pudieron verificar")
    assert result.message.endswith("los 1,200 verificados son idénticos")
    assert evaluate_no_missing_files(outcomes).status is Status.ERROR


def test_errors_do_not_hide_a_modified_file() -> None:
    outcomes = [*_many("error", 5, status=None), _out("modified", 99), _out("missing", 98, 404)]
    result = evaluate_files_identical(outcomes)
    assert result.status is Status.FAIL
    assert result.message == (
        "1 de 7 archivos difieren del paquete oficial; además 5 no se pudieron verificar"
    )
    kinds = [e["tipo"] for e in result.evidence["ejemplos"]]
    assert kinds == ["modificados"] + ["sin_verificar"] * 5  # modified first, missing excluded
    assert evaluate_no_missing_files(outcomes).status is Status.FAIL


def test_all_missing_or_empty_cannot_tell_identity() -> None:
    assert evaluate_files_identical(_many("missing", 3, status=404)).status is Status.ERROR
    assert evaluate_files_identical([]).status is Status.ERROR
    assert evaluate_no_missing_files([]).status is Status.ERROR


def test_results_carry_catalogue_ids_and_serialise() -> None:
    outcomes = _many("identical", 2)
    same, present = evaluate_files_identical(outcomes), evaluate_no_missing_files(outcomes)
    assert (same.id, present.id) == ("integrity.files-identical", "integrity.no-missing-files")
    for result in (same, present):
        record = result.to_record()
        assert record["severity"] == "required"
        json.dumps(record, ensure_ascii=False)
