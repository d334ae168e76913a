"""Vectorised screenshot comparison with exactly the semantics of pixelmatch.

Contract: :func:`compare` returns the same mismatch count and the same diff image as the
``pixelmatch`` package (a port of the JS pixelmatch 5 algorithm) for the same options, bit for
bit: pixels are blended over white by their alpha, compared by squared YIQ distance against
``35215 * threshold**2``, and differing pixels that the anti-aliasing detector flags in either
image are not counted unless ``include_aa``. Every float operation is performed in float64 in
pixelmatch's order so that threshold comparisons round identically.

The work is proportional to the image size only for cheap integer passes (byte equality) and
the optional grey diff background; colour deltas are computed for differing pixels only, and
the anti-aliasing detector runs only on the pixels over the threshold.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
from PIL import Image

RGB: TypeAlias = tuple[int, int, int]
RGBA: TypeAlias = npt.NDArray[np.uint8]
ImageLike: TypeAlias = npt.NDArray[np.uint8] | Image.Image
Floats: TypeAlias = npt.NDArray[np.float64]
Ints: TypeAlias = npt.NDArray[np.intp]
Mask: TypeAlias = npt.NDArray[np.bool_]

# 35215 is the largest possible squared YIQ distance (black against white).
MAX_YIQ_DELTA = 35215

# Pixels per block in whole-image float passes: large enough to amortise numpy calls, small
# enough for the temporaries to stay in cache.
_CHUNK = 1 << 16

# The 8 neighbours in pixelmatch's visiting order (x outer, y inner). The order decides which
# of several equally dark (or bright) neighbours is picked, so it must not change.
_NEIGHBOURS: tuple[tuple[int, int], ...] = tuple(
    (dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)
)
_OFFSETS = np.array(_NEIGHBOURS, dtype=np.intp)


@dataclass(frozen=True)
class CompareOptions:
    """pixelmatch options; colours are RGB triples drawn with alpha 255 in the diff image.

    ``diff_color_alt``, when set, colours differing pixels that are darker in ``actual`` than in
    ``expected`` (JS pixelmatch's ``diffColorAlt``); ``diff_mask`` draws only the differing
    pixels over a transparent background.
    """

    threshold: float = 0.1
    include_aa: bool = False
    alpha: float = 0.1
    aa_color: RGB = (255, 255, 0)
    diff_color: RGB = (255, 0, 0)
    diff_color_alt: RGB | None = None
    diff_mask: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {self.threshold}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be within [0, 1], got {self.alpha}")
        for name in ("aa_color", "diff_color", "diff_color_alt"):
            colour = getattr(self, name)
            if colour is not None and (
                len(colour) != 3 or not all(0 <= int(c) <= 255 for c in colour)
            ):
                raise ValueError(f"{name} must be three integers within [0, 255], got {colour}")


@dataclass(frozen=True)
class Comparison:
    """Outcome of :func:`compare`.

    ``diff`` is an H×W×4 uint8 image like pixelmatch's output (None when not requested or when
    the sizes differ). On a size mismatch ``size_mismatch`` holds the message, every pixel of the
    larger image counts as mismatched and ``ratio`` is 1.
    """

    mismatched: int
    total: int
    ratio: float
    diff: RGBA | None
    size_mismatch: str | None = None


def to_rgba(image: ImageLike) -> RGBA:
    """Return ``image`` as a C-contiguous H×W×4 uint8 array (RGB gets alpha 255, L is grey).

    PIL images go through ``convert("RGBA")``, as the pixelmatch PIL wrapper does.
    """
    if isinstance(image, Image.Image):
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        return np.ascontiguousarray(np.asarray(rgba, dtype=np.uint8))
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise TypeError(f"image arrays must be uint8, got {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"image arrays must be H×W, H×W×3 or H×W×4, got shape {array.shape}")
    if array.shape[2] == 3:
        opaque = np.full((*array.shape[:2], 1), 255, dtype=np.uint8)
        array = np.concatenate([array, opaque], axis=2)
    return np.ascontiguousarray(array)


def _packed(rgba: RGBA) -> npt.NDArray[np.uint32]:
    """View an H×W×4 contiguous array as H×W uint32 (one word per pixel, for equality tests)."""
    return rgba.view(np.uint32).reshape(rgba.shape[:2])


def _unpacked(words: npt.NDArray[np.uint32]) -> RGBA:
    """The RGBA bytes of packed pixels, as an array of shape ``words.shape + (4,)``."""
    return np.ascontiguousarray(words).view(np.uint8).reshape(*words.shape, 4)


def _blended(pixels: RGBA) -> tuple[Floats, Floats, Floats]:
    """Blend RGBA pixels (last axis) over white: ``255 + (c - 255) * (a / 255)`` per channel.

    Opaque pixels come out unchanged (``(c - 255) * 1.0 + 255`` is exact), so blending them
    too matches pixelmatch, which skips them.
    """
    values = pixels.astype(np.float64)
    a = values[..., 3] / 255.0
    return tuple(255.0 + (values[..., c] - 255.0) * a for c in range(3))  # type: ignore[return-value]


def _luma(words: npt.NDArray[np.uint32]) -> Floats:
    """Blended luma of packed pixels: pixelmatch ``colorDelta(..., yOnly)`` operands."""
    return _rgb2y(*_blended(_unpacked(words)))


def _rgb2y(r: Floats, g: Floats, b: Floats) -> Floats:
    """Luma (YIQ Y) in pixelmatch's operation order."""
    return r * 0.29889531 + g * 0.58662247 + b * 0.11448223


