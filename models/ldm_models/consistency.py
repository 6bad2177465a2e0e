"""Consistency of a super-resolved image with its input, the twin of the plugin's ``task/Consistency``.

With A the f x f area average (``degrade.area_down4`` for f = 4), R the f x f replication and y the input,
:func:`project` returns x + c with c = K R lambda: a smooth correction in a shift-invariant basis (Irani & Peleg 1991's
back-projection with a smooth kernel, run to convergence). K is the separable convolution with the discrete B-spline
of degree 2 m - 1 (the f-tap box convolved 2 m times, centred; m = :data:`PASSES` = 3: the quintic, support 6f - 5),
mirrored at the image's edges (half-sample symmetric), so K is symmetric positive semi-definite and keeps constants.
lambda solves (A K R) lambda = r = y - A(x) exactly; A K R is the separable low-resolution convolution with g (7 taps
for f = 4), symmetric positive definite, condition number <= 225 whatever the image's size, solved by conjugate
gradients (Hestenes & Stiefel 1952). A last plain step x + R(y - A(x)) removes the float rounding.

What holds: A(x') = y; c minimises <c, K^+ c> among the corrections in range(K) that satisfy it (K^+ c = R lambda is
constant on each block, so <c - d, d>_{K^+} = 0 for every d in range(K) with zero block means); so for every consistent
z with z - x in range(K), ||x' - z||^2_{K^+} = ||x - z||^2_{K^+} - ||c||^2_{K^+}. The plain L2 projection
x + R(y - A(x)) (:func:`blockwise`) moves each block by its own constant and leaves a step at every block border;
:func:`least_gradient` (min ||grad c||^2) is piecewise quadratic and steepest at the block borders.
"""
from __future__ import annotations

import numpy as np

PASSES = 3
"""Triangle (box * box) passes of K: the B-spline of degree 2 PASSES - 1 (Java: Consistency.PASSES)."""
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


def spline_kernel(f: int) -> np.ndarray:
    """K's 1-D taps: the f-tap box convolved 2 PASSES times, normalised (2 PASSES (f - 1) + 1 taps)."""
    k = np.ones(1)
    for _ in range(2 * PASSES):
        k = np.convolve(k, np.ones(f) / f)
    return k


def low_kernel(f: int) -> np.ndarray:
    """g, the 1-D taps of A K R at low resolution: g[d] = (1/f) sum_{a, b < f} k[d f + b - a]."""
    k = spline_kernel(f)
    r = len(k) // 2
    lr = (r + f - 1) // f
    g = np.zeros(2 * lr + 1)
    for d in range(-lr, lr + 1):
        for a in range(f):
            for b in range(f):
                t = d * f + b - a + r
                if 0 <= t < len(k):
                    g[d + lr] += k[t] / f
    return g


def _mirror(n: int, r: int) -> np.ndarray:
    i = np.arange(-r, n + r) % (2 * n)
    return np.where(i >= n, 2 * n - 1 - i, i)


def _convolve(u: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Separable convolution with the symmetric taps k, mirrored (half-sample symmetric) at the edges."""
    r = len(k) // 2
    for axis in (0, 1):
        n = u.shape[axis]
        p = np.take(u, _mirror(n, r), axis=axis)
        u = sum(k[t] * np.take(p, np.arange(t, t + n), axis=axis) for t in range(len(k)))
    return u


def _conjugate_gradients(apply, b: np.ndarray, constrain=lambda v: v) -> np.ndarray:
    """x with apply(x) = b for a symmetric positive (semi-)definite ``apply``, by conjugate gradients; ``constrain``
    keeps the search directions in a subspace (identity: none)."""
    x = np.zeros_like(b)
    res = b.copy()
    direction = res.copy()
    rr = float(np.sum(res * res))
    stop = rr * TOLERANCE ** 2
    for _ in range(MAX_ITERATIONS):
        if not rr > stop or rr == 0:
            break
        ad = apply(direction)
        dad = float(np.sum(direction * ad))
        if not dad > 0:
            break
        alpha = rr / dad
        x += alpha * direction
        res -= alpha * ad
        nxt = float(np.sum(res * res))
        direction = constrain(res + (nxt / rr) * direction)
        rr = nxt
    return x


def smooth_correction(r: np.ndarray, f: int) -> np.ndarray:
    """c = K R lambda with A c = r (one plane): lambda by CG on (A K R) lambda = r."""
    g = low_kernel(f)
    lam = _conjugate_gradients(lambda v: _convolve(v, g), r)
    return _convolve(_replicate(lam, f), spline_kernel(f))


def project(x: np.ndarray, y: np.ndarray, f: int = 4) -> np.ndarray:
    """The smooth consistency correction of ``x`` ([..., fH, fW]) onto ``y`` ([..., H, W]), plane by plane, float64."""
    x = np.asarray(x, np.float64)
    y = np.broadcast_to(np.asarray(y, np.float64), x.shape[:-2] + np.shape(y)[-2:])  # one input, several estimates
    out = np.empty_like(x)
    for idx in np.ndindex(*x.shape[:-2]):
        plane, low = x[idx], y[idx]
        plane = plane + smooth_correction(low - _block_mean(plane, f), f)
        out[idx] = plane + _replicate(low - _block_mean(plane, f), f)
    return out


def least_gradient(x: np.ndarray, y: np.ndarray, f: int = 4) -> np.ndarray:
    """x + c with c = argmin ||grad c||^2 subject to A(x + c) = y (CG on the null space of A), for comparison."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    out = np.empty_like(x)
    for idx in np.ndindex(*x.shape[:-2]):
        plane, low = x[idx], y[idx]
        c = _replicate(low - _block_mean(plane, f), f)
        d = _conjugate_gradients(lambda v: _null(_laplacian(v), f), -_null(_laplacian(c), f), lambda v: _null(v, f))
        plane = plane + c + d
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
