"""Benchmark ``prepcheck.checks.fidelity.imaging.compare`` against the ``pixelmatch`` package.

Usage: ``python bench/imaging.py [--quick]``. Renders 1366×3000 PREP-like page pairs (header,
text, results tables, anti-aliased bar charts) where the second page has a few localized edits
and one chart shifted by half a pixel, compares each pair with both implementations (diff image
requested from both), asserts equal counts and diff images, and prints as its last line one JSON
object with the speedup. ``--quick`` runs one pair (well under a minute); otherwise three.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pixelmatch.contrib.PIL import pixelmatch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find _common
from _common import emit, peak_rss_mb

from prepcheck.checks.fidelity.imaging import CompareOptions, compare

WIDTH, HEIGHT = 1366, 3000
SUPERSAMPLE = 4
REPEATS = 5  # ours is timed as the median of this many runs; pixelmatch runs once
PARTIES = ("PAN", "PRI", "PRD", "PVEM", "PT", "MC", "MORENA", "Independiente", "Nulos")
COLOURS = (
    (6, 51, 138),
    (0, 146, 63),
    (255, 204, 0),
    (80, 180, 50),
    (205, 32, 38),
    (255, 120, 0),
    (176, 37, 46),
    (120, 120, 120),
    (60, 60, 60),
)
WORDS = (
    "casilla",
    "acta",
    "distrito",
    "sección",
    "cómputo",
    "votos",
    "participación",
    "ciudadana",
    "lista",
    "nominal",
    "preliminar",
    "resultados",
    "entidad",
    "federal",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _bar_chart(values: list[float], offset: float) -> Image.Image:
    """An anti-aliased horizontal bar chart (supersampled), shifted right by ``offset`` px."""
    w, row = 560, 34
    big = Image.new("RGB", (w * SUPERSAMPLE, row * len(values) * SUPERSAMPLE), "white")
    draw = ImageDraw.Draw(big)
    shift = offset * SUPERSAMPLE
    for i, value in enumerate(values):
        top = (i * row + 6) * SUPERSAMPLE
        right = (150 + value * 380) * SUPERSAMPLE + shift
        draw.rounded_rectangle(
            [150 * SUPERSAMPLE + shift, top, right, top + 22 * SUPERSAMPLE],
            radius=9 * SUPERSAMPLE,
            fill=COLOURS[i % len(COLOURS)],
        )
        cx = 20 * SUPERSAMPLE + shift
        draw.ellipse(
            [cx, top, cx + 22 * SUPERSAMPLE, top + 22 * SUPERSAMPLE],
            outline=COLOURS[i % len(COLOURS)],
            width=3 * SUPERSAMPLE,
        )
    return big.resize((w, row * len(values)), Image.Resampling.LANCZOS)


def _table(draw: ImageDraw.ImageDraw, top: int, votes: list[int]) -> int:
    """Draw a results table at ``top``; return the y below it."""
    font, total = _font(15), sum(votes)
    draw.rectangle([40, top, 1326, top + 36], fill=(230, 232, 236))
    for x, title in ((56, "Partido"), (520, "Votos"), (760, "Porcentaje"), (1000, "Actas")):
        draw.text((x, top + 9), title, fill=(30, 30, 30), font=font)
    for i, (party, count) in enumerate(zip(PARTIES, votes, strict=True)):
        y = top + 36 + i * 32
        if i % 2:
            draw.rectangle([40, y, 1326, y + 31], fill=(247, 248, 250))
        draw.line([40, y + 31, 1326, y + 31], fill=(210, 210, 215))
        draw.text((56, y + 8), party, fill=(20, 20, 20), font=font)
        draw.text((520, y + 8), f"{count:,}", fill=(20, 20, 20), font=font)
        draw.text((760, y + 8), f"{100 * count / total:.4f} %", fill=(20, 20, 20), font=font)
        draw.text((1000, y + 8), f"{count // 311:,}", fill=(20, 20, 20), font=font)
    return top + 36 + len(votes) * 32 + 24


def render_page(seed: int, edited: bool) -> Image.Image:
    """A PREP-like results page; ``edited`` applies a few localized changes and a chart shift."""
    rng = np.random.default_rng(seed)
    page = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle([0, 0, WIDTH, 110], fill=(115, 20, 60))
    draw.text((40, 30), "PREP 2024 · Resultados preliminares", fill="white", font=_font(34))
    stamp = "Corte: 02/06/2024 23:45 (UTC-6)" if not edited else "Corte: 02/06/2024 23:50 (UTC-6)"
    draw.text((980, 48), stamp, fill=(255, 230, 240), font=_font(18))
    y, section = 140, 0
    while y < HEIGHT - 420:
        section += 1
        draw.text(
            (40, y),
            f"Sección {section}: entidad {rng.integers(1, 33)}",
            fill=(40, 40, 40),
            font=_font(24),
        )
        y += 44
        for _ in range(int(rng.integers(2, 5))):
            line = " ".join(rng.choice(WORDS, int(rng.integers(8, 16))))
            draw.text((40, y), line.capitalize() + ".", fill=(70, 70, 70), font=_font(15))
            y += 24
        votes = [int(v) for v in rng.integers(1_000, 900_000, len(PARTIES))]
        if edited and section == 2:
            votes[3] += 17  # one updated count: changes a few table cells
        y = _table(draw, y + 10, votes)
        values = [v / max(votes) for v in votes]
        if edited and section == 3:
            values[1] = min(1.0, values[1] + 0.02)  # a longer bar
        offset = 0.5 if edited and section == 1 else 0.0  # anti-aliased sub-pixel shift
        page.paste(_bar_chart(values, offset), (40, y))
        badge = COLOURS[section % len(COLOURS)]
        if edited and section == 4:
            badge = (badge[0], badge[1], min(255, badge[2] + 40))  # a colour tweak
        draw.rounded_rectangle([700, y + 40, 1300, y + 200], radius=12, fill=badge)
        draw.text(
            (730, y + 100),
            f"Participación {rng.uniform(40, 70):.2f} %",
            fill="white",
            font=_font(28),
        )
        y += 34 * len(PARTIES) + 40
    draw.line([0, HEIGHT - 60, WIDTH, HEIGHT - 60], fill=(200, 200, 200))
    draw.text((40, HEIGHT - 45), "Instituto Nacional Electoral", fill=(90, 90, 90), font=_font(15))
    return page.convert("RGBA")


def _time_ours(expected: Image.Image, actual: Image.Image, repeats: int) -> tuple[float, int]:
    """Median wall time of ``compare`` (with diff image) over ``repeats`` runs, and its count."""
    times, count = [], -1
    for _ in range(repeats):
        start = time.perf_counter()
        result = compare(expected, actual, CompareOptions())
        times.append(time.perf_counter() - start)
        count = result.mismatched
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one pair instead of three")
    args = parser.parse_args()
    pairs = 1 if args.quick else 3
    ours_total = reference_total = ours_cpu_total = reference_cpu_total = 0.0
    for seed in range(pairs):
        expected, actual = render_page(seed, False), render_page(seed, True)
        cpu_start = time.process_time()
        ours_s, count = _time_ours(expected, actual, repeats=REPEATS)
        ours_cpu_total += (time.process_time() - cpu_start) / REPEATS
        output = Image.new("RGBA", expected.size)
        start, cpu_start = time.perf_counter(), time.process_time()
        reference = pixelmatch(expected, actual, output)
        reference_s = time.perf_counter() - start
        reference_cpu_total += time.process_time() - cpu_start
        ours = compare(expected, actual)
        assert count == reference == ours.mismatched, (count, reference)
        assert ours.diff is not None and np.array_equal(ours.diff, np.asarray(output))
        print(
            f"pair {seed}: {count} mismatched px; ours {ours_s * 1000:.1f} ms, "
            f"pixelmatch {reference_s:.2f} s ({reference_s / ours_s:.0f}×)"
        )
        ours_total += ours_s
        reference_total += reference_s
    speedup = reference_total / ours_total
    cpu_speedup = reference_cpu_total / ours_cpu_total
    print(
        f"{pairs} pair(s) of {WIDTH}×{HEIGHT}: ours {ours_total:.3f} s, "
        f"pixelmatch {reference_total:.2f} s, speedup {speedup:.0f}× (CPU time: {cpu_speedup:.0f}×)"
    )
    emit(
        {
            "bench": "imaging",
            "pairs": pairs,
            "width": WIDTH,
            "height": HEIGHT,
            "speedup_vs_pixelmatch": round(speedup, 1),
            "cpu_speedup_vs_pixelmatch": round(cpu_speedup, 1),
            "ours_s": round(ours_total, 4),
            "pixelmatch_s": round(reference_total, 3),
            "ours_cpu_s": round(ours_cpu_total, 4),
            "pixelmatch_cpu_s": round(reference_cpu_total, 3),
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