def _rgb2i(r: Floats, g: Floats, b: Floats) -> Floats:
    """YIQ I in pixelmatch's operation order."""
    return r * 0.59597799 - g * 0.27417610 - b * 0.32180189


def _rgb2q(r: Floats, g: Floats, b: Floats) -> Floats:
    """YIQ Q in pixelmatch's operation order."""
    return r * 0.21147017 - g * 0.52261711 + b * 0.31114694


def _color_delta(p1: RGBA, p2: RGBA) -> tuple[Floats, Mask]:
    """Squared YIQ distance between N×4 pixel rows, and whether ``p1`` is brighter than ``p2``."""
    r1, g1, b1 = _blended(p1)
    r2, g2, b2 = _blended(p2)
    y1, y2 = _rgb2y(r1, g1, b1), _rgb2y(r2, g2, b2)
    y = y1 - y2
    i = _rgb2i(r1, g1, b1) - _rgb2i(r2, g2, b2)
    q = _rgb2q(r1, g1, b1) - _rgb2q(r2, g2, b2)
    return 0.5053 * y * y + 0.299 * i * i + 0.1957 * q * q, y1 > y2


class _Hood(NamedTuple):
    """The 8 neighbours of N pixels, in pixelmatch's order, as flat pixel indices.

    ``around`` (8×N) is clamped into the image where ``valid`` is false; ``border`` is
    pixelmatch's initial ``zeroes``: 1 for a pixel on the image border, else 0.
    """

    centre: Ints
    around: Ints
    valid: Mask
    border: Ints

    def take(self, rows: Ints) -> _Hood:
        """The neighbourhoods of the pixels at positions ``rows`` only."""
        return _Hood(
            self.centre[rows], self.around[:, rows], self.valid[:, rows], self.border[rows]
        )


def _hood(flat: Ints, shape: tuple[int, int]) -> _Hood:
    """Neighbourhoods of the pixels at flat indices ``flat`` in an image of ``shape``."""
    height, width = shape
    ys, xs = np.divmod(flat, width)
    dx, dy = _OFFSETS[:, :1], _OFFSETS[:, 1:]
    ny, nx = ys + dy, xs + dx
    valid = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
    around = np.where(valid, flat + dy * width + dx, flat)
    border = ((xs == 0) | (xs == width - 1) | (ys == 0) | (ys == height - 1)).astype(np.intp)
    return _Hood(flat, around, valid, border)


def _has_many_siblings(packed: npt.NDArray[np.uint32], hood: _Hood) -> Mask:
    """pixelmatch ``hasManySiblings`` for each hood centre: 3+ identical RGBA neighbours."""
    same = hood.valid & (packed[hood.around] == packed[hood.centre])
    return hood.border + np.count_nonzero(same, axis=0) > 2


