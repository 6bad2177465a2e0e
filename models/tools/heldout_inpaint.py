#!/usr/bin/python3
"""``./ldm inpaint`` with the command's defaults (one sample) on the demo's own kind of image: the 22 held-out images
of ``evaluate.py`` (16 synthetic microscopy, 6 scikit-image crops, none trained on) with its seeded masks, as 8-bit
TIFF files. Prints per image the MAE in the mask (scores in [-1, 1]) against scikit-image's biharmonic fill, the
texture ratio (``metrics.hf_energy_ratio``) and the border ratio (``metrics.border_gradient_ratio``), then the means
and the worst border: the figures of demo/EVALUATION.md's session 35 section. A minute and a half on 2 cores.

Run from ``models/``::

    /usr/bin/python3 tools/heldout_inpaint.py [--bundle demo] [--work DIR]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np
from skimage import io
from skimage.restoration import inpaint_biharmonic

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
import evaluate_cli as cli  # noqa: E402
from ldm_models import metrics  # noqa: E402
from ldm_models.data import held_out_images  # noqa: E402
from ldm_models.masks import random_mask  # noqa: E402

SIZE = 128


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", default="demo", help="model bundle (name or folder)")
    p.add_argument("--work", default=None, help="folder for the TIFF files (default: a temporary one)")
    args = p.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="ldm-heldout-")
    os.makedirs(work, exist_ok=True)
    rows = []
    for k, (name, img) in enumerate(held_out_images(size=SIZE)):
        hr = cli.to_u8(img)
        x = cli.from_u8(hr)
        m = random_mask(np.random.default_rng(10_000 + k), SIZE, SIZE)  # the masks of evaluate.py
        hr_path, m_path = os.path.join(work, f"{k}-hr.tif"), os.path.join(work, f"{k}-mask.tif")
        io.imsave(hr_path, hr, check_contrast=False)
        io.imsave(m_path, (m * 255).astype(np.uint8), check_contrast=False)
        fill = cli.inpaint(hr_path, m_path, os.path.join(work, f"{k}-inpainted.tif"), 1, k, SIZE,
                           ["--model", args.bundle])[0][0]
        bih = inpaint_biharmonic((x + 1) / 2.0, m.astype(bool)) * 2 - 1
        row = {"image": name, "mae": metrics.masked_mae(fill, x, m), "biharmonic": metrics.masked_mae(bih, x, m),
               "texture": metrics.hf_energy_ratio(fill, m), "border": metrics.border_gradient_ratio(fill, m)}
        rows.append(row)
        print(f"{name:32s} MAE {row['mae']:.4f} (biharmonic {row['biharmonic']:.4f}), texture {row['texture']:.2f}, "
              f"border {row['border']:.2f}", flush=True)
    mean = {key: float(np.mean([r[key] for r in rows])) for key in ("mae", "biharmonic", "texture", "border")}
    print(f"mean: MAE {mean['mae']:.4f} (biharmonic {mean['biharmonic']:.4f}), texture {mean['texture']:.2f}, "
          f"border {mean['border']:.2f}; worst border {max(r['border'] for r in rows):.2f} ({work})")
    return {"rows": rows, "mean": mean}


if __name__ == "__main__":
    main()
