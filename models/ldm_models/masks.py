"""Random inpainting masks (1 = fill, 0 = keep), as used for training and evaluation.

Three families, in the spirit of LaMa / CompVis inpainting training masks: thick random brush strokes,
axis-aligned boxes, and blobs (thresholded smooth noise). Every mask covers between ``min_cover`` and
``max_cover`` of the image, so it is never empty and never full.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np
from scipy import ndimage

KINDS = ("strokes", "boxes", "blobs")


def _strokes(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    m = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(int(rng.integers(1, 5))):
        y, x = rng.uniform(0, h), rng.uniform(0, w)
        width = rng.uniform(0.03, 0.1) * min(h, w)
        ang = rng.uniform(0, 2 * math.pi)
        for _ in range(int(rng.integers(2, 7))):
            ang += rng.uniform(-1.2, 1.2)
            length = rng.uniform(0.1, 0.4) * min(h, w)
            y2, x2 = y + length * math.sin(ang), x + length * math.cos(ang)
            # distance from every pixel to the segment (y, x)-(y2, x2)
            dy, dx = y2 - y, x2 - x
            t = np.clip(((yy - y) * dy + (xx - x) * dx) / max(dy * dy + dx * dx, 1e-9), 0, 1)
            d2 = (yy - (y + t * dy)) ** 2 + (xx - (x + t * dx)) ** 2
            m[d2 <= (width / 2) ** 2] = 1
            y, x = min(max(y2, 0), h - 1), min(max(x2, 0), w - 1)
    return m


def _boxes(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    m = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(1, 4))):
        bh, bw = int(rng.uniform(0.1, 0.5) * h), int(rng.uniform(0.1, 0.5) * w)
        y, x = int(rng.integers(0, h - bh + 1)), int(rng.integers(0, w - bw + 1))
        m[y:y + bh, x:x + bw] = 1
    return m


def _blobs(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    n = ndimage.gaussian_filter(rng.standard_normal((h, w)), rng.uniform(0.06, 0.15) * min(h, w))
    return (n > np.quantile(n, 1.0 - rng.uniform(0.1, 0.4))).astype(np.float32)


_MAKERS = {"strokes": _strokes, "boxes": _boxes, "blobs": _blobs}


def random_mask(rng: np.random.Generator, h: int, w: int, kind: Optional[str] = None,
                min_cover: float = 0.05, max_cover: float = 0.6) -> np.ndarray:
    """A random fill mask.

    :param rng: numpy Generator (the caller's seed decides the mask).
    :param h, w: mask size in pixels.
    :param kind: one of :data:`KINDS`, or None to draw one.
    :return: float32 [h x w] with values in {0, 1}, 1 = fill; covered fraction in [min_cover, max_cover].
    """
    if kind is not None and kind not in _MAKERS:
        raise ValueError(f"unknown mask kind '{kind}'; known: {KINDS}")
    for _ in range(100):
        k = kind or KINDS[int(rng.integers(len(KINDS)))]
        m = _MAKERS[k](rng, h, w)
        if min_cover <= m.mean() <= max_cover:
            return m
    # Fallback that always satisfies the coverage bounds: a centred box of the middle coverage.
    m = np.zeros((h, w), np.float32)
    s = math.sqrt((min_cover + max_cover) / 2)
    bh, bw = max(1, int(h * s)), max(1, int(w * s))
    m[(h - bh) // 2:(h - bh) // 2 + bh, (w - bw) // 2:(w - bw) // 2 + bw] = 1
    return m
