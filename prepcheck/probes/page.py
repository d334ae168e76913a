"""Render probe: one page (or one embedded frame) in the browser, observed as a ``PageShot``.

Contract: ``shoot_page`` and ``shoot_embedded`` never raise for page trouble (refused, TLS
rejected, timeout, never ready); the shot's ``error`` says what happened and ``png`` is whatever
could be captured. A page is ready when it loaded, the network went idle, ``ready_selector`` is
in the DOM and the fonts are loaded; every wait is bounded by the session timeout. Screenshots
have animations disabled, the caret hidden and ``masks`` painted over, and are retaken until two
consecutive shots are identical (at most ``max_shots``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin

from playwright.sync_api import Error, Frame, Page

from prepcheck.config import RenderSettings
from prepcheck.probes.browser import BrowserSession, PageLog
from prepcheck.snapshots.pages import EmbeddedShots, PageShot

Queries = Mapping[str, str]
QueriesFor = Callable[[str], Queries]
#: Silence (no request in flight) that counts as "network idle" once the page is ready.
NETWORK_QUIET_S = 0.2
#: How long each candidate iframe of a portal may take to show the PREP's ready selector.
FRAME_PROBE_TIMEOUT_MS = 5000

# Reads innerText (what is rendered: hidden elements give "") for every query at once.
_READ_TEXTS = """(queries) => Object.fromEntries(Object.entries(queries).map(([key, sel]) => {
  let node = null;
  try { node = document.querySelector(sel); } catch (e) { return [key, null]; }
  return [key, node === null ? null : node.innerText.trim()];
}))"""
_READ_CORTE = """(sel) => {
  let node = null;
  try { node = document.querySelector(sel); } catch (e) { node = null; }
  const box = node && node.getBoundingClientRect();
  const style = node && getComputedStyle(node);
  const visible = Boolean(node && box.width > 0 && box.height > 0 &&
    style.visibility === "visible" && Number(style.opacity) > 0);
  const lines = (document.body ? document.body.innerText : "").split("\\n")
    .filter((l) => /\\d{1,2}\\/\\d{1,2}\\/\\d{4}/.test(l)).map((l) => l.trim()).slice(0, 5);
  return {texto: node ? node.innerText.trim() : null, visible: visible, lineas: lines};
}"""
_CONTENT_BOX = """(el) => {
  const r = el.getBoundingClientRect();
  return {x: r.left + el.clientLeft + window.scrollX, y: r.top + el.clientTop + window.scrollY,
          width: el.clientWidth, height: el.clientHeight};
}"""


def page_url(folder_url: str, page: str) -> str:
    """A configured page (relative to the election folder) as an absolute URL."""
    return urljoin(folder_url, page)


def shoot_page(
    session: BrowserSession,
    url: str,
    viewport: tuple[str, int, int],
    settings: RenderSettings,
    queries: Queries,
) -> PageShot:
    """Render ``url`` in a fresh page; see the module contract."""
    name, width, height = viewport
    shot = PageShot(url, name, width, height)
    try:
        with session.page(width, height) as (page, log):
            if _open(page, log, url, settings, shot):
                # Not ready is still what a citizen sees: capture it for the evidence.
                _capture(page, page, settings, shot, queries, None)
            shot.problems = log.problems
    except Error as exc:
        shot.error = shot.error or _short(exc)
    return shot


def _open(page: Page, log: PageLog, url: str, settings: RenderSettings, shot: PageShot) -> bool:
    """Navigate and wait until ready; False when the page could not be opened at all."""
    try:
        page.goto(url, wait_until="load")
    except Error as exc:
        shot.error = f"no se pudo abrir {url}: {_short(exc)}"
        return False
    shot.ready = _wait_ready(page, page, log, settings, shot)
    return True


def _wait_ready(
    page: Page, target: Page | Frame, log: PageLog, settings: RenderSettings, shot: PageShot
) -> bool:
    """Ready selector in the DOM, fonts loaded, then the network quiet (all bounded)."""
    try:
        target.wait_for_selector(settings.ready_selector, state="attached")
        target.evaluate("document.fonts.ready.then(() => true)")
    except Error as exc:
        shot.error = f"la página no quedó lista ({settings.ready_selector}): {_short(exc)}"
        return False
    if not log.wait_network_quiet(page, NETWORK_QUIET_S, settings.page_timeout_seconds):
        shot.error = "la red no quedó en reposo (solicitudes sin terminar)"
        return False
    return True


def _capture(
    page: Page,
    target: Page | Frame,
    settings: RenderSettings,
    shot: PageShot,
    queries: Queries,
    clip: dict[str, float] | None,
) -> None:
    shot.png, shot.stable, shot.shots = stable_screenshot(page, target, settings, clip)
    shot.texts = target.evaluate(_READ_TEXTS, dict(queries))
    shot.corte = target.evaluate(_READ_CORTE, settings.corte_selector)


def stable_screenshot(
    page: Page, target: Page | Frame, settings: RenderSettings, clip: dict[str, float] | None
) -> tuple[bytes, bool, int]:
    """Shots until two consecutive ones are identical: (png, stable, shots taken)."""
    options: dict[str, Any] = {
        "full_page": settings.full_page or clip is not None,
        "animations": "disabled",
        "caret": "hide",
        "scale": "css",
        "mask": [target.locator(selector) for selector in settings.masks],
        "mask_color": settings.mask_color,
    }
    if clip is not None:
        options["clip"] = clip
    previous = page.screenshot(**options)
    for count in range(2, settings.max_shots + 1):
        current = page.screenshot(**options)
        if current == previous:
            return current, True, count
        previous = current
    return previous, False, settings.max_shots


def shoot_embedded(
    session: BrowserSession,
    portal_url: str,
    viewport: tuple[str, int, int],
    settings: RenderSettings,
    queries_for: QueriesFor,
) -> EmbeddedShots:
    """Open the portal page, find the PREP frame and shoot each ``embed_pages`` route inside it."""
    _, width, height = viewport
    result = EmbeddedShots(portal_url)
    try:
        with session.page(width, height) as (page, log):
            _shoot_frames(page, log, settings, queries_for, result)
            result.problems = log.problems
    except Error as exc:
        result.error = result.error or _short(exc)
    return result


def _shoot_frames(
    page: Page,
    log: PageLog,
    settings: RenderSettings,
    queries_for: QueriesFor,
    result: EmbeddedShots,
) -> None:
    try:
        page.goto(result.portal_url, wait_until="load")
    except Error as exc:
        result.error = f"no se pudo abrir el portal {result.portal_url}: {_short(exc)}"
        return
    log.wait_network_quiet(page, NETWORK_QUIET_S, settings.page_timeout_seconds)
    found = _find_prep_frame(page, settings)
    if found is None:
        result.error = (
            f"el portal no tiene un iframe ({settings.iframe_selector}) con las páginas del PREP "
            f"({settings.ready_selector})"
        )
        return
    result.frame_url = found[1].url
    base = urldefrag(found[1].url).url
    for route in settings.embed_pages:
        url = urljoin(base, route)
        result.shots.append(_shoot_in_frame(page, log, found, url, settings, queries_for))


def _find_prep_frame(page: Page, settings: RenderSettings) -> tuple[Any, Frame] | None:
    """The first frame matching ``iframe_selector`` whose document becomes ready."""
    for element in page.query_selector_all(settings.iframe_selector):
        frame = element.content_frame()
        if frame is None:
            continue
        try:
            # The portal's network is already quiet: a PREP frame is ready or about to be.
            frame.wait_for_selector(
                settings.ready_selector, state="attached", timeout=FRAME_PROBE_TIMEOUT_MS
            )
        except Error:
            continue
        return element, frame
    return None


def _shoot_in_frame(
    page: Page,
    log: PageLog,
    found: tuple[Any, Frame],
    url: str,
    settings: RenderSettings,
    queries_for: QueriesFor,
) -> PageShot:
    element, frame = found
    box = element.evaluate(_CONTENT_BOX)
    shot = PageShot(url, "iframe", int(box["width"]), int(box["height"]))
    try:
        if frame.url != url:
            element.evaluate("(f) => { f.src = 'about:blank'; }")
            frame.wait_for_url("about:blank")
            element.evaluate("(f, u) => { f.src = u; }", url)
            frame.wait_for_url(url)
        shot.ready = _wait_ready(page, frame, log, settings, shot)
        clip = {key: float(box[key]) for key in ("x", "y", "width", "height")}
        _capture(page, frame, settings, shot, queries_for(shot.route), clip)
    except Error as exc:
        shot.error = shot.error or _short(exc)
    return shot


def _short(exc: Error) -> str:
    """Playwright's message without its multi-line call log."""
    return (exc.message or str(exc)).split("\n", 1)[0].strip()


__all__ = [
    "EmbeddedShots",
    "PageLog",
    "PageShot",
    "page_url",
    "shoot_embedded",
    "shoot_page",
]
