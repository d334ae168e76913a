"""The synthetic package generator: names, determinism, contents, evolution between cortes."""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from prepcheck.formats.anexo13 import check_invariants, read_csv_database
from prepcheck.sample import build_package, build_site_tree, package_name

CORTE = datetime(2021, 6, 6, 21, 15)
UTC_5 = timezone(timedelta(hours=-5))
CSVS = ("prepver2021/csv/VER_DIP_LOC_2021.csv", "prepver2021/csv/VER_AYUN_2021.csv")


def tree(corte: datetime = CORTE, **kwargs: object) -> dict[str, bytes]:
    """The small site tree for ``corte`` (a copy: callers may change it)."""
    options: dict[str, object] = {
        "scale": "small",
        "seed": 2021,
        "folder": "prepver2021",
        "utc_offset": None,
    }
    options.update(kwargs)
    # Built once per distinct input: equal inputs give equal trees (what
    # test_same_inputs_give_identical_bytes proves through fresh builds). The key is a repr:
    # aware datetimes of one instant in two zones are equal and hash alike, as do True and 1.
    key = repr((corte, sorted(options.items())))
    if key not in _TREES:
        _TREES[key] = build_site_tree(corte, **options)  # type: ignore[arg-type]
    return dict(_TREES[key])


_TREES: dict[str, dict[str, bytes]] = {}


def main_json(files: dict[str, bytes], folder: str = "prepver2021") -> dict[str, object]:
    return json.loads(files[f"{folder}/json/main.json"])


def test_package_name_uses_local_election_time() -> None:
    assert package_name(CORTE, "zip") == "20210606_2115_PREP_VER.zip"
    assert package_name(datetime(2021, 6, 7, 2, 15, tzinfo=UTC), "tar.gz") == (
        "20210606_2115_PREP_VER.tar.gz"
    )
    with pytest.raises(ValueError, match="rar"):
        package_name(CORTE, "rar")


@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_same_inputs_give_identical_bytes(tmp_path: Path, fmt: str) -> None:
    first = build_package(CORTE, tmp_path / "a", fmt=fmt)  # type: ignore[arg-type]
    second = build_package(CORTE, tmp_path / "b", fmt=fmt)  # type: ignore[arg-type]
    assert first.archive.read_bytes() == second.archive.read_bytes()
    assert first.sha256 == second.sha256
    other = build_package(CORTE, tmp_path / "c", fmt=fmt, seed=7)  # type: ignore[arg-type]
    assert other.sha256 != first.sha256


def test_digest_sidecar_and_description(tmp_path: Path) -> None:
    built = build_package(CORTE, tmp_path)
    assert built.archive == tmp_path / "20210606_2115_PREP_VER.zip"
    digest = hashlib.sha256(built.archive.read_bytes()).hexdigest()
    assert built.sha256 == digest
    assert built.digest_file.read_text() == f"{digest}  20210606_2115_PREP_VER.zip\n"
    assert built.corte == datetime(2021, 6, 6, 21, 15, tzinfo=UTC_5)
    with zipfile.ZipFile(built.archive) as archive:
        assert len(archive.namelist()) == built.files
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "20210606_2115_PREP_VER.zip",
        "20210606_2115_PREP_VER.zip.sha256",
    ]


def test_zip_entries_are_sorted_and_stamped_with_the_corte(tmp_path: Path) -> None:
    built = build_package(CORTE, tmp_path)
    with zipfile.ZipFile(built.archive) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(2021, 6, 6, 21, 15, 0)}
    assert all(name.startswith("prepver2021/") for name in names)


def test_tar_gz_has_fixed_metadata(tmp_path: Path) -> None:
    built = build_package(CORTE, tmp_path, fmt="tar.gz")
    raw = built.archive.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header mtime
    with tarfile.open(built.archive) as archive:
        members = archive.getmembers()
    assert len(members) == built.files
    assert all(m.isfile() for m in members)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) for m in members} == {
        (int(built.corte.timestamp()), 0, 0, "root", "root", 0o644)
    }
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert gzip.decompress(raw)[:11] == b"prepver2021"


def test_naive_and_aware_cortes_agree() -> None:
    aware = datetime(2021, 6, 7, 2, 15, tzinfo=UTC)
    assert tree(CORTE) == tree(aware)


