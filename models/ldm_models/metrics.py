"""Image-quality measures used by ``evaluate.py`` (numpy, images in [-1, 1] unless stated).

* :func:`psnr`: 10·log10(peak² / MSE) with peak = 2 (the width of [-1, 1]).
* :func:`ssim`: scikit-image's structural similarity (Wang et al. 2004) with data_range 2.
* :func:`masked_mae`: mean absolute error inside a mask.
* :func:`hf_energy_ratio`: high-frequency energy inside the filled region relative to the known surroundings.
* :func:`border_gradient_ratio`: gradient magnitude across the mask border relative to the gradient inside
  the known and filled regions (a seam detector).
* :func:`grid_ratio`: gradient across 4 x 4 block borders relative to inside the blocks (a latent-grid detector).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import ndimage


def psnr(a: np.ndarray, b: np.ndarray, peak: float = 2.0) -> float:
    """PSNR in dB between two images of equal shape (peak-to-peak ``peak``; 2 for [-1, 1])."""
    mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    return 10.0 * math.log10(peak * peak / max(mse, 1e-20))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM (Gaussian-weighted, sigma 1.5, Wang et al. 2004) of two 2-D images in [-1, 1]."""
    from skimage.metrics import structural_similarity
    return float(structural_similarity(np.asarray(a, np.float64), np.asarray(b, np.float64), data_range=2.0,
                                       gaussian_weights=True, sigma=1.5, use_sample_covariance=False))


def masked_mae(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    """Mean |a − b| over the pixels where ``mask`` is 1."""
    m = np.asarray(mask) > 0.5
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))[m].mean())


def _highpass(x: np.ndarray) -> np.ndarray:
    """x minus its Gaussian blur (sigma 1.5 px): the fine texture and noise."""
    x = np.asarray(x, np.float64)
    return x - ndimage.gaussian_filter(x, 1.5, mode="reflect")


def hf_energy_ratio(result: np.ndarray, mask: np.ndarray, ring: int = 8) -> float:
    """RMS of the high-pass of ``result`` inside the mask (eroded by 2 px, away from the seam) divided by the
    RMS in a ``ring``-pixel band of known pixels around the mask. 1 means the fill is as textured as its
    surroundings; a blurry fill gives << 1, an over-sharpened or noisy one >> 1. NaN when a region is empty.
    """
    m = np.asarray(mask) > 0.5
    inside = ndimage.binary_erosion(m, iterations=2)
    around = ndimage.binary_dilation(m, iterations=ring) & ~m
    if not inside.any() or not around.any():
        return float("nan")
    hp = _highpass(result)
    return float(np.sqrt(np.mean(hp[inside] ** 2)) / max(np.sqrt(np.mean(hp[around] ** 2)), 1e-12))


def border_gradient_ratio(result: np.ndarray, mask: np.ndarray) -> float:
    """Mean gradient magnitude on the mask border divided by the mean gradient magnitude of the pixels that are
    neither on the border nor within 1 px of it (inside the fill and in the surroundings within 8 px).
    A seamless fill gives about 1; a visible seam gives > 1. NaN when a region is empty.
    """
    m = np.asarray(mask) > 0.5
    x = np.asarray(result, np.float64)
    gy, gx = np.gradient(x)
    g = np.hypot(gy, gx)
    border = ndimage.binary_dilation(m, iterations=1) & ~ndimage.binary_erosion(m, iterations=1)
    near = ndimage.binary_dilation(border, iterations=1)
    region = ndimage.binary_dilation(m, iterations=8) & ~near
    if not border.any() or not region.any():
        return float("nan")
    return float(g[border].mean() / max(g[region].mean(), 1e-12))


def grid_ratio(x: np.ndarray, block: int = 4) -> float:
    """Block-grid detector: mean |difference| between neighbouring pixels that lie in different ``block`` x
    ``block`` blocks (pixel rows/columns block·k − 1 and block·k, the grid of an f = 4 latent or of an x4 upsampling)
    divided by the mean |difference| between neighbours inside one block, both directions pooled. Natural images
    give about 1.0; a block-replicated (nearest-neighbour) image gives >> 1; steps at every block border give > 1.
    A colour image ([H x W x C]) is measured on its channel mean.
    """
    x = np.asarray(x, np.float64)
    if x.ndim == 3:
        x = x.mean(axis=2)
    dx = np.abs(np.diff(x, axis=1))  # dx[:, j] is between columns j and j + 1
    dy = np.abs(np.diff(x, axis=0))
    across_x = (np.arange(dx.shape[1]) % block) == block - 1
    across_y = (np.arange(dy.shape[0]) % block) == block - 1
    across = np.concatenate([dx[:, across_x].ravel(), dy[across_y, :].ravel()])
    inside = np.concatenate([dx[:, ~across_x].ravel(), dy[~across_y, :].ravel()])
    return float(across.mean() / max(inside.mean(), 1e-12))
