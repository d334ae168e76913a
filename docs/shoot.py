"""Take the README's screenshots with Debian's Chromium (``docs/*.png``).

Usage: ``python docs/shoot.py DEMO_OUT`` where ``DEMO_OUT`` is the folder of a finished
``prepcheck demo --out DEMO_OUT``. A third difusor is added to that folder: the first reference
difusor's real results with some records replaced by failing, erroring and not measured ones
(``tests/report_samples.py``), its previous run being the reference's passing one. Then the
board is re-rendered and four pictures are taken: the board, that difusor's report at 1366 px
and at 390 px, and the first reference difusor's memoria técnica. Pictures are cropped to their
first screenfuls and reduced to 256 colours so each stays under 300 kB.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the samples
from report_samples import failing_results

from prepcheck.probes.browser import LAUNCH_ARGS, default_browser
from prepcheck.report.board import render_board
from prepcheck.report.render import render_report
from prepcheck.results import merge_records, not_measured, read_document, summary, write_document

DOCS = Path(__file__).resolve().parent
SAMPLE = "muestra-con-fallas"
MAX_BYTES = 300_000


def prepare(out: Path) -> tuple[Path, Path, Path]:
    """Add the failing sample to ``out``; return the board, its report and a memoria."""
    # The first reference difusor, never a sample an earlier shooting added (so it can rerun).
    found = sorted(p for p in out.glob("*/results.json") if p.parent.name != SAMPLE)
    reference = read_document(found[0])
    renamed = {**reference, "difusor": SAMPLE, "display_name": "Universidad de Muestra"}
    replaced = [r.to_record() for r in failing_results() if r.id != "sftp.reachable"]
    replaced += [not_measured(cid).to_record() for cid in ("host.disk-free", "host.history-kept")]
    document = merge_records(renamed, replaced)
    document["base_url"] = "https://prep.muestra.edu.mx/"
    document["previous"] = summary(reference)
    path = out / SAMPLE / "results.json"
    write_document(document, path)
    report = render_report(path, path.with_name("report.html"))
    memoria = sorted(out.glob("*/memoria.html"))[0]
    return render_board(out), report, memoria


def shoot(page_path: Path, target: Path, width: int, height: int, scale: float = 1.0) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(default_browser()), args=list(LAUNCH_ARGS)
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(page_path.resolve().as_uri())
            png = page.screenshot(full_page=False)
        finally:
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    quantized = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    quantized.save(target, format="PNG", optimize=True)
    size = target.stat().st_size
    print(f"{target.name}: {image.width}×{image.height}, {size / 1000:.0f} kB")
    if size > MAX_BYTES:
        raise SystemExit(f"{target} pesa {size} bytes (máximo {MAX_BYTES})")


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("uso: python docs/shoot.py CARPETA_DEL_DEMO")
    board, report, memoria = prepare(Path(sys.argv[1]))
    shoot(board, DOCS / "board.png", 1366, 1000, 0.8)
    shoot(report, DOCS / "report-desktop.png", 1366, 1700, 0.7)
    shoot(report, DOCS / "report-phone.png", 390, 1500)
    shoot(memoria, DOCS / "memoria.png", 1366, 1100, 0.8)


if __name__ == "__main__":
    main()
