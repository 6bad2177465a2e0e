"""Writes the demo's sample image: a held-out synthetic image (seed 905, never used in training) as a 16-bit TIFF.

    cd models && /usr/bin/python3 demo_sample.py            # -> demo/samples/cells-16bit.tif
"""
import os
import sys

import numpy as np
from skimage import io

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models import data  # noqa: E402

SEED, KIND, SIZE = 905, "mixed", 256


def main() -> None:
    assert SEED in data.HELD_OUT_SEEDS, "the demo sample must come from the held-out split"
    img, _ = data.synthetic_image(SEED, SIZE, KIND)
    assert img.dtype == np.uint16
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo", "samples", "cells-16bit.tif")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    io.imsave(out, img, check_contrast=False)
    print(f"wrote {out}: held-out synthetic seed {SEED} ({KIND}), {img.shape[1]}x{img.shape[0]} 16-bit, "
          f"values {img.min()}..{img.max()}")


if __name__ == "__main__":
    main()
