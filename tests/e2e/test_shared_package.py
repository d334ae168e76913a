"""The official package is verified and indexed once per run: a session handed the runner's
index reads the package from it, not from the archive (which it would hash and index again)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from prepcheck.archive.official import OfficialPackage, load_index, save_index
from prepcheck.checklist.runner import _Shared, suites_args
from prepcheck.checklist.session_file import read_session, session_path
from prepcheck.checklist.session_process import start_session
from prepcheck.checklist.sources import load_package
from prepcheck.config import load_config
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.errors import PackageError
from prepcheck.reference.pki import LocalCA
from prepcheck.sample import build_package

#: Generous: the fork server's first start imports pytest and the checks.
START_S = 120
PACKAGE_IDS = ("package.checksum", "package.safe-archive", "package.csv-consistency")


def _session(config: Path, out: Path, *extra: str) -> dict[str, str]:
    args = [*suites_args(config, out, difusores=["uno"], checks=("package.",)), *extra]
    log = out / "sesion.log"
    out.mkdir(parents=True)
    assert start_session(args, log).wait(START_S) in (0, 1), log.read_text()
    return {cid: record["status"] for cid, record in read_session(session_path(out, "uno")).items()}


@pytest.fixture
def official(tmp_path: Path) -> tuple[Path, Path, OfficialPackage]:
    """A configuration, its package's archive and the package as the runner loads it."""
    built = build_package(datetime(2021, 6, 6, 21, 15), tmp_path / "p", utc_offset=CENTRE_TIME)
    ca = LocalCA.create(tmp_path / "ca").cert_path  # no server: the package ids read none
    config = write_config(tmp_path / "p.toml", built.archive, [("uno", "https://127.0.0.1:9/", ca)])
    package = load_package(load_config(config).election)
    assert package is not None and package.usable
    return config, built.archive, package


def test_a_session_reads_the_runners_index_not_the_archive(official, tmp_path: Path) -> None:
    config, archive, package = official
    index = save_index(package, tmp_path / "indice.pickle")
    assert load_index(index) == package

    archive.write_bytes(b"otro contenido")  # whoever reads the archive now fails
    assert _session(config, tmp_path / "con-indice", f"--prepcheck-package-index={index}") == {
        cid: "pass" for cid in PACKAGE_IDS
    }
    without = _session(config, tmp_path / "sin-indice")
    assert without["package.checksum"] != "pass"


def test_the_runner_hands_its_index_to_every_session(official, tmp_path: Path) -> None:
    _, _, package = official
    (tmp_path / "run").mkdir()
    options = _Shared(tmp_path / "run", package, None, browsers=2).options()
    [index] = [o.split("=", 1)[1] for o in options if o.startswith("--prepcheck-package-index=")]
    assert load_index(Path(index)) == package
    (tmp_path / "vacio").mkdir()
    assert not any("index" in o for o in _Shared(tmp_path / "vacio", None, None, 2).options())


def test_a_file_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "otro.pickle"
    path.write_bytes(b"\x80\x05K\x07.")  # the pickle of the number 7
    with pytest.raises(PackageError, match="no es un índice"):
        load_index(path)
