"""Reference shots kept between runs: keyed by the package's verified digest, pruned, never
required."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from prepcheck.archive.official import load_official
from prepcheck.checklist import reference_cache
from prepcheck.checklist.reference_cache import KEEP, shots_folder
from prepcheck.checklist.runner import _kept_shots
from prepcheck.config import PackageSource, RenderSettings
from prepcheck.probes import fidelity
from prepcheck.probes.fidelity import ReferenceRenderer
from prepcheck.snapshots.pages import PageShot


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("PREPCHECK_CACHE_DIR", str(root))
    return root


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_same_bytes_same_folder_other_bytes_another(cache):
    first = shots_folder(digest(b"corte 1"))
    again = shots_folder(digest(b"corte 1"))
    other = shots_folder(digest(b"corte 2"))
    assert first == again and first is not None and first.parent == cache / "referencia"
    assert other != first


def test_only_the_most_recently_used_packages_are_kept(cache):
    folders = []
    for index in range(KEEP + 3):
        folder = shots_folder(digest(f"corte {index}".encode()))
        assert folder is not None
        os.utime(folder, (index, index))  # distinct ages, oldest first
        folders.append(folder)
    shots_folder(digest(b"corte nuevo"))
    kept = {p for p in (cache / "referencia").iterdir()}
    assert len(kept) == KEEP
    assert not any(f in kept for f in folders[:4])


def test_an_unusable_cache_is_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "archivo"
    blocker.write_text("no es carpeta")
    monkeypatch.setenv("PREPCHECK_CACHE_DIR", str(blocker))
    assert shots_folder(digest(b"x")) is None


def test_a_verified_package_is_kept_under_its_digest_and_others_are_not(cache, tmp_path):
    archive = tmp_path / "paquete.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("prepver2021/index.html", "<!DOCTYPE html><title>PREP</title>")
    good = PackageSource(path=archive, digest=digest(archive.read_bytes()))
    package = load_official(archive, good, "prepver2021")
    assert package.usable and package.digest.found == digest(archive.read_bytes())
    assert _kept_shots(package) == cache / "referencia" / package.digest.found[:32]
    wrong = PackageSource(path=archive, digest=digest(b"otro paquete"))
    assert _kept_shots(load_official(archive, wrong, "prepver2021")) is None
    assert _kept_shots(None) is None


def test_root_follows_xdg_when_not_named(monkeypatch, tmp_path):
    monkeypatch.delenv("PREPCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert reference_cache.cache_root() == tmp_path / "prepcheck"


class Site:
    def __init__(self, port: int) -> None:
        self.folder_url = f"http://127.0.0.1:{port}/prepver2021/"

    def read_json(self, relative: str) -> None:
        return None


def test_a_shot_is_taken_once_whatever_the_port_and_failures_are_not_kept(tmp_path):
    taken: list[str] = []

    def take(png: bytes | None, error: str | None):
        def shoot() -> PageShot:
            taken.append("shot")
            return PageShot("u", "escritorio", 1366, 768, png=png, error=error)

        return shoot

    key = ("#/", "escritorio", 1366, 768, "{}")
    first = ReferenceRenderer(Site(8001), tmp_path)._shared(key, take(b"PNG", None))
    again = ReferenceRenderer(Site(9002), tmp_path)._shared(key, take(b"otro", None))
    assert first.png == again.png == b"PNG" and len(taken) == 1
    other = ("#/", "movil", 390, 844, "{}")
    ReferenceRenderer(Site(8001), tmp_path)._shared(other, take(None, "no cargó"))
    ReferenceRenderer(Site(8001), tmp_path)._shared(other, take(b"PNG", None))
    assert len(taken) == 3


def test_ready_shots_are_read_without_a_browser(tmp_path, monkeypatch):
    settings = RenderSettings(pages=["#/"], viewports={"desktop": (1366, 768)})
    key = ("#/", "desktop", 1366, 768, settings.model_dump_json())
    writer = ReferenceRenderer(Site(8001), tmp_path)
    reader = ReferenceRenderer(Site(9002), tmp_path)
    assert reader.ready("#/", ("desktop", 1366, 768), settings) is None
    writer._shared(key, lambda: PageShot("u", "desktop", 1366, 768, png=b"PNG"))

    started: list[object] = []

    def browser(*args, **kwargs):
        started.append(args)
        raise RuntimeError("sin navegador en esta prueba")  # prepare swallows it

    monkeypatch.setattr(fidelity, "BrowserSession", browser)
    found = reader.ready("#/", ("desktop", 1366, 768), settings)
    assert found is not None and found.png == b"PNG"
    reader.prepare(settings)  # nothing missing: no browser
    assert started == []
    mobile = RenderSettings(pages=["#/"], viewports={"mobile": (390, 844)})
    reader.prepare(mobile)  # a shot missing: a browser is started for it
    assert len(started) == 1
