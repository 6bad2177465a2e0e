#!/usr/bin/python3
"""Inpainting of periodic patterns (issue #18: "periodic where they are periodic"): ./ldm inpaint with the defaults
on seeded synthetic interference fringes (16-bit, 1000 ± 300 counts with Poisson noise, periods 4-12 px at random
angles under a wide Gaussian envelope: what an electron hologram looks like) with seeded masks (strokes, boxes,
blobs in turn), scored as evaluate_real.py scores inpainting (MAE in [-1, 1] units against scikit-image's biharmonic
fill, texture and border ratios). Prints a Markdown table.

    /usr/bin/python3 evaluate_fringes.py [--n 6] [--size 128] [--keep DIR] [--bundle demo]

At --size 512 the masks' holes (boxes up to 256 px) are larger than the model's window shows the pattern in.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import tifffile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from evaluate_cli import ldm  # noqa: E402
from evaluate_real import Scale  # noqa: E402
from ldm_models import metrics  # noqa: E402
from ldm_models.masks import KINDS, random_mask  # noqa: E402


def fringes(seed: int, n: int = 128):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n].astype(float)
    period, angle = rng.uniform(4, 12), rng.uniform(0, np.pi)
    phase = 2 * np.pi * (np.cos(angle) * xx + np.sin(angle) * yy) / period + rng.uniform(0, 6)
    envelope = np.exp(-((xx - n / 2) ** 2 + (yy - n / 2) ** 2) / (2 * (90 * n / 128) ** 2))
    return rng.poisson(1000 + 300 * np.cos(phase) * envelope).astype(np.uint16), period


def main(argv=None):
    from skimage.restoration import inpaint_biharmonic
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=6)
    p.add_argument("--size", type=int, default=128, help="side of the images (px)")
    p.add_argument("--bundle", default=os.path.join(HERE, "demo"))
    p.add_argument("--keep", default=None, help="folder for the input, mask and output TIFF files")
    args = p.parse_args(argv)
    work = args.keep or tempfile.mkdtemp(prefix="ldm-fringes-")
    os.makedirs(work, exist_ok=True)
    print("| pattern | period (px) | mask | MAE LDM / biharmonic | texture LDM / biharmonic / original | border |")
    print("|---|---|---|---|---|---|")
    rows = []
    for k in range(args.n):
        hr, period = fringes(k, args.size)
        kind = KINDS[k % len(KINDS)]
        m = random_mask(np.random.default_rng(90_000 + k), hr.shape[0], hr.shape[1], kind=kind)
        paths = [os.path.join(work, f"{k}-{n}.tif") for n in ("hr", "mask", "inpainted")]
        tifffile.imwrite(paths[0], hr)
        tifffile.imwrite(paths[1], (m * 255).astype(np.uint8))
        ldm("inpaint", "--input", paths[0], "--mask", paths[1], "--output", paths[2], "--seed", str(k),
            "--model", args.bundle)
        s = Scale(hr)
        x, fill, mb = s(hr), s(tifffile.imread(paths[2])), m > 0
        bih = inpaint_biharmonic(x, mb)
        r = (metrics.masked_mae(fill, x, m), metrics.masked_mae(bih, x, m), metrics.hf_energy_ratio(fill, m),
             metrics.hf_energy_ratio(bih, m), metrics.hf_energy_ratio(x, m), metrics.border_gradient_ratio(fill, m))
        rows.append(r)
        print(f"| fringes-{k} | {period:.1f} | {kind} | {r[0]:.4f} / {r[1]:.4f} | {r[2]:.2f} / {r[3]:.2f} / {r[4]:.2f} "
              f"| {r[5]:.2f} |", flush=True)
    a = np.mean(rows, 0)
    print(f"| **mean** | | | {a[0]:.4f} / {a[1]:.4f} | {a[2]:.2f} / {a[3]:.2f} / {a[4]:.2f} | {a[5]:.2f} |")


if __name__ == "__main__":
    main()
