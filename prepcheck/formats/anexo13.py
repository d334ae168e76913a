"""Anexo 13 results CSV: a tolerant reader and the summary invariants.

Layout (see ``notes/prep-formats.md``): a few preamble lines (title, corte date/time text, a
summary header and its row), the column header (the line starting ``CLAVE_CASILLA,``) and one
row per acta. Each line is decoded on its own (UTF-8, with or without BOM, else Latin-1)
because published files mix a Latin-1 preamble with UTF-8 rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from prepcheck.errors import PackageError

HEADER_PREFIX = "CLAVE_CASILLA,"
MISSING = "-"

SUMMARY_FIELDS: tuple[str, ...] = (
    "ACTAS_ESPERADAS",
    "ACTAS_REGISTRADAS",
    "ACTAS_FUERA_CATALOGO",
    "ACTAS_CAPTURADAS",
    "PORCENTAJE_ACTAS_CAPTURADAS",
    "ACTAS_CONTABILIZADAS",
    "PORCENTAJE_ACTAS_CONTABILIZADAS",
    "PORCENTAJE_ACTAS_INCONSISTENCIAS",
    "ACTAS_NO_CONTABILIZADAS",
    "LISTA_NOMINAL_ACTAS_CONTABILIZADAS",
    "TOTAL_VOTOS_C_CS",
    "TOTAL_VOTOS_S_CS",
    "PORCENTAJE_PARTICIPACION_CIUDADANA",
)

# Column names some institutes use -> the name this module exposes.
ALIASES: dict[str, str] = {"SHA": "CODIGO_INTEGRIDAD", "ID_ESTADO": "ID_ENTIDAD"}

_DATE_TIME = re.compile(r"\d{2}/\d{2}/\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*\([^)]*\))?")
_MAX_ROW_REPORTS = 10


@dataclass(frozen=True)
class Discrepancy:
    """One summary value that disagrees with the rows (or a value/column that is unusable)."""

    field: str
    expected: str
    found: str


@dataclass(frozen=True)
class CsvDatabase:
    """A parsed results CSV. ``rows`` keep raw text; ``-`` (or empty) means missing."""

    title: str
    corte_text: str
    summary: dict[str, str]
    columns: list[str]
    rows: list[dict[str, str]]


def truncated_percent(count: int, total: int) -> str:
    """``count * 100 / total`` truncated (not rounded) to 4 decimals; ``0.0000`` if total is 0."""
    if total <= 0:
        return "0.0000"
    scaled = count * 1_000_000 // total
    return f"{scaled // 10_000}.{scaled % 10_000:04d}"


# ---------------------------------------------------------------------------------------------
# Reading


def read_csv_database(data: bytes, *, name: str = "") -> CsvDatabase:
    """Parse an Anexo 13 CSV.

    Raises ``PackageError`` naming ``name`` and the 1-based line when there is no header line,
    the summary row does not match its header, or a row has a different number of fields.
    """
    lines = _decode_lines(data)
    header_at = _find_header(lines, name)
    columns = [ALIASES.get(cell, cell) for cell in _cells(lines[header_at])]
    title, corte_text, summary = _parse_preamble(lines[:header_at], name)
    rows = list(_parse_rows(lines, header_at, columns, name))
    return CsvDatabase(title, corte_text, summary, columns, rows)


def _decode_lines(data: bytes) -> list[str]:
    data = data.removeprefix(b"\xef\xbb\xbf")
    return [_decode(raw.rstrip(b"\r")) for raw in data.split(b"\n")]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _find_header(lines: list[str], name: str) -> int:
    for index, line in enumerate(lines):
        if line.lstrip().startswith(HEADER_PREFIX):
            return index
    raise PackageError(
        f"líneas 1-{len(lines)}: no hay renglón de encabezado que empiece con «{HEADER_PREFIX}»",
        package=name,
    )


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in next(csv.reader([line]), [])]


def _parse_preamble(lines: list[str], name: str) -> tuple[str, str, dict[str, str]]:
    """Title, corte text and summary from the lines before the header (any length)."""
    texts: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        cells = [cell for cell in _cells(line) if cell]
        if cells:
            texts.append((number, cells))
    summary: dict[str, str] = {}
    used: set[int] = set()
    for position, (number, cells) in enumerate(texts):
        if "ACTAS_ESPERADAS" in cells and position + 1 < len(texts):
            row_number = texts[position + 1][0]
            summary = _summary(cells, _cells(lines[row_number - 1]), row_number, name)
            used = {number, row_number}
            break
    corte_text, title = "", ""
    for number, cells in texts:
        text = " ".join(cells)
        match = _DATE_TIME.search(text)
        if number in used:
            continue
        if match and not corte_text:
            corte_text = match.group(0)
        elif not title:
            title = text
    return title, corte_text, summary


def _summary(header: list[str], values: list[str], line: int, name: str) -> dict[str, str]:
    header = [cell for cell in header if cell]
    values = values[: len(header)] if all(not v for v in values[len(header) :]) else values
    if len(values) != len(header):
        raise PackageError(
            f"línea {line}: el renglón de resumen tiene {len(values)} campos y su encabezado "
            f"{len(header)}",
            package=name,
        )
    return dict(zip(header, values, strict=True))


def _parse_rows(
    lines: list[str], header_at: int, columns: list[str], name: str
) -> Iterator[dict[str, str]]:
    body = lines[header_at + 1 :]
    reader = csv.reader(body)
    for cells in reader:
        line = header_at + 1 + reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            raise PackageError(
                f"línea {line}: el renglón tiene {len(cells)} campos y el encabezado "
                f"{len(columns)}",
                package=name,
            )
        yield dict(zip(columns, (cell.strip() for cell in cells), strict=True))


# ---------------------------------------------------------------------------------------------
# Invariants


def check_invariants(db: CsvDatabase, tolerance: float = 0.0001) -> list[Discrepancy]:
    """Compare the preamble summary with what the rows imply; ``[]`` means consistent.

    Counts and sums must match exactly; percentages within ``tolerance`` of the exact value
    (truncating and rounding systems both pass). Participation is accepted computed from
    TOTAL_VOTOS_S_CS (special casillas have no lista nominal) or from TOTAL_VOTOS_C_CS.
    PORCENTAJE_ACTAS_INCONSISTENCIAS has no row-level definition, so it is only bounded by
    the captured share.
    """
    problems = _missing_fields(db)
    if problems:
        return problems
    expected, problems = _expected_from_rows(db)
    tol = Decimal(str(tolerance))
    for field in SUMMARY_FIELDS:
        problem = _compare(field, db.summary[field], expected[field], tol)
        if problem:
            problems.append(problem)
    return problems


def _missing_fields(db: CsvDatabase) -> list[Discrepancy]:
    needed = ("CONTABILIZADA", "LISTA_NOMINAL", "TOTAL_VOTOS_CALCULADO", "TIPO_CASILLA")
    missing = [
        Discrepancy(f, "presente en el resumen", "ausente")
        for f in SUMMARY_FIELDS
        if f not in db.summary
    ]
    missing += [
        Discrepancy(c, "columna presente", "ausente") for c in needed if c not in db.columns
    ]
    return missing


def _expected_from_rows(db: CsvDatabase) -> tuple[dict[str, object], list[Discrepancy]]:
    problems: list[Discrepancy] = []
    counts = {"0": 0, "1": 0, "2": 0}
    lista = votos_c = votos_s = 0
    for index, row in enumerate(db.rows, start=1):
        status = row["CONTABILIZADA"]
        if status not in counts:
            _report(problems, f"CONTABILIZADA [renglón {index}]", "0, 1 o 2", status)
            continue
        counts[status] += 1
        if status != "1":
            continue
        lista += _row_int(row, "LISTA_NOMINAL", index, problems)
        votes = _row_int(row, "TOTAL_VOTOS_CALCULADO", index, problems)
        votos_c += votes
        if row["TIPO_CASILLA"].upper() != "S":
            votos_s += votes
    esperadas = _number(db.summary["ACTAS_ESPERADAS"]) or Decimal(0)
    capturadas = counts["0"] + counts["1"]
    expected: dict[str, object] = {
        "ACTAS_ESPERADAS": ("min", capturadas),
        "ACTAS_REGISTRADAS": sum(counts.values()),
        "ACTAS_FUERA_CATALOGO": counts["2"],
        "ACTAS_CAPTURADAS": capturadas,
        "PORCENTAJE_ACTAS_CAPTURADAS": _ratio(capturadas, esperadas),
        "ACTAS_CONTABILIZADAS": counts["1"],
        "PORCENTAJE_ACTAS_CONTABILIZADAS": _ratio(counts["1"], esperadas),
        "PORCENTAJE_ACTAS_INCONSISTENCIAS": ("range", _ratio(capturadas, esperadas)),
        "ACTAS_NO_CONTABILIZADAS": counts["0"],
        "LISTA_NOMINAL_ACTAS_CONTABILIZADAS": lista,
        "TOTAL_VOTOS_C_CS": votos_c,
        "TOTAL_VOTOS_S_CS": votos_s,
        "PORCENTAJE_PARTICIPACION_CIUDADANA": (
            "any",
            _ratio(votos_s, lista),
            _ratio(votos_c, lista),
        ),
    }
    return expected, problems


def _report(problems: list[Discrepancy], field: str, expected: str, found: str) -> None:
    if len(problems) < _MAX_ROW_REPORTS:
        problems.append(Discrepancy(field, expected, found))


def _row_int(row: dict[str, str], column: str, index: int, problems: list[Discrepancy]) -> int:
    text = row[column]
    if text in (MISSING, ""):
        return 0
    value = _number(text)
    if value is None or value != value.to_integral_value():
        _report(problems, f"{column} [renglón {index}]", "entero o '-'", text)
        return 0
    return int(value)


def _number(text: str) -> Decimal | None:
    cleaned = text.strip().removesuffix("%").replace(",", "").strip()
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _ratio(count: int, total: Decimal | int) -> Decimal:
    return Decimal(0) if total <= 0 else Decimal(count) * 100 / Decimal(total)


def _compare(field: str, found_text: str, expected: object, tol: Decimal) -> Discrepancy | None:
    found = _number(found_text)
    if found is None:
        return Discrepancy(field, _describe(expected), found_text)
    if _agrees(found, expected, tol):
        return None
    return Discrepancy(field, _describe(expected), found_text)


def _agrees(found: Decimal, expected: object, tol: Decimal) -> bool:
    if isinstance(expected, tuple):
        kind, *values = expected
        if kind == "min":
            return found >= values[0]
        if kind == "range":
            return Decimal(0) <= found <= values[0] + tol
        return any(abs(found - value) <= tol for value in values)
    if isinstance(expected, Decimal):
        return abs(found - expected) <= tol
    return found == expected


def _describe(expected: object) -> str:
    if isinstance(expected, tuple):
        kind, *values = expected
        if kind == "min":
            return f">= {values[0]}"
        if kind == "range":
            return f"entre 0 y {_four(values[0])}"
        return " o ".join(_four(value) for value in values)
    if isinstance(expected, Decimal):
        return _four(expected)
    return str(expected)


def _four(value: Decimal) -> str:
    """Exact ratio shown truncated to 4 decimals, the way the summary row writes it."""
    return str(value.quantize(Decimal("0.0001"), rounding="ROUND_DOWN"))
