"""The sample generator at scale: a full-scale package, and every corte of the PREP's 24 hours.

Pure (no server), but it builds about a hundred packages: it belongs with the slow tier, not
with the unit tests' seconds.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from prepcheck.formats.anexo13 import check_invariants, read_csv_database
from prepcheck.sample import build_package, build_site_tree

CSVS = ("prepver2021/csv/VER_DIP_LOC_2021.csv", "prepver2021/csv/VER_AYUN_2021.csv")


def tree(corte: datetime) -> dict[str, bytes]:
    """The site tree of a small-scale package (the unit tests' defaults)."""
    return build_site_tree(corte, scale="small", seed=2021, folder="prepver2021", utc_offset=None)


def figures(files: dict[str, bytes]) -> dict[str, object]:
    """What a citizen reads: each election's CSV summary row and its state-wide resumen."""
    seen: dict[str, object] = {}
    for name in CSVS:
        seen[name] = read_csv_database(files[name]).summary
    for election in ("diputaciones", "ayuntamientos"):
        resumen = json.loads(files[f"prepver2021/json/{election}/resumen.json"])
        seen[election] = {k: v for k, v in resumen.items() if k not in ("corte", "horaCorte")}
    return seen


@pytest.mark.slow
def test_full_scale_package(tmp_path: Path) -> None:
    built = build_package(datetime(2021, 6, 7, 15, 0), tmp_path, scale="full")
    assert built.files >= 5_000
    with zipfile.ZipFile(built.archive) as archive:
        assert sum(info.file_size for info in archive.infolist()) > 10_000_000
        for name in CSVS:
            db = read_csv_database(archive.read(name), name=name)
            assert int(db.summary["ACTAS_ESPERADAS"]) > 10_000
            assert check_invariants(db) == []
        main = json.loads(archive.read("prepver2021/json/main.json"))
        assert main["horaCorte"] == "07/06/2021 15:00 (UTC-5)"


@pytest.mark.parametrize("year", [2021, 2027])
def test_cortes_30_minutes_apart_always_differ_in_figures(year: int) -> None:
    """Every pair of cortes 30 minutes apart over the PREP's 24 hours, whatever the year (the
    last hours used to repeat themselves at small scale, and a 2027 corte counted everything)."""
    opening = datetime(year, 6, 6, 19, 0)
    previous = figures(tree(opening))
    captured = [float(previous[CSVS[0]]["PORCENTAJE_ACTAS_CAPTURADAS"])]  # type: ignore[index]
    for half_hours in range(1, 48):
        current = figures(tree(opening + timedelta(minutes=30 * half_hours)))
        for name, seen in current.items():
            assert seen != previous[name], (year, half_hours, name)
        captured.append(float(current[CSVS[0]]["PORCENTAJE_ACTAS_CAPTURADAS"]))  # type: ignore[index]
        previous = current
    assert captured[0] == 0.0 and captured == sorted(captured)
    assert 90.0 <= captured[40] <= 97.0  # 20 hours in
