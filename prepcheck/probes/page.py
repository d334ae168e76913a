"""Render probe: one page (or one embedded frame) in the browser, observed as a ``PageShot``.

Contract: ``shoot_page`` and ``shoot_embedded`` never raise for page trouble (refused, TLS
rejected, timeout, never ready, an error status, a crashed or oversized page); the shot's
``error`` says what happened in plain Spanish (``error_kind``; chromium's own words in
``error_detail``) and ``png`` is whatever could be captured. A page is ready when it loaded, the
network went idle, ``ready_selector`` is in the DOM and the fonts are loaded; every wait is
bounded by the session timeout; a page not ready in time is ``not-ready``, or ``stalled`` when
requests to the site were still unanswered. A page answering 4xx/5xx is a finding at once: it is
shot once, as it is, without waiting for the ready selector (``http_status``). Screenshots have
animations disabled, the caret hidden and ``masks`` painted over, and are retaken until two
consecutive shots are identical (at most ``max_shots``), unless the first is byte-identical to
``settled``, a settled shot of the same page (the reference's): then it is settled too. A page
larger than ``MAX_SHOT_WIDTH`` × ``MAX_SHOT_HEIGHT`` (or ``MAX_SHOT_PIXELS`` in area) is shot
once, up to those sizes, and ``note`` says so (the comparator never sees an image Pillow would
refuse). Text read from the page is sanitized and cut.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin

from playwright.sync_api import Error, Frame, Page

from prepcheck.config import RenderSettings
from prepcheck.probes.browser import BrowserSession, PageLog
from prepcheck.probes.failures import Failure, describe_browser
from prepcheck.snapshots.pages import EmbeddedShots, PageShot
from prepcheck.snapshots.text import clean_text
from prepcheck.spanish import status_phrase

Queries = Mapping[str, str]
QueriesFor = Callable[[str], Queries]
#: Silence (no request in flight) that counts as "network idle" once the page is ready.
NETWORK_QUIET_S = 0.2
#: How long each candidate iframe of a portal may take to show the PREP's ready selector.
FRAME_PROBE_TIMEOUT_MS = 5000
#: Largest capture (CSS pixels): at most 4000 wide, 16384 tall and 12 Mpx in area (under
#: Pillow's bomb warning, 89 Mpx). The sample site's tallest page, #/ayuntamientos on a 390 px
#: phone, is 12,610 px (4.9 Mpx); a 1366 px desktop page may be 8,784 px tall.
MAX_SHOT_WIDTH = 4000
MAX_SHOT_HEIGHT = 16384
MAX_SHOT_PIXELS = 12_000_000
#: Length kept of each text read from a page.
MAX_TEXT_CHARS = 500
_UNEXPECTED = "falla inesperada del navegador con esta página"

# The page's size as numbers only (the maximum is taken in Python: a page can redefine Math).
_PAGE_SIZE = """() => {
  const d = document.documentElement, b = document.body;
  return [d.scrollWidth, b ? b.scrollWidth : 0, d.scrollHeight, b ? b.scrollHeight : 0];
}"""
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
    settled: bytes | None = None,
) -> PageShot:
    """Render ``url`` in a fresh page; see the module contract."""
    name, width, height = viewport
    shot = PageShot(url, name, width, height)
    kills = session.memory_kills
    try:
        with session.page(width, height) as (page, log):
            try:
                if _open(page, log, url, settings, shot):
                    # Not ready is still what a citizen sees: capture it for the evidence.
                    _capture(page, page, settings, shot, queries, None, settled)
            finally:
                shot.problems, shot.problems_omitted = list(log.problems), log.omitted
                shot.console_cut = log.console_cut
    except Error as exc:
        _fail(shot, _browser_reason(exc, settings), describe_browser(exc.message or str(exc)))
    except Exception as exc:  # what a page returns must never crash the run
        _fail(shot, _UNEXPECTED, Failure("unexpected", _UNEXPECTED, clean_text(repr(exc))))
    if session.memory_kills > kills:
        _memory_exceeded(session, shot)
    return shot


def _memory_exceeded(session: BrowserSession, shot: PageShot) -> None:
    """The renderer was killed for its memory: that, not what failed after it, is the reason."""
    limit = session.guard.limit_mb if session.guard is not None else 0
    shot.png, shot.stable, shot.ready = None, False, False
    shot.error = None
    shot.fail(
        f"la página pasó el límite de memoria del navegador ({limit:g} MB) y se detuvo",
        kind="memory",
    )


def _fail(shot: PageShot, reason: str, failure: Failure, kind: str | None = None) -> None:
    shot.fail(reason, kind=kind or failure.kind, detail=failure.detail or None)


def _browser_reason(exc: Error, settings: RenderSettings) -> str:
    return describe_browser(exc.message or str(exc), timeout_s=settings.page_timeout_seconds).reason


def _open(page: Page, log: PageLog, url: str, settings: RenderSettings, shot: PageShot) -> bool:
    """Navigate and wait until ready; False when the page could not be opened at all.

    A 4xx/5xx answer is recorded at once (``http_status``, ``error``) and not waited on."""
    try:
        response = page.goto(url, wait_until="load")
    except Error as exc:
        failure = describe_browser(exc.message or str(exc), timeout_s=settings.page_timeout_seconds)
        _fail(shot, f"no se pudo abrir la página: {failure.reason}", failure)
        return False
    shot.http_status = response.status if response is not None else None
    if shot.http_status is not None and shot.http_status >= 400:
        shot.fail(f"la página respondió {status_phrase(shot.http_status)}", kind="http-status")
        return True
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
        failure = describe_browser(exc.message or str(exc), timeout_s=settings.page_timeout_seconds)
        reason = f"la página no quedó lista ({settings.ready_selector}): {failure.reason}"
        if failure.kind == "timeout" and log.in_flight:
            reason += f"; seguía esperando {log.in_flight} respuesta(s) del sitio"
        _fail(shot, reason, failure, kind=_not_ready(log) if failure.kind == "timeout" else None)
        return False
    if not log.wait_network_quiet(page, NETWORK_QUIET_S, settings.page_timeout_seconds):
        shot.fail("la red no quedó en reposo (solicitudes sin terminar)", kind="stalled")
        return False
    return True


def _not_ready(log: PageLog) -> str:
    """``stalled`` when requests were still unanswered (the site holds what the page needs),
    else ``not-ready``."""
    return "stalled" if log.in_flight else "not-ready"


def _capture(
    page: Page,
    target: Page | Frame,
    settings: RenderSettings,
    shot: PageShot,
    queries: Queries,
    clip: dict[str, float] | None,
    settled: bytes | None = None,
) -> None:
    if clip is None and settings.full_page:
        clip, shot.note = _bounded_clip(page)
    # An error page, or a page past the capture limits, is shown as it is: one shot, no
    # waiting for it to settle (each shot of a 12 Mpx page costs seconds).
    single = shot.error_kind == "http-status" or shot.note is not None
    tries = 1 if single else settings.max_shots
    shot.png, shot.stable, shot.shots = stable_screenshot(
        page, target, settings, clip, tries, settled
    )
    shot.texts = _texts(target.evaluate(_READ_TEXTS, dict(queries)))
    shot.corte = _corte(target.evaluate(_READ_CORTE, settings.corte_selector))


def _bounded_clip(page: Page) -> tuple[dict[str, float] | None, str | None]:
    """None for a page within the capture limits; else the clip of its top-left part and a
    note saying what was left out (only the viewport when the page's size cannot be read)."""
    try:
        sizes = [max(0, int(value)) for value in page.evaluate(_PAGE_SIZE)]
        width, height = max(sizes[0:2]), max(sizes[2:4])
    except (TypeError, ValueError, IndexError):
        view = page.viewport_size or {"width": MAX_SHOT_WIDTH, "height": MAX_SHOT_HEIGHT}
        clip = {"x": 0.0, "y": 0.0, "width": float(view["width"]), "height": float(view["height"])}
        return clip, "no se pudo medir la página; se capturó solo la parte visible"
    kept_width = min(width, MAX_SHOT_WIDTH)
    kept_height = min(height, MAX_SHOT_HEIGHT, MAX_SHOT_PIXELS // max(1, kept_width))
    if (kept_width, kept_height) == (width, height):
        return None, None
    clip = {"x": 0.0, "y": 0.0, "width": float(kept_width), "height": float(kept_height)}
    note = (
        f"la página mide {width:,} × {height:,} px; se capturaron solo los primeros "
        f"{int(clip['width']):,} × {int(clip['height']):,} px (límite de captura)"
    )
    return clip, note


def _texts(found: object) -> dict[str, str | None]:
    if not isinstance(found, dict):
        return {}
    return {
        clean_text(key, 100): None if value is None else clean_text(value, MAX_TEXT_CHARS)
        for key, value in found.items()
    }


def _corte(found: object) -> dict[str, Any]:
    if not isinstance(found, dict):
        return {}
    text = found.get("texto")
    listed = found.get("lineas")
    lines: list[Any] = listed if isinstance(listed, list) else []
    return {
        "texto": None if text is None else clean_text(text, MAX_TEXT_CHARS),
        "visible": bool(found.get("visible")),
        "lineas": [clean_text(line, MAX_TEXT_CHARS) for line in lines[:5]],
    }


def stable_screenshot(
    page: Page,
    target: Page | Frame,
    settings: RenderSettings,
    clip: dict[str, float] | None,
    tries: int | None = None,
    settled: bytes | None = None,
) -> tuple[bytes, bool, int]:
    """Shots until two consecutive ones are identical (at most ``tries``, default
    ``max_shots``), or one when it is byte-identical to ``settled`` (a settled shot of the same
    page): (png, stable, shots taken)."""
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
    limit = tries or settings.max_shots
    previous = page.screenshot(**options)
    if settled is not None and previous == settled:
        return previous, True, 1
    for count in range(2, limit + 1):
        current = page.screenshot(**options)
        if current == previous:
            return current, True, count
        previous = current
    return previous, False, limit


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
    kills = session.memory_kills
    try:
        with session.page(width, height) as (page, log):
            try:
                _shoot_frames(page, log, settings, queries_for, result)
            finally:
                result.problems = list(log.problems)
    except Error as exc:
        result.error = result.error or _browser_reason(exc, settings)
    except Exception:  # what a portal returns must never crash the run
        result.error = result.error or _UNEXPECTED
    if session.memory_kills > kills:
        result.error = "el portal pasó el límite de memoria del navegador y se detuvo"
    return result


def _shoot_frames(
    page: Page,
    log: PageLog,
    settings: RenderSettings,
    queries_for: QueriesFor,
    result: EmbeddedShots,
) -> None:
    try:
        response = page.goto(result.portal_url, wait_until="load")
    except Error as exc:
        reason = _browser_reason(exc, settings)
        result.error = f"no se pudo abrir el portal {clean_text(result.portal_url)}: {reason}"
        return
    if response is not None and response.status >= 400:
        phrase = status_phrase(response.status)
        result.error = f"no se pudo abrir el portal {clean_text(result.portal_url)}: {phrase}"
        return
    log.wait_network_quiet(page, NETWORK_QUIET_S, settings.page_timeout_seconds)
    found = _find_prep_frame(page, settings)
    if found is None:
        result.error = (
            f"el portal no tiene un iframe ({settings.iframe_selector}) con las páginas del PREP "
            f"({settings.ready_selector})"
        )
        return
    result.frame_url = clean_text(found[1].url)
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
        clip["width"] = min(clip["width"], MAX_SHOT_WIDTH)
        clip["height"] = min(clip["height"], MAX_SHOT_HEIGHT, MAX_SHOT_PIXELS // clip["width"])
        _capture(page, frame, settings, shot, queries_for(shot.route), clip)
    except Error as exc:
        _fail(shot, _browser_reason(exc, settings), describe_browser(exc.message or str(exc)))
    except Exception as exc:  # what a frame returns must never crash the run
        _fail(shot, _UNEXPECTED, Failure("unexpected", _UNEXPECTED, clean_text(repr(exc))))
    return shot


__all__ = [
    "EmbeddedShots",
    "PageLog",
    "PageShot",
    "page_url",
    "shoot_embedded",
    "shoot_page",
]