def _antialiased(
    packed: npt.NDArray[np.uint32], packed_other: npt.NDArray[np.uint32], hood: _Hood, width: int
) -> Mask:
    """pixelmatch ``antialiased(img, x, y, ..., img2)`` for each hood centre (flat images).

    A pixel is anti-aliased when at most 2 neighbours (plus one for a border pixel) have the
    same brightness, it has both darker and brighter neighbours, and the darkest or the brightest
    of them has 3+ identical siblings in both images.
    """
    deltas = _luma(packed[hood.centre]) - _luma(packed[hood.around])
    # Off-image neighbours are skipped by pixelmatch: 0 never wins the min/max below and is
    # excluded from the equal-brightness count.
    deltas[~hood.valid] = 0.0
    zeroes = hood.border + np.count_nonzero(hood.valid & (deltas == 0.0), axis=0)
    columns = np.arange(hood.centre.size)
    # argmin/argmax return the first extreme, like pixelmatch's strict "<"/">" updates.
    k_min, k_max = deltas.argmin(axis=0), deltas.argmax(axis=0)
    eligible = (zeroes <= 2) & (deltas[k_min, columns] < 0) & (deltas[k_max, columns] > 0)
    result = np.zeros(hood.centre.size, dtype=np.bool_)
    shape = (packed.size // width, width)
    for k_best in (k_min, k_max):
        rows = np.flatnonzero(eligible & ~result)
        extreme = _hood(hood.around[k_best[rows], rows], shape)
        result[rows] = _has_many_siblings(packed, extreme) & _has_many_siblings(
            packed_other, extreme
        )
    return result


def _antialiased_either(
    p1: npt.NDArray[np.uint32], p2: npt.NDArray[np.uint32], flat: Ints, width: int
) -> Mask:
    """Whether each pixel at flat index ``flat`` is anti-aliased in image 1 or in image 2.

    Candidates go in chunks to bound the 8×N temporaries.
    """
    shape = (p1.size // width, width)
    result = np.empty(flat.size, dtype=np.bool_)
    for start in range(0, flat.size, _CHUNK):
        hood = _hood(flat[start : start + _CHUNK], shape)
        aa = _antialiased(p1, p2, hood, width)
        rest = np.flatnonzero(~aa)
        aa[rest] = _antialiased(p2, p1, hood.take(rest), width)
        result[start : start + _CHUNK] = aa
    return result


def _grey_background(rgba: RGBA, alpha: float) -> RGBA:
    """pixelmatch ``drawGrayPixel`` for every pixel: raw luma blended towards white, opaque.

    Screenshots are mostly runs of equal pixels along rows, so the grey is computed once per run
    and repeated, unless runs are too short for that to pay.
    """
    flat = _packed(rgba).ravel()
    if flat.size < 2:
        return _grey_pixels(rgba.reshape(-1, 4), alpha).view(np.uint8).reshape(rgba.shape)
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    if 2 * starts.size > flat.size:
        return _grey_pixels(rgba.reshape(-1, 4), alpha).view(np.uint8).reshape(rgba.shape)
    grey = _grey_pixels(rgba.reshape(-1, 4)[starts], alpha)
    repeated = np.repeat(grey, np.diff(starts, append=flat.size))
    return repeated.view(np.uint8).reshape(rgba.shape)


def _grey_pixels(pixels: RGBA, alpha: float) -> npt.NDArray[np.uint32]:
    """``drawGrayPixel`` for N×4 pixels, as little-endian packed opaque RGBA words.

    Per-channel lookup tables hold exactly the products pixelmatch computes, and the sums keep
    its order, so the result is bit-identical; chunks keep the float temporaries in cache.
    """
    levels = np.arange(256, dtype=np.float64)
    red, green, blue = levels * 0.29889531, levels * 0.58662247, levels * 0.11448223
    weight = alpha * levels / 255.0
    out = np.empty(pixels.shape[0], dtype="<u4")
    for start in range(0, pixels.shape[0], _CHUNK):
        chunk = pixels[start : start + _CHUNK]
        grey = red[chunk[:, 0]]
        grey += green[chunk[:, 1]]
        grey += blue[chunk[:, 2]]
        grey -= 255.0
        grey *= weight[chunk[:, 3]]
        grey += 255.0
        # Values lie in [0, 255.000003], so the cast truncates exactly like int().
        value = grey.astype(np.uint32)
        value *= 0x010101
        value |= 0xFF000000
        out[start : start + _CHUNK] = value
    return out


def _size_mismatch(expected: RGBA, actual: RGBA) -> Comparison:
    """The comparison of two images of different sizes: everything mismatches."""
    (h1, w1), (h2, w2) = expected.shape[:2], actual.shape[:2]
    total = max(h1 * w1, h2 * w2)
    message = f"tamaños distintos: referencia {w1}×{h1}, actual {w2}×{h2}"
    return Comparison(total, total, 1.0, None, message)


def compare(
    expected: ImageLike,
    actual: ImageLike,
    options: CompareOptions = CompareOptions(),
    *,
    want_diff: bool = True,
) -> Comparison:
    """Compare ``actual`` with ``expected`` as pixelmatch(expected, actual) would.

    Returns pixelmatch's mismatch count, and with ``want_diff`` its diff image. Images of
    different sizes are not compared: see :class:`Comparison`.
    """
    img1, img2 = to_rgba(expected), to_rgba(actual)
    if img1.shape != img2.shape:
        return _size_mismatch(img1, img2)
    height, width = img1.shape[:2]
    total = height * width
    p1, p2 = _packed(img1).ravel(), _packed(img2).ravel()
    diff: RGBA | None = None
    if want_diff:
        diff = np.zeros_like(img1) if options.diff_mask else _grey_background(img1, options.alpha)
    flat = np.flatnonzero(p1 != p2)
    if flat.size == 0:
        return Comparison(0, total, 0.0, diff)
    delta, brighter = _color_delta(_unpacked(p1[flat]), _unpacked(p2[flat]))
    over = delta > MAX_YIQ_DELTA * options.threshold * options.threshold
    flat, brighter = flat[over], brighter[over]
    aa = np.zeros(flat.size, dtype=np.bool_)
    if not options.include_aa and flat.size:
        aa = _antialiased_either(p1, p2, flat, width)
    if diff is not None:
        _paint(diff.reshape(-1, 4), flat, aa, brighter, options)
    mismatched = int(flat.size - np.count_nonzero(aa))
    return Comparison(mismatched, total, mismatched / total, diff)


def _paint(pixels: RGBA, flat: Ints, aa: Mask, brighter: Mask, options: CompareOptions) -> None:
    """Draw anti-aliased pixels (unless in mask mode) and differing pixels into N×4 ``pixels``."""
    if not options.diff_mask:
        pixels[flat[aa]] = (*options.aa_color, 255)
    real = ~aa
    pixels[flat[real]] = (*options.diff_color, 255)
    if options.diff_color_alt is not None:
        alt = real & brighter
        pixels[flat[alt]] = (*options.diff_color_alt, 255)


def passes(
    cmp: Comparison, *, max_diff_pixels: int | None = None, max_diff_ratio: float | None = None
) -> bool:
    """Whether ``cmp`` is within every given tolerance (none given: no mismatch at all).

    Like Playwright's ``maxDiffPixels`` / ``maxDiffPixelRatio``; a size mismatch never passes.
    """
    if max_diff_pixels is not None and max_diff_pixels < 0:
        raise ValueError(f"max_diff_pixels must be >= 0, got {max_diff_pixels}")
    if max_diff_ratio is not None and not 0.0 <= max_diff_ratio <= 1.0:
        raise ValueError(f"max_diff_ratio must be within [0, 1], got {max_diff_ratio}")
    if cmp.size_mismatch is not None:
        return False
    limits = [float(max_diff_pixels)] if max_diff_pixels is not None else []
    if max_diff_ratio is not None:
        limits.append(cmp.total * max_diff_ratio)
    return cmp.mismatched <= min(limits, default=0.0)


def load_rgba(source: str | Path | bytes) -> RGBA:
    """Decode an image file (path, or its bytes) into an H×W×4 uint8 array."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    with Image.open(stream) as image:
        return to_rgba(image)


def encode_png(array: ImageLike, *, max_width: int | None = None) -> bytes:
    """Encode an image as PNG, scaled down (aspect kept) to at most ``max_width`` pixels wide."""
    image = Image.fromarray(to_rgba(array))
    if max_width is not None:
        if max_width < 1:
            raise ValueError(f"max_width must be >= 1, got {max_width}")
        if image.width > max_width:
            height = max(1, round(image.height * max_width / image.width))
            image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
