"""Harmonic (membrane) interpolation of masked pixels, the Python twin of the plugin's ``image/HarmonicFill``.

u solves the discrete Laplace equation on the masked pixels, with u = the known values on their 4-neighbours
(Dirichlet) and no flux across the image edge (Neumann): for every masked pixel p with in-image neighbours N(p),
``|N(p)|·u_p − Σ_{q masked} u_q = Σ_{q known} v_q``. Solved directly (scipy's sparse LU); the Java side uses
conjugate gradients on the same system.

Inpainting uses it for the first guess of a fill and for the seam correction (the decoder's error on the known
pixels carried into the fill; Pérez et al. 2003, Poisson image editing), and ``band_blend`` for the seam choice
"blend".
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage
import scipy.sparse as sp
import scipy.sparse.linalg as spl


def harmonic_fill(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A copy of the 2-D ``values`` with the pixels where ``mask`` is true interpolated (only known ones are read)."""
    m = np.asarray(mask, bool)
    h, w = m.shape
    index = -np.ones((h, w), np.int64)
    ys, xs = np.nonzero(m)
    n = len(ys)
    index[ys, xs] = np.arange(n)
    known = np.where(m, 0.0, np.asarray(values, np.float64))
    diag, b = np.zeros(n), np.zeros(n)
    rows, cols = [], []
    for dy, dx in ((0, -1), (0, 1), (-1, 0), (1, 0)):
        yy, xx = ys + dy, xs + dx
        inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        diag += inside
        q = np.where(inside, index[np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)], -1)
        unknown = inside & (q >= 0)
        rows.append(np.nonzero(unknown)[0])
        cols.append(q[unknown])
        b += np.where(inside & (q < 0), known[np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)], 0.0)
    r, c = np.concatenate(rows), np.concatenate(cols)
    a = sp.csr_matrix((np.concatenate([diag, -np.ones(len(r))]), (np.concatenate([np.arange(n), r]),
                                                                  np.concatenate([np.arange(n), c]))), shape=(n, n))
    out = np.array(values, np.float64)
    out[ys, xs] = spl.spsolve(a.tocsc(), b) if n else []
    return out


def correct_seam(x: np.ndarray, fill: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``fill`` with the harmonic interpolation of the error x − fill on the known pixels added inside the mask."""
    m = np.asarray(mask, bool)
    carried = harmonic_fill(np.where(m, 0.0, x - fill), m)
    return np.where(m, fill + carried, fill)


BAND_WIDTH = 4.0  # Java: image.SeamBand.WIDTH
BAND_SIGMA = 2.0  # Java: image.SeamBand.SIGMA


def band_blend(fill: np.ndarray, guess: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The plugin's ``image/SeamBand``: out = c − ramp(d)·G_σ∗(c − g), ramp(d) = clip(1 − (d − 1)/w, 0, 1) inside
    the mask (0 outside), c the fill, g the guess, d the distance to the nearest known pixel (w = BAND_WIDTH,
    σ = BAND_SIGMA; scipy's Gaussian with its defaults: mirrored edges, radius round(4σ))."""
    m = np.asarray(mask, bool)
    ramp = np.clip(1 - (ndimage.distance_transform_edt(m) - 1) / BAND_WIDTH, 0, 1) * m
    return fill - ramp * ndimage.gaussian_filter(np.asarray(fill, np.float64) - guess, BAND_SIGMA)