def test_utc_offset_changes_displayed_time() -> None:
    files = tree(datetime(2021, 6, 7, 2, 15, tzinfo=UTC), utc_offset=timezone(timedelta(hours=-6)))
    main = main_json(files)
    assert main["horaCorte"] == "06/06/2021 20:15 (UTC-6)"
    assert main["corte"] == "2021-06-06T20:15:00-06:00"


def test_main_json_names_existing_files() -> None:
    files = tree()
    main = main_json(files)
    assert main["sintetico"] is True
    assert main["corte"] == "2021-06-06T21:15:00-05:00"
    assert main["horaCorte"] == "06/06/2021 21:15 (UTC-5)"
    assert main["refrescoSegundos"] == 60
    elecciones = main["elecciones"]
    assert isinstance(elecciones, dict)
    counts = {"diputaciones": 30, "ayuntamientos": 212}
    for election_id, info in elecciones.items():
        for key in ("resumen", "csv"):
            assert f"prepver2021/{info[key]}" in files
        resumen = json.loads(files[f"prepver2021/{info['resumen']}"])
        assert len(resumen["ambitos"]) == counts[election_id]
        for ambito in resumen["ambitos"]:
            ident = f"{ambito['id']:0{info['digitosId']}d}"
            detail = json.loads(files["prepver2021/" + info["detalle"].format(id=ident)])
            assert detail["horaCorte"] == main["horaCorte"]
            for seccion in detail["secciones"]:
                assert "prepver2021/" + info["seccion"].format(id=f"{seccion:04d}") in files


def test_custom_folder_prefixes_every_path() -> None:
    files = tree(folder="prep_prueba")
    assert all(path.startswith("prep_prueba/") for path in files)
    assert "prep_prueba/index.html" in files


@pytest.mark.parametrize(
    ("option", "value"), [("scale", "huge"), ("folder", "../fuera"), ("folder", "a/b")]
)
def test_bad_options_are_rejected(option: str, value: str) -> None:
    with pytest.raises(ValueError, match=option):
        tree(CORTE, **{option: value})


def test_resumen_agrees_with_csv_summary() -> None:
    files = tree()
    main = main_json(files)
    for info in main["elecciones"].values():  # type: ignore[attr-defined]
        resumen = json.loads(files[f"prepver2021/{info['resumen']}"])
        summary = read_csv_database(files[f"prepver2021/{info['csv']}"]).summary
        assert str(resumen["totalActas"]) == summary["ACTAS_ESPERADAS"]
        assert str(resumen["actasCapturadas"]["total"]) == summary["ACTAS_CAPTURADAS"]
        assert resumen["actasCapturadas"]["porcentaje"] == summary["PORCENTAJE_ACTAS_CAPTURADAS"]
        assert str(resumen["actasContabilizadas"]["total"]) == summary["ACTAS_CONTABILIZADAS"]
        assert str(resumen["totalVotos"]) == summary["TOTAL_VOTOS_C_CS"]
        assert (
            resumen["participacionCiudadana"]["porcentaje"]
            == (summary["PORCENTAJE_PARTICIPACION_CIUDADANA"])
        )
        parties = sum(p["total"] for p in resumen["votosCandidatoPartidoCoalicion"])
        assert parties == resumen["totalVotos"]


@pytest.mark.parametrize(
    "corte",
    [
        datetime(2021, 6, 6, 18, 45),
        datetime(2021, 6, 6, 19, 0),
        datetime(2021, 6, 6, 19, 15),
        CORTE,
        datetime(2021, 6, 7, 15, 0),
        datetime(2021, 6, 12, 23, 45),
    ],
)
def test_every_csv_satisfies_the_invariants(corte: datetime) -> None:
    files = tree(corte)
    for name in CSVS:
        db = read_csv_database(files[name], name=name)
        assert db.corte_text == f"{corte:%d/%m/%Y %H:%M} (UTC-5)"
        assert check_invariants(db) == [], name
        assert db.columns[0] == "CLAVE_CASILLA"
        assert all(len(row["CODIGO_INTEGRIDAD"]) == 64 for row in db.rows)
        assert {row["CONTABILIZADA"] for row in db.rows} <= {"0", "1", "2"}


def test_progress_starts_at_zero_and_reaches_about_95_percent() -> None:
    def captured(corte: datetime) -> float:
        summary = read_csv_database(tree(corte)[CSVS[0]]).summary
        return float(summary["PORCENTAJE_ACTAS_CAPTURADAS"])

    assert captured(datetime(2021, 6, 6, 19, 0)) == 0.0
    assert 0.0 < captured(datetime(2021, 6, 6, 19, 15)) < 20.0
    assert 90.0 <= captured(datetime(2021, 6, 7, 15, 0)) <= 97.0


