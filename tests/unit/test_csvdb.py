"""The Anexo 13 CSV reader and its summary invariants, on hand-written files."""

from __future__ import annotations

import pytest

from prepcheck.errors import PackageError
from prepcheck.formats.anexo13 import (
    SUMMARY_FIELDS,
    Discrepancy,
    check_invariants,
    read_csv_database,
    truncated_percent,
)

HEADER = (
    "CLAVE_CASILLA,CLAVE_ACTA,ID_ENTIDAD,SECCION,TIPO_CASILLA,PAN,MORENA,NO_REGISTRADOS,NULOS,"
    "TOTAL_VOTOS_CALCULADO,LISTA_NOMINAL,OBSERVACIONES,CONTABILIZADA,CODIGO_INTEGRIDAD"
)
# Counted: rows 1, 2 (special) and 4; row 3 not counted; row 5 fuera de catálogo.
ROWS = (
    "300001B01002,300001B010022,30,1,B,100,150,1,9,260,500,-,1,aa",
    "300001S01002,300001S010022,30,1,S,40,50,0,2,92,0,-,1,bb",
    "300002B01002,300002B010022,30,2,B,-,-,-,-,-,600,Ilegible,0,cc",
    "300003C01002,300003C010022,30,3,C,80,90,2,8,180,400,-,1,dd",
    "300003C99012,300003C990122,30,3,C,1,1,0,0,2,-,Fuera de catálogo,2,ee",
)
# esperadas 7; registradas 5; fuera 1; capturadas 4; contabilizadas 3; lista 900;
# votes with specials 532, without 440; participation 440*100/900 = 48.888...
SUMMARY = (
    "7",
    "5",
    "1",
    "4",
    "57.1428",
    "3",
    "42.8571",
    "14.2857",
    "1",
    "900",
    "532",
    "440",
    "48.8888",
)


def make_csv(
    *,
    preamble_before: tuple[str, ...] = (
        "PREP VERACRUZ 2021 - Diputaciones Locales",
        "06/06/2021 21:15 (UTC-5)",
    ),
    summary: tuple[str, ...] = SUMMARY,
    header: str = HEADER,
    rows: tuple[str, ...] = ROWS,
    extra_preamble: tuple[str, ...] = (),
) -> str:
    lines = [
        *preamble_before,
        ",".join(SUMMARY_FIELDS),
        ",".join(summary),
        *extra_preamble,
        header,
        *rows,
    ]
    return "\n".join(lines) + "\n"


def test_truncated_percent_truncates_to_four_decimals() -> None:
    assert truncated_percent(4, 7) == "57.1428"  # 57.142857… rounds to .1429
    assert truncated_percent(0, 0) == "0.0000"
    assert truncated_percent(7, 7) == "100.0000"


def test_reads_a_four_line_preamble() -> None:
    db = read_csv_database(make_csv().encode(), name="VER_DIP_LOC_2021.csv")
    assert db.title == "PREP VERACRUZ 2021 - Diputaciones Locales"
    assert db.corte_text == "06/06/2021 21:15 (UTC-5)"
    assert db.summary["ACTAS_ESPERADAS"] == "7"
    assert db.columns[0] == "CLAVE_CASILLA"
    assert len(db.rows) == len(ROWS)
    assert db.rows[2]["PAN"] == "-"
    assert check_invariants(db) == []


def test_reads_a_seven_line_preamble_with_blank_and_comma_lines() -> None:
    text = make_csv(
        preamble_before=(
            "Instituto (sintético)",
            "PREP 2021,,,",
            "Corte: 06/06/2021 21:15 (UTC-5),,",
            ",,,",
        ),
        extra_preamble=("",),
    )
    assert text.split("\n").index(HEADER) == 7
    db = read_csv_database(text.encode(), name="x.csv")
    assert db.title == "Instituto (sintético)"
    assert db.corte_text == "06/06/2021 21:15 (UTC-5)"
    assert db.summary["TOTAL_VOTOS_S_CS"] == "440"
    assert check_invariants(db) == []


def test_utf8_bom_is_ignored() -> None:
    db = read_csv_database(b"\xef\xbb\xbf" + make_csv().encode(), name="bom.csv")
    assert db.title.startswith("PREP VERACRUZ")
    assert check_invariants(db) == []


def test_bom_directly_before_header_line_is_found() -> None:
    text = HEADER + "\n" + "\n".join(ROWS) + "\n"
    db = read_csv_database(b"\xef\xbb\xbf" + text.encode(), name="bare.csv")
    assert db.columns[0] == "CLAVE_CASILLA"
    assert db.summary == {}


def test_latin1_preamble_with_utf8_rows() -> None:
    preamble = "Elección de Diputaciones — Cómputo\n".replace("—", "-").encode("latin-1")
    body = make_csv(preamble_before=("06/06/2021 21:15 (UTC-5)",)).encode("utf-8")
    db = read_csv_database(preamble + body, name="latin1.csv")
    assert db.title == "Elección de Diputaciones - Cómputo"
    assert db.rows[4]["OBSERVACIONES"] == "Fuera de catálogo"
    assert check_invariants(db) == []


def test_whole_file_in_latin1() -> None:
    db = read_csv_database(make_csv().encode("latin-1"), name="latin1.csv")
    assert db.rows[4]["OBSERVACIONES"] == "Fuera de catálogo"


