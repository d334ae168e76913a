"""prepcheck.checks.fidelity.imaging must agree exactly with the reference ``pixelmatch`` package.

Every generated pair is compared by both implementations across thresholds and ``include_aa``
both ways; counts and diff images must be equal, not close. Images stay small because the
reference implementation is pure Python; its outcomes are recorded in
``pixelmatch_recorded.json`` (2-3 s of pixelmatch per run become 0.1 s), keyed by a digest of
the exact inputs and pixelmatch's version, and a few are computed again on every run.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import PIL
import pytest
from PIL import Image, ImageDraw, ImageFont
from pixelmatch import pixelmatch

from prepcheck.checks.fidelity.imaging import (
    CompareOptions,
    Comparison,
    compare,
    encode_png,
    load_rgba,
    passes,
    to_rgba,
)

Pair = tuple[Image.Image, Image.Image]
U8 = npt.NDArray[np.uint8]

THRESHOLDS = (0.0, 0.05, 0.1, 0.2, 0.5)
#: pixelmatch's outcomes for this module's inputs, recorded (see ``_reference``): the reference
#: is pure Python, 2-3 s for the module, against 0.1 s for the recording.
RECORDED = Path(__file__).with_name("pixelmatch_recorded.json")
REFERENCE_MODE_ENV = "PREPCHECK_PIXELMATCH"
PIXELMATCH_VERSION = version("pixelmatch")
#: Outcomes computed by pixelmatch in this session (what record mode writes).
_FRESH: dict[str, list[object]] = {}


def _img(array: U8) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(array))


def _canvas(width: int, height: int, scale: int = 1) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGBA", (width * scale, height * scale), (255, 255, 255, 255))
    return image, ImageDraw.Draw(image)


def _text(shift: int = 0, colour: tuple[int, int, int] = (20, 20, 20)) -> Image.Image:
    image, draw = _canvas(90, 40)
    font = ImageFont.load_default()
    draw.text((3 + shift, 2), "PREP 2024 Sección", fill=colour, font=font)
    draw.text((3, 18), "Votos: 1,234 (56.7%)", fill=colour, font=font)
    return image


def _aa_shapes(offset: float = 0.0, scale: int = 4) -> Image.Image:
    """Anti-aliased shapes: drawn at ``scale``× and downsampled."""
    image, draw = _canvas(70, 60, scale)
    o = offset * scale
    draw.ellipse([8 * scale + o, 6 * scale, 40 * scale + o, 38 * scale], outline="black", width=5)
    draw.line([0, 50 * scale, 70 * scale, 20 * scale + o], fill=(200, 30, 30), width=scale)
    draw.polygon(
        [(45 * scale + o, 5 * scale), (68 * scale, 30 * scale), (44 * scale, 55 * scale)],
        fill=(30, 90, 200),
    )
    return image.resize((70, 60), Image.Resampling.LANCZOS)


def _gradient(width: int = 64, height: int = 48, tweak: int = 0) -> Image.Image:
    x = np.linspace(0, 255, width)[None, :].repeat(height, axis=0)
    y = np.linspace(255, 0, height)[:, None].repeat(width, axis=1)
    rgba = np.stack([x, y, (x + y) / 2 + tweak, np.full_like(x, 255)], axis=2)
    return _img(np.clip(rgba, 0, 255).astype(np.uint8))


def _thin_lines(shift: int = 0) -> Image.Image:
    image, draw = _canvas(60, 50)
    for i in range(0, 50, 7):
        draw.line([(0, i + shift), (59, i)], fill=(0, 0, 0), width=1)
    draw.line([(30 + shift, 0), (30, 49)], fill=(128, 128, 128), width=1)
    return image


def _table(shift: int = 0) -> Image.Image:
    image, draw = _canvas(80, 60)
    for row in range(0, 60, 12):
        draw.rectangle(
            [0, row, 79, row + 11],
            outline=(180, 180, 180),
            fill=(240, 240, 240) if row % 24 else (255, 255, 255),
        )
        draw.rectangle([4 + shift, row + 3, 10 + row, row + 8], fill=(0, 110, 60))
    return image


def _palette_pair(seed: int, width: int, height: int) -> Pair:
    """Random images from a small palette (so equal siblings are common) with edits."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (5, 4), dtype=np.uint8)
    palette[:, 3] = rng.choice(np.array([0, 128, 255], dtype=np.uint8), 5)
    palette[0] = (255, 255, 255, 255)
    blocks = rng.integers(0, 5, (height // 2 + 1, width // 2 + 1))
    index = np.kron(blocks, np.ones((2, 2), dtype=np.int64))[:height, :width]
    noise = rng.random((height, width)) < 0.15
    index[noise] = rng.integers(0, 5, int(noise.sum()))
    a = palette[index]
    b = a.copy()
    edits = rng.random((height, width)) < 0.2
    b[edits] = palette[rng.integers(0, 5, int(edits.sum()))]
    tweak = rng.random((height, width)) < 0.05
    b[tweak, :3] = (
        (b[tweak, :3].astype(np.int16) + rng.integers(-12, 13, (int(tweak.sum()), 3)))
        .clip(0, 255)
        .astype(np.uint8)
    )
    return _img(a), _img(b)


def _noise_pair(seed: int) -> Pair:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, (23, 31, 4), dtype=np.uint8)
    b = a.copy()
    b[rng.random((23, 31)) < 0.3] = rng.integers(0, 256, 4, dtype=np.uint8)
    return _img(a), _img(b)


def _alpha_pair() -> Pair:
    a = np.asarray(_aa_shapes()).copy()
    b = a.copy()
    a[..., 3] = np.linspace(0, 255, a.shape[1]).astype(np.uint8)[None, :]
    b[..., 3] = np.linspace(255, 0, b.shape[0]).astype(np.uint8)[:, None]
    b[10:20, 10:20, :3] = 0  # colours differing only where fully transparent elsewhere
    return _img(a), _img(b)


def _border_pair() -> Pair:
    """Differences on every edge and corner, where the neighbourhood is clipped."""
    a = np.asarray(_text()).copy()
    b = a.copy()
    b[0, :, :3] = 90
    b[-1, ::2, :3] = 0
    b[:, 0, 0] = 0
    b[1::3, -1, :3] = 200
    b[0, 0], b[-1, -1], b[0, -1], b[-1, 0] = (
        (0, 0, 0, 255),
        (10, 0, 0, 255),
        (0, 0, 9, 9),
        (1, 2, 3, 4),
    )
    return _img(a), _img(b)


CASES: dict[str, Callable[[], Pair]] = {
    "text-shift": lambda: (_text(), _text(shift=1)),
    "text-colour": lambda: (_text(), _text(colour=(20, 20, 60))),
    "aa-shapes-subpixel": lambda: (_aa_shapes(), _aa_shapes(offset=0.5)),
    "aa-shapes-1px": lambda: (_aa_shapes(), _aa_shapes(offset=1.0)),
    "gradient-tweak": lambda: (_gradient(), _gradient(tweak=3)),
    "gradient-vs-text": lambda: (_gradient(90, 40), _text()),
    "thin-lines": lambda: (_thin_lines(), _thin_lines(shift=1)),
    "table": lambda: (_table(), _table(shift=1)),
    "alpha": _alpha_pair,
    "borders": _border_pair,
    "noise": lambda: _noise_pair(1),
    **{f"palette-{s}": functools.partial(_palette_pair, s, 37 + s, 29 - s) for s in range(6)},
    "tiny-1x1": lambda: _palette_pair(11, 1, 1),
    "tiny-1x7": lambda: _palette_pair(12, 1, 7),
    "tiny-7x1": lambda: _palette_pair(13, 7, 1),
    "tiny-2x2": lambda: _palette_pair(14, 2, 2),
    "tiny-3x3": lambda: _palette_pair(15, 3, 3),
}


def _run_pixelmatch(pair: Pair, options: CompareOptions) -> tuple[int, U8]:
    """pixelmatch's count and diff image for ``pair``.

    The core function is used rather than its PIL wrapper: the wrapper's identical-images fast
    path draws the grey background with PIL's integer luma, unlike JS pixelmatch and the core.
    """
    img1, img2 = (np.asarray(image.convert("RGBA")) for image in pair)
    output = bytearray(img1.size)
    count = pixelmatch(
        list(img1.tobytes()),
        list(img2.tobytes()),
        pair[0].width,
        pair[0].height,
        output,  # type: ignore[arg-type]
        **_pixelmatch_options(options),
    )
    return count, np.frombuffer(bytes(output), dtype=np.uint8).reshape(img1.shape)


def _pixelmatch_options(options: CompareOptions) -> dict[str, object]:
    return {
        "threshold": options.threshold,
        "includeAA": options.include_aa,
        "alpha": options.alpha,
        "aa_color": options.aa_color,
        "diff_color": options.diff_color,
        "diff_mask": options.diff_mask,
    }


def _digest(diff: U8) -> str:
    return hashlib.sha256(np.ascontiguousarray(diff).tobytes()).hexdigest()


def _input_key(pair: Pair, options: CompareOptions) -> str:
    """Digest of everything pixelmatch's answer depends on: both images, the options, its
    version (floats by repr, which round-trips exactly)."""
    digest = hashlib.sha256(PIXELMATCH_VERSION.encode())
    for image in pair:
        digest.update(repr(image.size).encode())
        digest.update(np.asarray(image.convert("RGBA")).tobytes())
    digest.update(repr(sorted(_pixelmatch_options(options).items())).encode())
    return digest.hexdigest()


@functools.cache
def _recorded() -> dict[str, Any]:
    if not RECORDED.is_file():
        return {"outcomes": {}}
    loaded: dict[str, Any] = json.loads(RECORDED.read_text(encoding="utf-8"))
    return loaded


def _reference(pair: Pair, options: CompareOptions) -> tuple[int, str]:
    """pixelmatch's count and diff-image digest for ``pair``: the recorded outcome when this
    exact input was recorded (same images, options and pixelmatch version), else pixelmatch
    run now. ``PREPCHECK_PIXELMATCH=live`` always runs it; ``=record`` runs it and rewrites
    the recording at the end of the module (run without ``-n``)."""
    key = _input_key(pair, options)
    mode = os.environ.get(REFERENCE_MODE_ENV, "")
    outcomes = _recorded()["outcomes"]
    if mode not in ("live", "record") and key in outcomes:
        count, digest = outcomes[key]
        return int(count), str(digest)
    count, diff = _run_pixelmatch(pair, options)
    digest = _digest(diff)
    _FRESH[key] = [count, digest]
    return count, digest


@pytest.fixture(scope="module", autouse=True)
def _write_recording() -> Iterator[None]:
    yield
    if os.environ.get(REFERENCE_MODE_ENV) == "record":
        # One outcome per line: a re-recording's diff shows which inputs changed.
        lines = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(_FRESH.items())]
        head = json.dumps({"pixelmatch": PIXELMATCH_VERSION, "pillow": PIL.__version__})
        text = head[:-1] + ', "outcomes": {\n' + ",\n".join(lines) + "\n}}\n"
        RECORDED.write_text(text, encoding="utf-8")


