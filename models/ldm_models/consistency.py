"""Consistency of a super-resolved image with its input, the twin of the plugin's ``task/Consistency``.

With A the f x f area average (``degrade.area_down4`` for f = 4) and y the input, :func:`project` returns x + c with

    c = argmin ||grad c||^2  subject to  A(x + c) = y

(forward differences inside the image, no flux across its edge): the correction of least gradient energy that makes
the image reproduce its input exactly. Written c = R r + d (r = y - A(x), R the f x f replication, d with zero f x f
block means), d solves P L P d = -P L R r by conjugate gradients (Hestenes & Stiefel 1952), L the Neumann graph
Laplacian and P = I - R A. The block means of d are zero, so the condition number is at most 8 / (2 - 2 cos(pi / f))
whatever the image's size. A last plain step x + R(y - A(x)) removes the rounding left in the block means.

It is the projection onto {x : A(x) = y} in the gradient norm: for every consistent z,
||grad(x' - z)||^2 = ||grad(x - z)||^2 - ||grad c||^2. The plain L2 projection x + R(y - A(x)) (Irani & Peleg 1991,
:func:`blockwise`) moves each block by its own constant and leaves a step at every block border.
"""
from __future__ import annotations

import numpy as np

TOLERANCE = 1e-6
"""CG stops when the residual's norm is this fraction of the first one (Java: Consistency.TOLERANCE)."""
MAX_ITERATIONS = 500


def _laplacian(u: np.ndarray) -> np.ndarray:
    """L u for the 4-neighbour graph inside the image (Neumann)."""
    out = np.zeros_like(u)
    dx = u[:, 1:] - u[:, :-1]
    dy = u[1:, :] - u[:-1, :]
    out[:, 1:] += dx
    out[:, :-1] -= dx
    out[1:, :] += dy
    out[:-1, :] -= dy
    return out


def _block_mean(u: np.ndarray, f: int) -> np.ndarray:
    h, w = u.shape
    return u.reshape(h // f, f, w // f, f).mean(axis=(1, 3))


def _replicate(r: np.ndarray, f: int) -> np.ndarray:
    return np.repeat(np.repeat(r, f, axis=0), f, axis=1)


def _null(u: np.ndarray, f: int) -> np.ndarray:
    """u - R A u: the orthogonal projection onto the images whose every f x f block has mean zero."""
    return u - _replicate(_block_mean(u, f), f)


def smoothen(c: np.ndarray, f: int) -> np.ndarray:
    """c + d with d the minimiser of ||grad(c + d)||^2 among images of zero f x f block means (one plane)."""
    d = np.zeros_like(c)
    res = -_null(_laplacian(c), f)
    direction = res.copy()
    rr = float(np.sum(res * res))
    stop = rr * TOLERANCE ** 2
    for _ in range(MAX_ITERATIONS):
        if not rr > stop or rr == 0:
            break
        ad = _null(_laplacian(direction), f)
        dad = float(np.sum(direction * ad))
        if not dad > 0:
            break
        alpha = rr / dad
        d += alpha * direction
        res -= alpha * ad
        nxt = float(np.sum(res * res))
        direction = _null(res + (nxt / rr) * direction, f)
        rr = nxt
    return c + d


def project(x: np.ndarray, y: np.ndarray, f: int = 4) -> np.ndarray:
    """The smooth consistency projection of ``x`` ([..., fH, fW]) onto ``y`` ([..., H, W]), plane by plane, float64."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    out = np.empty_like(x)
    for idx in np.ndindex(*x.shape[:-2]):
        plane, low = x[idx], y[idx]
        c = smoothen(_replicate(low - _block_mean(plane, f), f), f)
        plane = plane + c
        out[idx] = plane + _replicate(low - _block_mean(plane, f), f)
    return out


def blockwise(x: np.ndarray, y: np.ndarray, f: int = 4) -> np.ndarray:
    """x + R(y - A(x)): the L2 projection (one constant per f x f block), for comparison."""
    x = np.asarray(x, np.float64)
    h, w = x.shape[-2:]
    down = x.reshape(x.shape[:-2] + (h // f, f, w // f, f)).mean(axis=(-3, -1))
    return x + np.repeat(np.repeat(np.asarray(y, np.float64) - down, f, axis=-2), f, axis=-1)


def grid_ratio(x: np.ndarray, f: int = 4) -> float:
    """Mean |difference| of adjacent pixels across f x f block borders over that inside the blocks (Java:
    Quality.gridRatio); about 1 for natural images."""
    x = np.asarray(x, np.float64)
    dx = np.abs(np.diff(x, axis=-1))  # pair (i, i + 1) crosses a border when (i + 1) % f == 0
    dy = np.abs(np.diff(x, axis=-2))
    bx = (np.arange(1, x.shape[-1]) % f) == 0
    by = (np.arange(1, x.shape[-2]) % f) == 0
    across = np.concatenate([dx[..., bx].ravel(), dy[..., by, :].ravel()])
    inside = np.concatenate([dx[..., ~bx].ravel(), dy[..., ~by, :].ravel()])
    return float(across.mean() / max(inside.mean(), 1e-20))
