"""What the render.* checks evaluate: every configured page, as the difusor and as the official
package render it, in the same browser at the same viewport with the same masks.

Contract: ``observe_difusor`` opens one browser session trusting the difusor's CA, shoots every
``pages`` × ``viewports`` pair on the difusor and (through ``ReferenceRenderer``, cached across
difusores) on the reference site, and, when ``embed_url`` is set, the PREP frame of the portal
with reference shots at the frame's own size. It never raises for page trouble; a browser that
cannot start gives an observation whose ``error`` says why.

A hostile difusor costs a bounded number of page loads, not one full timeout per page and
viewport: when the first page cannot be opened at all, or a page's renderer passed the memory
bound, or a page stalled on requests the site never answered (every page needs them), or
``NOT_READY_LIMIT`` pages in a row never became ready, the remaining pages are not tried (their
shots say why); a document answering 4xx/5xx is shot once per viewport and that
shot stands for every page of the same document (pages differ only by ``#`` route). No message
about a page the difusor did not show names the reference.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urldefrag, urlsplit

import httpx

from prepcheck.config import RenderSettings
from prepcheck.formats.figures import Figure, expected_figures, queries
from prepcheck.probes.browser import BrowserError, BrowserSession, browser_build
from prepcheck.probes.page import page_url, shoot_embedded, shoot_page
from prepcheck.snapshots.pages import PagePair, PageShot, RenderObservation

#: Pages in a row that never became ready after which the rest are not tried.
NOT_READY_LIMIT = 2
#: What stands in for the reference of a page the difusor did not show (nothing to compare).
NO_ACTUAL = "no se comparó: el difusor no mostró la página"


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
        key = _shot_key(page, viewport, settings)
        if key not in self._cache or self._cache[key].error is not None:
            self._cache[key] = self._shared(
                key, lambda: self._take(session, page, viewport, settings)
            )
        return self._cache[key]

    def ready(
        self, page: str, viewport: tuple[str, int, int], settings: RenderSettings
    ) -> PageShot | None:
        """The reference shot when it is already taken (here or in the cache folder), else
        None; never takes one and never waits."""
        key = _shot_key(page, viewport, settings)
        found = self._cache.get(key)
        if found is None and self.cache_dir is not None:
            found = _load_shot(self._stem(self.cache_dir, key))
            if found is not None:
                self._cache[key] = found
        return found if found is not None and found.error is None else None

    def prepare(self, settings: RenderSettings) -> None:
        """Shoot every configured page × viewport of the reference not yet taken, in a browser
        of its own (run in a thread beside the difusor's shots; ``shot`` then finds them
        ready). No browser starts when every shot is already taken. Never raises: what cannot
        be shot now is shot again, on demand, by ``shot``."""
        wanted = [
            (page, (name, width, height))
            for name, (width, height) in settings.viewports.items()
            for page in settings.pages
        ]
        missing = [item for item in wanted if self.ready(*item, settings) is None]
        if not missing:
            return
        try:
            with BrowserSession([], timeout_s=settings.page_timeout_seconds) as session:
                for page, viewport in missing:
                    self.shot(session, page, viewport, settings)
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
        stem = self._stem(self.cache_dir, key)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            lock = (stem.with_suffix(".lock")).open("w")
        except OSError:
            return take()
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cached = _load_shot(stem)
            if cached is not None:
                return cached
            shot = take()
            if shot.error is None and shot.png is not None:
                _store_shot(stem, shot)
            return shot

    def _stem(self, cache_dir: Path, key: tuple[str, str, int, int, str]) -> Path:
        """Where the shot of ``key`` is kept in ``cache_dir`` (without suffix)."""
        # The folder's path, not its loopback address: the port changes from run to run, and
        # the cache folder already stands for one package's content.
        identity = (urlsplit(self.site.folder_url).path, key, browser_build())
        return cache_dir / hashlib.sha256(repr(identity).encode()).hexdigest()[:32]


def _shot_key(
    page: str, viewport: tuple[str, int, int], settings: RenderSettings
) -> tuple[str, str, int, int, str]:
    """What identifies a reference shot: the page, the viewport and the render settings."""
    return (page, *viewport, settings.model_dump_json())


def _store_shot(stem: Path, shot: PageShot) -> None:
    """Best effort: a shot that cannot be stored is taken again next time. The JSON is written
    last, so a reader never pairs it with a half-written PNG."""
    fields = {k: v for k, v in dataclasses.asdict(shot).items() if k != "png"}
    try:
        stem.with_suffix(".png").write_bytes(shot.png or b"")
        stem.with_suffix(".json").write_text(json.dumps(fields, ensure_ascii=False), "utf-8")
    except OSError:
        stem.with_suffix(".json").unlink(missing_ok=True)


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
    walk = _Walk()
    for name, (width, height) in settings.viewports.items():
        viewport = (name, width, height)
        for page in settings.pages:
            figures = reference.figures(page, settings)
            url = page_url(folder_url, page)
            known = reference.ready(page, viewport, settings)
            actual = walk.shot(url, viewport) or shoot_page(
                session, url, viewport, settings, queries(figures), known.png if known else None
            )
            walk.saw(actual, settings)
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
        expected = PageShot(actual.url, name, width, height, error=NO_ACTUAL)
    else:
        expected = reference.shot(session, page, viewport, settings)
    return PagePair(page, name, actual, expected, figures)


@dataclass
class _Walk:
    """What earlier pages showed, to spare the difusor's later pages (see the contract)."""

    stop: str | None = None  # why no further page is tried
    not_ready: int = 0
    captured: bool = False
    documents: dict[tuple[str, str], PageShot] = field(default_factory=dict)

    def shot(self, url: str, viewport: tuple[str, int, int]) -> PageShot | None:
        """A stand-in for a page not to be loaded, or None to load it."""
        name, width, height = viewport
        if self.stop is not None:
            skipped = PageShot(url, name, width, height)
            skipped.fail(self.stop, kind="not-tried")
            return skipped
        same = self.documents.get((urldefrag(url).url, name))
        return None if same is None else replace(same, url=url)

    def saw(self, shot: PageShot, settings: RenderSettings) -> None:
        if shot.error_kind == "not-tried":
            return
        if shot.error_kind == "http-status":
            self.documents[(urldefrag(shot.url).url, shot.viewport)] = shot
        if shot.png is None and not self.captured and shot.error_kind != "http-status":
            self.stop = shot.error  # a site that cannot be opened once costs a timeout per page
        elif shot.error_kind == "memory":
            self.stop = "no se intentó: una página anterior pasó el límite de memoria del navegador"
        elif shot.error_kind == "stalled":
            self.stop = (
                "no se intentó: la página anterior se quedó esperando respuestas que el sitio "
                "no terminó de enviar"
            )
        self.not_ready = self.not_ready + 1 if shot.error_kind == "not-ready" else 0
        if self.not_ready >= NOT_READY_LIMIT and self.stop is None:
            seconds = settings.page_timeout_seconds
            self.stop = (
                f"no se intentó: las {self.not_ready} páginas anteriores no quedaron listas "
                f"en {seconds:g} s"
            )
        self.captured = self.captured or shot.png is not None


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