def _assert_same(pair: Pair, options: CompareOptions) -> Comparison:
    count, reference = _reference(pair, options)
    ours = compare(pair[0], pair[1], options)
    assert ours.mismatched == count
    assert ours.diff is not None
    # The digest is of the bytes alone: the shape is held to pixelmatch's (height, width, 4).
    assert ours.diff.shape == (pair[0].height, pair[0].width, 4) and ours.diff.dtype == np.uint8
    # On a mismatch, PREPCHECK_PIXELMATCH=live and a breakpoint show pixelmatch's image.
    assert _digest(ours.diff) == reference
    assert ours.total == pair[0].width * pair[0].height
    assert compare(pair[0], pair[1], options, want_diff=False).mismatched == count
    return ours


@pytest.mark.parametrize("include_aa", [False, True], ids=["aa-ignored", "aa-counted"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pixelmatch(name: str, include_aa: bool) -> None:
    pair = CASES[name]()
    for threshold in THRESHOLDS:
        _assert_same(pair, CompareOptions(threshold=threshold, include_aa=include_aa))


@pytest.mark.parametrize("name", ["text-shift", "noise", "tiny-3x3", "palette-2"])
def test_the_recording_is_pixelmatch_s_own_answer(name: str) -> None:
    """A few recorded outcomes are computed again by pixelmatch on every run."""
    pair = CASES[name]()
    for include_aa in (False, True):
        options = CompareOptions(include_aa=include_aa)
        recorded = _recorded()["outcomes"].get(_input_key(pair, options))
        if recorded is None:
            pytest.skip(
                "esta entrada no está en la grabación (otra versión de Pillow o pixelmatch)"
            )
        count, diff = _run_pixelmatch(pair, options)
        assert recorded == [count, _digest(diff)]


def test_the_recording_covers_every_named_case() -> None:
    """Whoever changes a case or pixelmatch records again: with the recording's Pillow (its
    font and resampling draw the inputs), every named case at every threshold is in it."""
    if os.environ.get(REFERENCE_MODE_ENV) == "record":
        pytest.skip("se está grabando: la grabación nueva se escribe al final del módulo")
    if _recorded().get("pillow") != PIL.__version__:
        pytest.skip("la grabación se hizo con otra versión de Pillow: los casos se calculan")
    outcomes = _recorded()["outcomes"]
    missing = [
        f"{name} include_aa={aa} threshold={t}"
        for name in CASES
        for aa in (False, True)
        for t in THRESHOLDS
        if _input_key(CASES[name](), CompareOptions(threshold=t, include_aa=aa)) not in outcomes
    ]
    assert not missing, f"PREPCHECK_PIXELMATCH=record pytest {__file__}: {missing[:3]}"


def test_anti_aliasing_detector_is_exercised() -> None:
    """Guard against a corpus that never reaches the detector's interesting branches."""
    pair = CASES["aa-shapes-subpixel"]()
    ignored = compare(*pair, CompareOptions(include_aa=False))
    counted = compare(*pair, CompareOptions(include_aa=True))
    assert 0 < ignored.mismatched < counted.mismatched
    assert ignored.diff is not None
    assert np.any(np.all(ignored.diff == (255, 255, 0, 255), axis=2))


@pytest.mark.parametrize("seed", range(12))
def test_random_palette_pairs(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    pair = _palette_pair(seed + 40, int(rng.integers(1, 30)), int(rng.integers(1, 30)))
    threshold = float(rng.choice(THRESHOLDS))
    _assert_same(pair, CompareOptions(threshold=threshold, include_aa=bool(seed % 2)))


@pytest.mark.parametrize(
    "options",
    [
        CompareOptions(diff_mask=True),
        CompareOptions(alpha=0.0),
        CompareOptions(alpha=1.0, threshold=0.2),
        CompareOptions(aa_color=(0, 255, 255), diff_color=(12, 34, 56)),
    ],
    ids=["mask", "alpha-0", "alpha-1", "colours"],
)
def test_diff_image_options(options: CompareOptions) -> None:
    _assert_same(CASES["aa-shapes-subpixel"](), options)
    _assert_same(CASES["alpha"](), options)


def test_identical_images_fast_path() -> None:
    image = _aa_shapes()
    ours = _assert_same((image, image.copy()), CompareOptions())
    assert ours.mismatched == 0 and ours.ratio == 0.0
    masked = compare(image, image, CompareOptions(diff_mask=True))
    assert masked.diff is not None and not masked.diff.any()


def test_diff_color_alt_marks_darkened_pixels() -> None:
    white = np.full((4, 4, 4), 255, dtype=np.uint8)
    darker = white.copy()
    darker[1, 1, :3] = 0
    alt = CompareOptions(diff_color_alt=(0, 0, 255))
    added = compare(white, darker, alt)
    removed = compare(darker, white, alt)
    assert added.diff is not None and removed.diff is not None
    assert tuple(added.diff[1, 1]) == (0, 0, 255, 255)
    assert tuple(removed.diff[1, 1]) == (255, 0, 0, 255)
    assert added.mismatched == removed.mismatched == 1


def test_size_mismatch_never_passes() -> None:
    expected = np.zeros((3000, 1366, 4), dtype=np.uint8)
    actual = np.zeros((2990, 1366, 4), dtype=np.uint8)
    result = compare(expected, actual)
    assert result.size_mismatch == "tamaños distintos: referencia 1366×3000, actual 1366×2990"
    assert result.diff is None and result.ratio == 1.0
    assert not passes(result, max_diff_pixels=10**9, max_diff_ratio=1.0)


def test_passes_tolerances() -> None:
    result = Comparison(mismatched=50, total=1000, ratio=0.05, diff=None)
    assert not passes(result)
    assert passes(result, max_diff_pixels=50)
    assert not passes(result, max_diff_pixels=49)
    assert passes(result, max_diff_ratio=0.05)
    assert not passes(result, max_diff_ratio=0.04)
    assert not passes(result, max_diff_pixels=100, max_diff_ratio=0.04)
    assert passes(Comparison(0, 1000, 0.0, None))
    with pytest.raises(ValueError):
        passes(result, max_diff_ratio=1.5)


def test_options_are_validated() -> None:
    with pytest.raises(ValueError):
        CompareOptions(threshold=-0.1)
    with pytest.raises(ValueError):
        CompareOptions(diff_color=(256, 0, 0))


def test_array_inputs_are_normalised() -> None:
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    rgba = to_rgba(grey)
    assert rgba.shape == (3, 4, 4) and rgba[2, 3].tolist() == [11, 11, 11, 255]
    assert to_rgba(rgba[..., :3]).tolist() == rgba.tolist()
    assert compare(grey, rgba).mismatched == 0
    with pytest.raises(TypeError):
        to_rgba(grey.astype(np.float32))


def test_load_and_encode_round_trip(tmp_path: Path) -> None:
    image = np.asarray(_aa_shapes())
    data = encode_png(image)
    assert np.array_equal(load_rgba(data), image)
    path = tmp_path / "shot.png"
    path.write_bytes(data)
    assert np.array_equal(load_rgba(path), image)
    small = Image.open(io.BytesIO(encode_png(image, max_width=35)))
    assert small.size == (35, 30) and small.format == "PNG"
    assert Image.open(io.BytesIO(encode_png(image, max_width=500))).size == (70, 60)


def test_threshold_boundary_is_bit_exact() -> None:
    """Thresholds placed exactly on pixel deltas: any reordering of float operations shows."""
    from pixelmatch import color_delta

    rng = np.random.default_rng(7)
    a = rng.integers(0, 256, (1, 400, 4), dtype=np.uint8)
    b = np.clip(a.astype(np.int16) + rng.integers(-40, 41, a.shape), 0, 255).astype(np.uint8)
    a[0, ::3, 3], b[0, ::2, 3] = 255, 255
    flat1, flat2 = a.ravel().tolist(), b.ravel().tolist()
    pair = (_img(a), _img(b))
    for k in rng.choice(400, 80, replace=False):
        delta = color_delta(flat1, flat2, 4 * int(k), 4 * int(k))
        t = float(np.sqrt(delta / 35215))
        for threshold in (np.nextafter(t, 0.0), t, np.nextafter(t, 1.0)):
            options = CompareOptions(threshold=float(threshold), include_aa=True)
            assert compare(*pair, options).mismatched == _reference(pair, options)[0]


@pytest.mark.parametrize("name", ["aa-shapes-subpixel", "palette-0", "noise"])
def test_chunked_passes_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny chunks split candidates and grey-background blocks at arbitrary points."""
    monkeypatch.setattr("prepcheck.checks.fidelity.imaging._CHUNK", 13)
    _assert_same(CASES[name](), CompareOptions(threshold=0.05))
