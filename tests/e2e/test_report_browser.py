"""The report, the board and the memoria in Chromium (Debian's, never a downloaded one).

Each page is served to the browser by a route that answers its own URL only; any other
request the page makes is recorded and fails the test (the pages are self-contained). At
390 px nothing may overflow horizontally; hostile text must never run; every text meets
WCAG AA contrast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright
from report_samples import HOSTILE, documents

from prepcheck.memoria.document import build_memoria
from prepcheck.memoria.render import render_memoria
from prepcheck.probes.browser import LAUNCH_ARGS, default_browser
from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import STATUS_LABELS, VERDICT_LABELS, Status, Verdict, write_document

SAMPLES = documents()
ORIGIN = "http://informe.prepcheck.test"
PHONE, DESKTOP = 390, 1366
#: Computes, for every visible text, its contrast with the background behind it (WCAG 2).
CONTRAST_JS = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = el => { for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c; } return [255, 255, 255]; };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const fg = rgb(style.color), bg = background(el);
    const a = lum(fg), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) low.push(el.tagName + '.' + el.className + ': ' + ratio.toFixed(2) + ' '
                               + el.textContent.trim().slice(0, 40));
  }
  return low;
}
"""

#: Table captions drawn narrower than half their table (a reflowed table's caption once shrank
#: to one letter a line on a phone).
SQUEEZED_CAPTIONS_JS = """
() => [...document.querySelectorAll('caption')]
  .filter(c => c.getClientRects().length && c.getBoundingClientRect().width
               < 0.5 * c.closest('table').getBoundingClientRect().width)
  .map(c => c.textContent.trim())
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = default_browser()
    if not executable.exists():
        pytest.skip(f"sin {executable}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(executable), args=list(LAUNCH_ARGS)
        )
        try:
            yield launched
        finally:
            launched.close()


class Opened:
    """A page showing one file, with every other request and every dialog recorded."""

    def __init__(self, browser: Browser, path: Path, width: int) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page: Page = self.context.new_page()
        self.url = f"{ORIGIN}/{path.parent.name}/{path.name}"
        body = path.read_bytes()

        def answer(route: Route) -> None:
            if route.request.url == self.url:
                route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8")
            else:
                self.requests.append(route.request.url)
                route.abort()

        self.page.route("**/*", answer)
        self.page.on(
            "dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss())
        )
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def overflow(self) -> tuple[int, int]:
        return self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")

    def open_all(self) -> None:
        self.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("informes")
    pages = {}
    for name, document in SAMPLES.items():
        path = out / name / "results.json"
        write_document(document, path)
        pages[name] = render_report(path, path.with_name("report.html"))
    pages["_board"] = render_board(out)
    pages["_memoria"] = _memoria(out / "hostil")
    return pages


def _memoria(folder: Path) -> Path:
    memoria = build_memoria(
        difusor={"difusor": "hostil", "nombre": f"Difusor {HOSTILE}", "base_url": HOSTILE,
                 "eleccion": HOSTILE},
        period={"desde": "2026-11-30", "hasta": "2026-12-06", "desfase_utc": "-06:00"},
        incidents={"disponible": True, "total": 1, "duracion_total_s": 150, "fuente": HOSTILE,
                   "lista": [{"inicio": "2026-12-01T21:00:00-06:00",
                              "fin": "2026-12-01T21:02:30-06:00",
                              "duracion_s": 150, "motivo": HOSTILE}]},
        statistics=_statistics(),
        records={"load.capacity": {"id": "load.capacity", "titulo": HOSTILE, "resultado": "Cumple",
                                   "estado": "pass", "mensaje": HOSTILE,
                                   "evidencia": {"p95_ms": 120, HOSTILE: HOSTILE}}},
        improvements=HOSTILE,
    )  # fmt: skip
    path = folder / "memoria.json"
    path.write_text(json.dumps(memoria), encoding="utf-8")
    return render_memoria(path, folder / "memoria.html")


def _statistics() -> dict[str, Any]:
    totals = {"visitantes": 12345, "visitas": 20000, "duracion_media_s": 75.5,
              "duracion_mediana_s": 40, "paginas_vistas": 54321, "vistas": 99999,
              "sondeos_main": 123456, "descargas": 77, "hits": 1234567, "errores": 12,
              "bytes": 9_876_543_210}  # fmt: skip
    day = {**totals, "fecha": "2026-12-01"}
    return {
        "totales": totals,
        "por_dia": [day, {**day, "fecha": "2026-12-02", "visitantes": 500}],
        "duraciones": [{"rango": "menos de 1 min", "visitas": 3}],
        "paginas_consultadas": [
            {"ruta": "/prepver2021/json/diputaciones/distrito_muy_largo_" + "x" * 80 + ".json",
             "solicitudes": 10},
            {"ruta": HOSTILE, "solicitudes": 1},
        ],
        "reglas": [HOSTILE],
        "formato": "combined",
        "archivos": [HOSTILE],
        "lineas": 10,
        "lineas_malformadas": 1,
        "muestras_malformadas": [HOSTILE],
        "fuera_del_periodo": 0,
        "problemas_de_lectura": [HOSTILE],
    }  # fmt: skip


def assert_safe(opened: Opened) -> None:
    assert opened.requests == [], opened.requests
    assert opened.dialogs == []
    assert opened.page.evaluate("typeof window.__pwned") == "undefined"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_report_in_chromium(browser: Browser, rendered: dict[str, Path], name: str) -> None:
    document = SAMPLES[name]
    for width in (PHONE, DESKTOP):
        opened = Opened(browser, rendered[name], width)
        try:
            page = opened.page
            banner = page.locator("[data-verdict]").inner_text().strip()
            assert banner == VERDICT_LABELS[Verdict(document["verdict"])]
            opened.open_all()
            for record in document["checks"]:
                row = page.locator(f'article[data-check-id="{record["id"]}"]')
                label = row.locator(".status-label").inner_text().strip()
                assert label == STATUS_LABELS[Status(record["status"])], record["id"]
            text = page.inner_text("body")
            for english in ("Passed", "Failed", "Skipped", "Report generated", "Summary"):
                assert english not in text
            if width == PHONE:
                scroll, inner = opened.overflow()
                assert scroll <= inner, f"{name}: {scroll} px de ancho en {inner} px"
                assert page.evaluate(SQUEEZED_CAPTIONS_JS) == [], name
            assert_safe(opened)
        finally:
            opened.close()


@pytest.mark.parametrize("page_name", ["_board", "_memoria", "no-cumple", "cumple"])
def test_pages_fit_a_phone_run_nothing_and_meet_contrast(
    browser: Browser, rendered: dict[str, Path], page_name: str
) -> None:
    for width in (PHONE, DESKTOP):
        opened = Opened(browser, rendered[page_name], width)
        try:
            opened.open_all()
            scroll, inner = opened.overflow()
            assert scroll <= inner, f"{page_name}: {scroll} px de ancho en {inner} px"
            assert opened.page.evaluate(CONTRAST_JS) == []
            assert_safe(opened)
        finally:
            opened.close()


def test_board_cards_show_each_verdict(browser: Browser, rendered: dict[str, Path]) -> None:
    opened = Opened(browser, rendered["_board"], PHONE)
    try:
        for name, document in SAMPLES.items():
            card = opened.page.locator(f'li.card[data-difusor="{name}"] .vbadge').first
            assert card.inner_text().strip() == VERDICT_LABELS[Verdict(document["verdict"])]
        assert_safe(opened)
    finally:
        opened.close()


def test_memoria_shows_hostile_text_as_text(browser: Browser, rendered: dict[str, Path]) -> None:
    opened = Opened(browser, rendered["_memoria"], PHONE)
    try:
        text = opened.page.inner_text("body")
        assert HOSTILE in text  # shown, escaped, as the text it is
        assert "1 de diciembre de 2026, 21:00 (UTC−06:00)" in text and "12,345" in text
        assert_safe(opened)
    finally:
        opened.close()


def test_the_toggle_script_runs_under_the_policy(
    browser: Browser, rendered: dict[str, Path]
) -> None:
    opened = Opened(browser, rendered["no-cumple"], DESKTOP)
    errors: list[str] = []
    try:
        opened.page.on("console", lambda message: errors.append(message.text))
        button = opened.page.locator('button[data-toggle-all="open"]')
        assert button.is_visible()  # the script unhid it: the CSP hash matches
        button.click()
        assert opened.page.evaluate(
            "[...document.querySelectorAll('details:not(.raw)')].every(d => d.open)"
        )
        assert errors == []
    finally:
        opened.close()


def test_the_contrast_and_overflow_probes_do_find_problems(browser: Browser) -> None:
    """The measurements above can fail: grey on white and a too-wide table are caught."""
    context = browser.new_context(viewport={"width": PHONE, "height": 800})
    try:
        page = context.new_page()
        page.set_content(
            '<p style="color:#aaa">gris claro</p><table><tr><td>'
            + "x" * 30
            + "&nbsp;" * 200
            + "</td></tr></table>"
        )
        assert len(page.evaluate(CONTRAST_JS)) == 1
        assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    finally:
        context.close()