def test_sha_and_id_estado_aliases() -> None:
    header = HEADER.replace("CODIGO_INTEGRIDAD", "SHA").replace("ID_ENTIDAD", "ID_ESTADO")
    db = read_csv_database(make_csv(header=header).encode(), name="alias.csv")
    assert "CODIGO_INTEGRIDAD" in db.columns and "SHA" not in db.columns
    assert "ID_ENTIDAD" in db.columns
    assert db.rows[0]["CODIGO_INTEGRIDAD"] == "aa"


def test_tampered_summary_value_is_reported_with_expected_and_found() -> None:
    summary = list(SUMMARY)
    summary[SUMMARY_FIELDS.index("TOTAL_VOTOS_C_CS")] = "999"
    db = read_csv_database(make_csv(summary=tuple(summary)).encode(), name="t.csv")
    assert check_invariants(db) == [Discrepancy("TOTAL_VOTOS_C_CS", "532", "999")]


def test_tampered_percentage_beyond_tolerance_is_reported() -> None:
    summary = list(SUMMARY)
    summary[SUMMARY_FIELDS.index("PORCENTAJE_ACTAS_CONTABILIZADAS")] = "42.8590"
    db = read_csv_database(make_csv(summary=tuple(summary)).encode(), name="t.csv")
    assert check_invariants(db) == [
        Discrepancy("PORCENTAJE_ACTAS_CONTABILIZADAS", "42.8571", "42.8590")
    ]


def test_rounded_percentages_and_participation_with_specials_are_accepted() -> None:
    summary = list(SUMMARY)
    summary[SUMMARY_FIELDS.index("PORCENTAJE_ACTAS_CAPTURADAS")] = "57.1429"  # rounded
    summary[SUMMARY_FIELDS.index("PORCENTAJE_PARTICIPACION_CIUDADANA")] = "59.1111"  # 532/900
    db = read_csv_database(make_csv(summary=tuple(summary)).encode(), name="r.csv")
    assert check_invariants(db) == []


def test_counts_each_contabilizada_state() -> None:
    summary = list(SUMMARY)
    for field in (
        "ACTAS_REGISTRADAS",
        "ACTAS_FUERA_CATALOGO",
        "ACTAS_CAPTURADAS",
        "ACTAS_CONTABILIZADAS",
        "ACTAS_NO_CONTABILIZADAS",
        "LISTA_NOMINAL_ACTAS_CONTABILIZADAS",
        "TOTAL_VOTOS_S_CS",
    ):
        summary[SUMMARY_FIELDS.index(field)] = "0"
    db = read_csv_database(make_csv(summary=tuple(summary)).encode(), name="c.csv")
    found = {d.field: d.expected for d in check_invariants(db)}
    assert found == {
        "ACTAS_REGISTRADAS": "5",
        "ACTAS_FUERA_CATALOGO": "1",
        "ACTAS_CAPTURADAS": "4",
        "ACTAS_CONTABILIZADAS": "3",
        "ACTAS_NO_CONTABILIZADAS": "1",
        "LISTA_NOMINAL_ACTAS_CONTABILIZADAS": "900",
        "TOTAL_VOTOS_S_CS": "440",
    }


def test_invalid_contabilizada_value_is_reported() -> None:
    rows = (*ROWS[:4], ROWS[4].replace(",2,ee", ",7,ee"))
    db = read_csv_database(make_csv(rows=rows).encode(), name="v.csv")
    problems = check_invariants(db)
    assert Discrepancy("CONTABILIZADA [renglón 5]", "0, 1 o 2", "7") in problems


def test_missing_summary_is_reported() -> None:
    text = "Título\n" + HEADER + "\n" + "\n".join(ROWS) + "\n"
    db = read_csv_database(text.encode(), name="s.csv")
    problems = check_invariants(db)
    assert Discrepancy("ACTAS_ESPERADAS", "presente en el resumen", "ausente") in problems


def test_no_header_line_raises_naming_the_file() -> None:
    text = "Título\n06/06/2021 21:15 (UTC-5)\nCLAVE,ACTA\n1,2\n"
    with pytest.raises(
        PackageError, match=r"sin_encabezado\.csv: líneas 1-5: no hay renglón de encabezado"
    ):
        read_csv_database(text.encode(), name="sin_encabezado.csv")


def test_ragged_row_raises_naming_file_and_line() -> None:
    rows = (*ROWS[:2], ROWS[2] + ",extra", *ROWS[3:])
    with pytest.raises(PackageError, match=r"ragged\.csv: línea 8: el renglón tiene 15 campos"):
        read_csv_database(make_csv(rows=rows).encode(), name="ragged.csv")


def test_summary_row_not_matching_its_header_raises() -> None:
    with pytest.raises(
        PackageError, match=r"short\.csv: línea 4: el renglón de resumen tiene 2 campos"
    ):
        read_csv_database(make_csv(summary=("7", "5")).encode(), name="short.csv")


def test_crlf_line_endings_and_blank_trailing_lines() -> None:
    text = make_csv().replace("\n", "\r\n") + "\r\n\r\n"
    db = read_csv_database(text.encode(), name="crlf.csv")
    assert len(db.rows) == len(ROWS)
    assert db.rows[0]["CODIGO_INTEGRIDAD"] == "aa"
    assert check_invariants(db) == []
