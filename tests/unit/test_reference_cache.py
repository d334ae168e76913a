"""Reference shots kept between runs: keyed by the package's bytes, pruned, never required."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from prepcheck.checklist import reference_cache
from prepcheck.checklist.reference_cache import KEEP, shots_folder
from prepcheck.probes.fidelity import ReferenceRenderer
from prepcheck.snapshots.pages import PageShot


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("PREPCHECK_CACHE_DIR", str(root))
    return root


def archive(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_same_bytes_same_folder_other_bytes_another(cache, tmp_path):
    first = shots_folder(archive(tmp_path, "a.zip", b"corte 1"))
    renamed = shots_folder(archive(tmp_path, "b.zip", b"corte 1"))
    other = shots_folder(archive(tmp_path, "c.zip", b"corte 2"))
    assert first == renamed and first is not None and first.parent == cache / "referencia"
    assert other != first


def test_only_the_most_recently_used_packages_are_kept(cache, tmp_path):
    folders = []
    for index in range(KEEP + 3):
        folder = shots_folder(archive(tmp_path, f"{index}.zip", f"corte {index}".encode()))
        assert folder is not None
        os.utime(folder, (index, index))  # distinct ages, oldest first
        folders.append(folder)
    shots_folder(archive(tmp_path, "new.zip", b"corte nuevo"))
    kept = {p for p in (cache / "referencia").iterdir()}
    assert len(kept) == KEEP
    assert not any(f in kept for f in folders[:4])


def test_an_unusable_cache_is_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "archivo"
    blocker.write_text("no es carpeta")
    monkeypatch.setenv("PREPCHECK_CACHE_DIR", str(blocker))
    assert shots_folder(archive(tmp_path, "a.zip", b"x")) is None
    assert shots_folder(tmp_path / "no-existe.zip") is None


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
