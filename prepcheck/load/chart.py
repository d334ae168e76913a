"""A PNG chart of a load run over time: requests/s (and failures/s), users, p95 latency.

Contract: ``chart_png(points, title)`` returns PNG bytes (Pillow, default font) for any number of
points, including none; it never reads files.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

from prepcheck.snapshots.load import Point

WIDTH, PANEL_HEIGHT, MARGIN = 900, 200, 60
_BLUE, _RED, _GREY, _GREEN = (31, 90, 170), (200, 40, 40), (150, 150, 150), (40, 140, 60)


def chart_png(points: Sequence[Point], title: str) -> bytes:
    """Two panels sharing the time axis: throughput on top, p95 latency below."""
    image = Image.new("RGB", (WIDTH, 2 * PANEL_HEIGHT + 3 * MARGIN // 2), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 8), title, fill="black")
    start = points[0].at if points else 0.0
    seconds = [p.at - start for p in points]
    top = (MARGIN, 30, WIDTH - MARGIN, 30 + PANEL_HEIGHT)
    bottom = (MARGIN, top[3] + MARGIN // 2, WIDTH - MARGIN, top[3] + MARGIN // 2 + PANEL_HEIGHT)
    _panel(
        draw,
        top,
        seconds,
        [
            ("sol/s", [p.rate for p in points], _BLUE),
            ("fallas/s", [p.failure_rate for p in points], _RED),
            ("usuarios", [float(p.users) for p in points], _GREEN),
        ],
    )
    latency = [p.p95_ms if p.p95_ms is not None else 0.0 for p in points]
    _panel(draw, bottom, seconds, [("p95 ms", latency, _BLUE)])
    draw.text((WIDTH // 2 - 40, bottom[3] + 6), "segundos de prueba", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _panel(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    xs: Sequence[float],
    series: Sequence[tuple[str, Sequence[float], tuple[int, int, int]]],
) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, outline=_GREY)
    x_max = max(xs[-1] if xs else 1.0, 1.0)
    y_max = max([max(values, default=0.0) for _, values, _ in series] + [1.0]) * 1.1
    draw.text((4, top), f"{y_max:.0f}", fill="black")
    draw.text((4, bottom - 12), "0", fill="black")
    draw.text((right - 30, bottom + 2), f"{x_max:.0f}", fill="black")
    scale_x: Callable[[float], float] = lambda x: left + (right - left) * x / x_max  # noqa: E731
    scale_y: Callable[[float], float] = lambda y: bottom - (bottom - top) * y / y_max  # noqa: E731
    for index, (label, values, colour) in enumerate(series):
        draw.text((left + 8 + 110 * index, top + 4), label, fill=colour)
        line = [(scale_x(x), scale_y(y)) for x, y in zip(xs, values, strict=True)]
        if len(line) > 1:
            draw.line(line, fill=colour, width=2)
        elif line:
            draw.ellipse([line[0][0] - 2, line[0][1] - 2, line[0][0] + 2, line[0][1] + 2], colour)
