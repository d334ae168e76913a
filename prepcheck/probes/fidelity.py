"""What the render.* checks evaluate: every configured page, as the difusor and as the official
package render it, in the same browser at the same viewport with the same masks.

Contract: ``observe_difusor`` opens one browser session trusting the difusor's CA, shoots every
``pages`` × ``viewports`` pair on the difusor and (through ``ReferenceRenderer``, cached across
difusores) on the reference site, and, when ``embed_url`` is set, the PREP frame of the portal
with reference shots at the frame's own size. It never raises for page trouble; a browser that
cannot start gives an observation whose ``error`` says why.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx

from prepcheck.config import RenderSettings
from prepcheck.formats.figures import Figure, expected_figures, queries
from prepcheck.probes.browser import BrowserError, BrowserSession
from prepcheck.probes.page import page_url, shoot_embedded, shoot_page
from prepcheck.snapshots.pages import PagePair, PageShot, RenderObservation


class ReferencePages(Protocol):
    """Where the reference (the official package) is served, and its JSON documents."""

    @property
    def folder_url(self) -> str: ...

    def read_json(self, relative: str) -> Any | None: ...


class RemoteReference:
    """A reference site another process serves on loopback (the runner's), read over HTTP."""

    def __init__(self, folder_url: str) -> None:
        self._folder_url = folder_url if folder_url.endswith("/") else folder_url + "/"

    @property
    def folder_url(self) -> str:
        return self._folder_url

    def read_json(self, relative: str) -> Any | None:
        try:
            response = httpx.get(self._folder_url + relative, timeout=10.0)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        try:
            return response.json()
        except ValueError:
            return None


class ReferenceRenderer:
    """Reference shots of the official package, taken once per (page, viewport, settings).

    With ``cache_dir`` the shots are shared between processes: the first process to need one
    takes it under a file lock and stores it; the others read it.
    """

    def __init__(self, site: ReferencePages, cache_dir: Path | None = None) -> None:
        self.site = site
        self.cache_dir = cache_dir
        self._cache: dict[tuple[str, str, int, int, str], PageShot] = {}

    def figures(self, page: str, settings: RenderSettings) -> list[Figure]:
        route = page[page.find("#") :] if "#" in page else ""
        return expected_figures(route, self.site.read_json, settings.figure_selectors())

    def shot(
        self,
        session: BrowserSession,
        page: str,
        viewport: tuple[str, int, int],
        settings: RenderSettings,
    ) -> PageShot:
        key = (page, *viewport, settings.model_dump_json())
        if key not in self._cache or self._cache[key].error is not None:
            self._cache[key] = self._shared(
                key, lambda: self._take(session, page, viewport, settings)
            )
        return self._cache[key]

    def prepare(self, settings: RenderSettings) -> None:
        """Shoot every configured page × viewport of the reference in a browser of its own
        (run in a thread beside the difusor's shots; ``shot`` then finds them ready). Never
        raises: what cannot be shot now is shot again, on demand, by ``shot``."""
        try:
            with BrowserSession([], timeout_s=settings.page_timeout_seconds) as session:
                for name, (width, height) in settings.viewports.items():
                    for page in settings.pages:
                        self.shot(session, page, (name, width, height), settings)
        except Exception:
            return

    def _take(
        self,
        session: BrowserSession,
        page: str,
        viewport: tuple[str, int, int],
        settings: RenderSettings,
    ) -> PageShot:
        url = page_url(self.site.folder_url, page)
        wanted = queries(self.figures(page, settings))
        return shoot_page(session, url, viewport, settings, wanted)

    def _shared(
        self, key: tuple[str, str, int, int, str], take: Callable[[], PageShot]
    ) -> PageShot:
        if self.cache_dir is None:
            return take()
        name = hashlib.sha256(repr((self.site.folder_url, key)).encode()).hexdigest()[:32]
        stem = self.cache_dir / name
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with (stem.with_suffix(".lock")).open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cached = _load_shot(stem)
            if cached is not None:
                return cached
            shot = take()
            if shot.error is None and shot.png is not None:
                _store_shot(stem, shot)
            return shot


def _store_shot(stem: Path, shot: PageShot) -> None:
    fields = {k: v for k, v in dataclasses.asdict(shot).items() if k != "png"}
    stem.with_suffix(".png").write_bytes(shot.png or b"")
    stem.with_suffix(".json").write_text(json.dumps(fields, ensure_ascii=False), "utf-8")


def _load_shot(stem: Path) -> PageShot | None:
    try:
        fields = json.loads(stem.with_suffix(".json").read_text("utf-8"))
        png = stem.with_suffix(".png").read_bytes()
    except (OSError, ValueError):
        return None
    return PageShot(**fields, png=png)


def observe_difusor(
    folder_url: str,
    ca_file: Path | None,
    settings: RenderSettings,
    reference: ReferenceRenderer,
    embed_url: str | None = None,
) -> RenderObservation:
    """Shoot the difusor and the reference; see the module contract."""
    observation = RenderObservation()
    session = BrowserSession([ca_file] if ca_file else [], timeout_s=settings.page_timeout_seconds)
    try:
        session.start()
    except BrowserError as exc:
        observation.error = str(exc)
        return observation
    try:
        observation.pairs = _pairs(session, folder_url, settings, reference)
        if embed_url is not None:
            _observe_embedded(session, embed_url, settings, reference, observation)
    finally:
        session.close()
    return observation


def _pairs(
    session: BrowserSession, folder_url: str, settings: RenderSettings, reference: ReferenceRenderer
) -> list[PagePair]:
    """Every page × viewport of the difusor, beside the reference's. The reference pages are
    shot meanwhile in a browser of their own (the two halves of the work overlap)."""
    warm = threading.Thread(
        target=reference.prepare, args=(settings,), name="prepcheck-referencia", daemon=True
    )
    warm.start()
    shots: list[tuple[str, tuple[str, int, int], PageShot, list[Figure]]] = []
    unreachable: str | None = None
    for name, (width, height) in settings.viewports.items():
        viewport = (name, width, height)
        for page in settings.pages:
            figures = reference.figures(page, settings)
            url = page_url(folder_url, page)
            if unreachable is not None:
                # A site that cannot be opened once would cost a timeout per page.
                actual = PageShot(url, name, width, height, error=unreachable)
            else:
                actual = shoot_page(session, url, viewport, settings, queries(figures))
                if actual.png is None and not shots:
                    unreachable = actual.error
            shots.append((page, viewport, actual, figures))
    warm.join(timeout=max(1.0, session.timeout_ms / 1000 * 3))
    return [_pair(session, reference, settings, *shot) for shot in shots]


def _pair(
    session: BrowserSession,
    reference: ReferenceRenderer,
    settings: RenderSettings,
    page: str,
    viewport: tuple[str, int, int],
    actual: PageShot,
    figures: list[Figure],
) -> PagePair:
    name, width, height = viewport
    if actual.png is None:  # nothing to compare
        expected = PageShot(actual.url, name, width, height, error="sin captura del difusor")
    else:
        expected = reference.shot(session, page, viewport, settings)
    return PagePair(page, name, actual, expected, figures)


def _observe_embedded(
    session: BrowserSession,
    embed_url: str,
    settings: RenderSettings,
    reference: ReferenceRenderer,
    observation: RenderObservation,
) -> None:
    name, (width, height) = next(iter(settings.viewports.items()))
    embedded = shoot_embedded(
        session,
        embed_url,
        (name, width, height),
        settings,
        lambda route: queries(reference.figures(route, settings)),
    )
    observation.embedded = embedded
    framed = settings.model_copy(update={"full_page": False})
    for page, shot in zip(settings.embed_pages, embedded.shots, strict=False):
        if shot.width < 1 or shot.height < 1:
            shot.error = shot.error or "el iframe del PREP no tiene tamaño visible en el portal"
            expected = PageShot(shot.url, "iframe", 0, 0, error=shot.error)
        else:
            expected = reference.shot(session, page, ("iframe", shot.width, shot.height), framed)
        figures = reference.figures(page, settings)
        observation.embedded_pairs.append(PagePair(page, "iframe", shot, expected, figures))
