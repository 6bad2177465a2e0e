#!/usr/bin/python3
"""The error of an inpainting fill's first guess against the smoothing of the known pixels (issue #18): the figures
of demo/EVALUATION.md's section "The first guess's smoothing chosen on the image (session 21)".

The first guess is the biharmonic continuation (``skimage.restoration.inpaint_biharmonic``) of the known pixels
smoothed by normalised convolution with a Gaussian of σ px (Java: ``BiharmonicFill.fillDenoised``). For each image
and its seeded mask (as ``evaluate_real.py`` and ``validate_training_crops.py`` draw them), prints the MAE in the mask
(scores in [-1, 1]) for every σ, with the cross-validated choice of ``ContinuationSmoothing`` emulated (eight cyclic
shifts of the mask, the known pixels under each copy predicted, least error over copies and channels; candidates
0.5-2 px), then the means and the mean of each image's best σ. No model runs.

Run from ``models/`` (the packages fetched by ``real_images.py fetch [--training]``)::

    /usr/bin/python3 tools/continuation_sigma.py --set evaluation     # the 32 images of evaluate_real.py
    /usr/bin/python3 tools/continuation_sigma.py --set training       # validate_training_crops.py's 24 crops
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from scipy.ndimage import gaussian_filter
from skimage.restoration import inpaint_biharmonic

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
import evaluate_real as er  # noqa: E402
import real_images  # noqa: E402
import validate_training_crops as vtc  # noqa: E402
from ldm_models.masks import KINDS, random_mask  # noqa: E402

SIGMAS = (0.0, 0.5, 0.7, 1.0, 1.5, 2.0)
CANDIDATES = (0.5, 0.7, 1.0, 1.5, 2.0)
SHIFTS = ((0, .5), (.5, 0), (.5, .5), (.25, .75), (.75, .25), (.25, .25), (.75, .75), (0, .25))


def guess(v: np.ndarray, hole: np.ndarray, sigma: float) -> np.ndarray:
    """The biharmonic continuation of the known pixels of ``v``, smoothed first by normalised convolution."""
    known = ~hole
    if sigma > 0:
        num = gaussian_filter(v * known, sigma, mode="nearest")
        den = gaussian_filter(known.astype(np.float64), sigma, mode="nearest")
        v = np.where(den > 0, num / np.maximum(den, 1e-12), 0)
    return inpaint_biharmonic(np.where(known, v, 0), hole)


def choose(planes: list, hole: np.ndarray) -> float:
    """``ContinuationSmoothing.choose``: σ of the least error on the known pixels under the mask's shifted copies."""
    h, w = hole.shape
    error = np.zeros(len(CANDIDATES))
    for dy, dx in SHIFTS:
        moved = np.roll(hole, (int(dy * h), int(dx * w)), (0, 1))
        scored, union = moved & ~hole, moved | hole
        if scored.sum() < 16 or (~union).sum() < 16:
            continue
        for v in planes:
            for k, s in enumerate(CANDIDATES):
                error[k] += np.abs(guess(v, union, s) - v)[scored].sum()
    return CANDIDATES[int(np.argmin(error))] if error.any() else 1.0


def items(which: str):
    """(name, index, crop) of the evaluation images or of validate_training_crops.py's crops (flat ones left out)."""
    if which == "evaluation":
        for k, img in enumerate(real_images.EVALUATION):
            hr = real_images.load(real_images.DEFAULT_CACHE, img, 128)
            if np.isfinite(hr).all():
                yield img.id, k, hr
        return
    chosen, where = vtc.draw(real_images.DEFAULT_CACHE)  # validate_training_crops.py's defaults
    for k, (_, path) in enumerate(chosen):
        hr = real_images.crop(vtc.load(path), 128, where[k])
        if not all(c.min() == c.max() for c in er.channels(hr)):
            yield os.path.basename(path), 1000 + k, hr


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--set", choices=("evaluation", "training"), default="evaluation")
    args = p.parse_args(argv)
    rows = {}
    for name, k, hr in items(args.set):
        x = er.Scale(hr)(hr)
        x = x.squeeze() if x.ndim == 3 and x.shape[-1] != 3 else x
        kind = KINDS[k % len(KINDS)]
        hole = random_mask(np.random.default_rng(20_000 + k), hr.shape[0], hr.shape[0], kind=kind).astype(bool)
        planes = er.channels(x)
        mae = {s: float(np.mean([np.abs(guess(v, hole, s) - v)[hole].mean() for v in planes])) for s in SIGMAS}
        chosen = choose(planes, hole)
        rows[name] = dict(mae, chosen=mae[chosen], best=min(mae.values()))
        print(f"{name[:28]:28s} {kind:7s} " + " ".join(f"{s:g}: {mae[s]:.4f}" for s in SIGMAS)
              + f"  chosen {chosen:g}: {mae[chosen]:.4f}", flush=True)
    keys = list(SIGMAS) + ["chosen", "best"]
    print("mean  " + "  ".join(f"{key}: {np.mean([r[key] for r in rows.values()]):.4f}" for key in keys))
    return rows


if __name__ == "__main__":
    main()