def test_later_corte_keeps_earlier_rows_and_counts_more() -> None:
    earlier = tree(datetime(2021, 6, 6, 20, 0))
    later = tree(datetime(2021, 6, 6, 22, 30))
    for name in CSVS:
        before = read_csv_database(earlier[name])
        after = read_csv_database(later[name])
        assert int(after.summary["ACTAS_CONTABILIZADAS"]) > int(
            before.summary["ACTAS_CONTABILIZADAS"]
        )
        rows_after = {row["CLAVE_ACTA"]: row for row in after.rows}
        for row in before.rows:
            assert rows_after[row["CLAVE_ACTA"]] == row


def test_site_is_self_contained_and_deterministic() -> None:
    files = tree()
    html = files["prepver2021/index.html"].decode()
    script = files["prepver2021/assets/app.js"].decode()
    style = files["prepver2021/assets/app.css"].decode()
    assert '<p id="corte" data-testid="corte-fecha-hora">' in html
    assert "Datos sintéticos de prueba — no son resultados reales" in html
    assert 'lang="es"' in html
    for text in (html, script, style):
        assert "http://" not in text and "https://" not in text
        assert "@import" not in text and "@font-face" not in text
    for forbidden in ("Date.now", "new Date", "Math.random", "toLocaleString", "setTimeout"):
        assert forbidden not in script
    assert '"json/main.json"' in script  # relative URL
    for testid in (
        "actas-capturadas",
        "actas-esperadas",
        "porcentaje-actas-capturadas",
        "participacion",
        "votos-",
    ):
        assert f'"{testid}' in script or f"'{testid}" in script or f'="{testid}' in script


def test_small_scale_is_small(tmp_path: Path) -> None:
    built = build_package(datetime(2021, 6, 7, 15, 0), tmp_path, seed=99)
    assert 100_000 < built.archive.stat().st_size < 2_500_000


# -- the corte's offset and the election's opening, by date -------------------------------------


def figures(files: dict[str, bytes]) -> dict[str, object]:
    """What a citizen reads: each election's CSV summary row and its state-wide resumen."""
    seen: dict[str, object] = {}
    for name in CSVS:
        seen[name] = read_csv_database(files[name]).summary
    for election in ("diputaciones", "ayuntamientos"):
        resumen = json.loads(files[f"prepver2021/json/{election}/resumen.json"])
        seen[election] = {k: v for k, v in resumen.items() if k not in ("corte", "horaCorte")}
    return seen


@pytest.mark.parametrize(
    ("corte", "offset"),
    [
        (datetime(2021, 6, 6, 21, 15), "-05:00"),  # daylight saving time
        (datetime(2021, 12, 5, 21, 15), "-06:00"),
        (datetime(2022, 6, 5, 21, 15), "-05:00"),  # its last summer (ended 30 October 2022)
        (datetime(2024, 6, 2, 21, 15), "-06:00"),
        (datetime(2027, 6, 6, 21, 15), "-06:00"),
    ],
)
def test_offset_defaults_by_date(corte: datetime, offset: str) -> None:
    main = main_json(tree(corte))
    assert main["corte"] == corte.isoformat() + offset
    assert main["horaCorte"] == f"{corte:%d/%m/%Y %H:%M} (UTC{int(offset[:3])})"


def test_election_start_defaults_to_the_last_opening() -> None:
    """19:00 of the corte's day, or of the day before for an earlier corte; in 2021 the same
    bytes as the fixed 6 June 2021 19:00 opening the builder used to assume."""
    opening_2021 = datetime(2021, 6, 6, 19, 0, tzinfo=UTC_5)
    for corte in (datetime(2021, 6, 6, 21, 15), datetime(2021, 6, 7, 15, 0)):
        assert tree(corte) == tree(corte, election_start=opening_2021)
    late = datetime(2027, 6, 7, 18, 45)
    opening_2027 = datetime(2027, 6, 6, 19, 0, tzinfo=timezone(timedelta(hours=-6)))
    assert tree(late) == tree(late, election_start=opening_2027)
    assert figures(tree(late)) != figures(tree(late, election_start=opening_2027 + timedelta(1)))
