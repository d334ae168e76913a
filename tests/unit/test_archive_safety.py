"""Reading, validating and extracting packages: good formats, every bad kind, and digests."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from archive_factory import (
    BAD_KINDS,
    SITE_V1,
    snapshot,
    tar_files,
    tar_info,
    tree,
    write_sidecar,
    write_tar_gz,
    write_zip,
    zip_of_zips,
)

from prepcheck.archive import (
    EntryStream,
    Limits,
    _Ledger,
    corte_from_name,
    open_package,
    validate,
)
from prepcheck.archive.digest import file_digest, find_sidecar, read_sidecar, verify_digest
from prepcheck.archive.extract import extract_safely
from prepcheck.errors import PackageError

NAME = "20210606_2100_PREP_VER"
# Where the absolute-path kinds point (BAD_KINDS): extraction must never create them.
ABSOLUTE_TARGETS = (Path("/tmp/evil.txt"), Path("/etc/evil.txt"))


# --- good packages ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "zip-of-zips"])
def test_good_package_validates_and_extracts_identically(tmp_path: Path, kind: str) -> None:
    archive = tmp_path / f"{NAME}.pkg"  # extension deliberately says nothing
    if kind == "zip":
        write_zip(archive, SITE_V1)
    elif kind == "tar.gz":
        tar_files(archive, SITE_V1)
    else:
        half = dict(list(SITE_V1.items())[:2])
        rest = dict(list(SITE_V1.items())[2:])
        zip_of_zips(archive, {f"{NAME}_A.zip": half, f"{NAME}_B.zip": rest})
    summary = validate(archive)
    assert (summary.files, summary.bytes) == (len(SITE_V1), sum(map(len, SITE_V1.values())))
    assert summary.format == kind
    assert summary.corte_from_name is not None and summary.corte_from_name.hour == 21
    entries = extract_safely(archive, tmp_path / "staging")
    assert sorted(e.path for e in entries) == sorted(SITE_V1)
    assert tree(tmp_path / "staging") == SITE_V1


def test_entries_stream_without_reading_everything(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / f"{NAME}.zip", SITE_V1)
    reader = open_package(archive)
    assert {e.path: e.size for e in reader.entries()} == {k: len(v) for k, v in SITE_V1.items()}
    for entry, stream in reader.iter_files():
        assert stream.read(5) == SITE_V1[entry.path][:5]


def test_tar_dot_prefix_and_directory_entries_are_normalized(tmp_path: Path) -> None:
    dir_info = tar_info("./prepver2021/", kind=b"5")
    items = [(tar_info("./", kind=b"5"), b""), (dir_info, b"")]
    items += [(tar_info(f"./{name}", data), data) for name, data in SITE_V1.items()]
    archive = write_tar_gz(tmp_path / f"{NAME}.tar.gz", items)
    assert sorted(e.path for e in open_package(archive).entries()) == sorted(SITE_V1)


def test_zip_inside_an_ordinary_package_is_a_plain_file(tmp_path: Path) -> None:
    download = write_zip(tmp_path / "datos.zip", {"x.csv": b"1"}).read_bytes()
    archive = write_zip(tmp_path / f"{NAME}.zip", {**SITE_V1, "prepver2021/datos.zip": download})
    extract_safely(archive, tmp_path / "staging")
    assert (tmp_path / "staging/prepver2021/datos.zip").read_bytes() == download


def test_zip_of_zips_rejects_the_same_path_in_two_inner_zips(tmp_path: Path) -> None:
    archive = zip_of_zips(
        tmp_path / f"{NAME}.zip", {"A.zip": {"p/x.csv": b"1"}, "B.zip": {"p/x.csv": b"2"}}
    )
    with pytest.raises(PackageError, match=r"\[B\.zip!p/x\.csv\]: ruta repetida"):
        validate(archive)


def test_nesting_zero_rejects_zip_of_zips(tmp_path: Path) -> None:
    archive = zip_of_zips(tmp_path / f"{NAME}.zip", {"A.zip": {"x.csv": b"1"}})
    with pytest.raises(PackageError, match=r"\[A\.zip\]: archivo comprimido anidado"):
        validate(archive, Limits(max_nesting=0))


def test_empty_package_is_rejected(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / f"{NAME}.zip", {})
    with pytest.raises(PackageError, match="no contiene ningún archivo"):
        validate(archive)


def test_corte_from_name() -> None:
    moment = corte_from_name("20210606_2115_PREP_VER.tar.gz")
    assert moment is not None and (moment.day, moment.hour, moment.minute) == (6, 21, 15)
    assert corte_from_name("20211306_2115_PREP.zip") is None
    assert corte_from_name("package.zip") is None


# --- the byte counter behind a lying header --------------------------------------------------


def _stream(raw: bytes, declared: int) -> EntryStream:
    limits = Limits()
    ledger = _Ledger(limits, "pkg.zip", 10**6)
    return EntryStream(
        io.BytesIO(raw),
        entry="a.csv",
        declared=declared,
        compressed=None,
        ledger=ledger,
        limits=limits,
        package="pkg.zip",
    )


def test_stream_longer_than_its_header_is_rejected() -> None:
    with pytest.raises(PackageError, match=r"\[a\.csv\]: el archivo trae más bytes"):
        _stream(b"x" * 100, declared=10).read()


def test_stream_shorter_than_its_header_is_rejected() -> None:
    with pytest.raises(PackageError, match=r"\[a\.csv\]: el archivo termina tras 5 bytes"):
        _stream(b"x" * 5, declared=10).read()


# --- every bad kind --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BAD_KINDS))
def test_bad_kind_is_rejected_naming_the_entry(tmp_path: Path, kind: str) -> None:
    build, words, limits = BAD_KINDS[kind]
    archive = tmp_path / f"{NAME}.zip"
    entry = build(archive)
    with pytest.raises(PackageError) as caught:
        validate(archive, limits)
    message = str(caught.value)
    assert words in message
    assert archive.name in message
    if entry:
        assert f"[{entry}" in message


@pytest.mark.parametrize("kind", sorted(BAD_KINDS))
def test_bad_kind_extraction_writes_nothing_outside_staging(tmp_path: Path, kind: str) -> None:
    build, words, limits = BAD_KINDS[kind]
    # Three levels below the watched folder: the traversals climb at most two. The watched
    # folder is this test's own, not the worker's whole temporary tree (other files' packages).
    work = tmp_path / "uno" / "dos" / "work"
    work.mkdir(parents=True)
    archive = work / f"{NAME}.zip"
    build(archive)
    absent = [p for p in ABSOLUTE_TARGETS if not p.exists()]
    before = snapshot(tmp_path)
    with pytest.raises(PackageError, match=words):
        extract_safely(archive, work / "staging", limits)
    assert snapshot(tmp_path) == before  # staging removed, nothing escaped
    assert not any(p.exists() for p in absent)


def test_extract_refuses_a_non_empty_or_linked_staging(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / f"{NAME}.zip", SITE_V1)
    (tmp_path / "full").mkdir()
    (tmp_path / "full/old.txt").write_text("x")
    with pytest.raises(PackageError, match="no está vacía"):
        extract_safely(archive, tmp_path / "full")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(PackageError, match="enlace simbólico"):
        extract_safely(archive, tmp_path / "link")
    assert (tmp_path / "full/old.txt").read_text() == "x"


def test_failed_extract_into_existing_empty_staging_empties_but_keeps_it(tmp_path: Path) -> None:
    build, _, limits = BAD_KINDS["zip-crc-error"]
    archive = tmp_path / f"{NAME}.zip"
    build(archive)
    (tmp_path / "staging").mkdir()
    with pytest.raises(PackageError):
        extract_safely(archive, tmp_path / "staging", limits)
    assert list((tmp_path / "staging").iterdir()) == []


# --- digests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sha256", "sha512", "md5"])
@pytest.mark.parametrize("binary", [False, True])
def test_sidecars_in_every_algorithm_verify(tmp_path: Path, algorithm: str, binary: bool) -> None:
    archive = write_zip(tmp_path / f"{NAME}.zip", SITE_V1)
    sidecar = write_sidecar(archive, algorithm, binary=binary)
    digest = hashlib.new(algorithm, archive.read_bytes()).hexdigest()
    assert read_sidecar(sidecar) == (algorithm, digest)
    assert find_sidecar(archive) == sidecar
    assert verify_digest(archive, sidecar=sidecar) == (algorithm, digest)
    assert file_digest(archive, algorithm) == digest


def test_algorithm_is_inferred_from_length_without_suffix(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / f"{NAME}.zip", SITE_V1)
    digest = hashlib.sha512(archive.read_bytes()).hexdigest()
    sums = tmp_path / "SUMS"
    sums.write_text(f"{'0' * 128}  other.zip\n{digest}  ./{archive.name}\n")
    assert read_sidecar(sums, archive.name) == ("sha512", digest)
    with pytest.raises(PackageError, match="lista varios archivos"):
        read_sidecar(sums)
    with pytest.raises(PackageError, match=r"no trae la huella de «x\.zip»"):
        read_sidecar(sums, "x.zip")


def test_digest_mismatch_names_expected_and_found(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / f"{NAME}.zip", SITE_V1)
    found = file_digest(archive)
    wording = f"la huella sha256 no coincide: se esperaba {'a' * 64}, pero el archivo tiene {found}"
    with pytest.raises(PackageError, match=wording):
        verify_digest(archive, expected="A" * 64)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "ninguna línea de huella"),
        ("zz  a.zip\n", "la línea 1 no tiene la forma «<huella en hexadecimal>  <nombre del"),
        ("abc  a.zip\n", "huella de 3 dígitos"),
    ],
)
def test_malformed_sidecars(tmp_path: Path, text: str, words: str) -> None:
    sidecar = tmp_path / "a.zip.sum"
    sidecar.write_text(text)
    with pytest.raises(PackageError, match=words):
        read_sidecar(sidecar)


def test_sidecar_suffix_and_length_must_agree(tmp_path: Path) -> None:
    sidecar = tmp_path / "a.zip.sha256"
    sidecar.write_text(f"{'0' * 32}  a.zip\n")
    with pytest.raises(
        PackageError, match="una huella sha256 debe tener 64 dígitos hexadecimales y esta tiene 32"
    ):
        read_sidecar(sidecar)


def test_package_verify_cli_says_a_sidecar_mismatch_in_spanish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from prepcheck.cli import main

    archive = write_zip(tmp_path / f"{NAME}.zip", SITE_V1)
    found = file_digest(archive)
    published = "0" * 64
    (tmp_path / f"{NAME}.zip.sha256").write_text(f"{published}  {archive.name}\n")
    assert main(["package", "verify", str(archive)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"prepcheck: paquete rechazado: {archive.name}: la huella sha256 no coincide: "
        f"se esperaba {published}, pero el archivo tiene {found}\n"
    )
    for english in ("mismatch", "expected", "found", "digest"):
        assert english not in captured.err.lower()
