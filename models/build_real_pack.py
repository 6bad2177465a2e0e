#!/usr/bin/python3
"""Build the training pack for a demo model that generalises (issue #18): real images of many kinds plus the
existing synthetic microscopy, in one compact file that travels to a GPU machine (``train_real_gpu.sh``).

Sources: the training list of ``real_images.TRAINING`` (Debian packages, never an evaluation file nor a reserved
package) and ``ldm_models.data.TrainingData`` (synthetic microscopy and the scikit-image training pictures, the
held-out split excluded as before). Every real file gives ``--crops`` random 128 px crops at scales 1, 1/2 and 1/4
(area averaging), greyscale, each through one of the normalisations users' files get in the plugin:

* 8-bit: v / 255;
* 16-bit: the crop as camera counts (gain, offset, Poisson-Gaussian noise, unused high range), then the 0.1 / 99.9
  percentiles of the crop, clipped;
* 32-bit with outliers: the crop as float data with a few bright outliers (hot pixels, stars, cosmic rays up to
  1000x the range) and a negative offset, then the 0.1 / 99.9 percentiles of the window, clipped.

All in [-1, 1], stored as uint16 (65536 levels: the faint noise of a percentile-stretched 32-bit frame survives,
which 8 bits would flatten), with domain labels and 128 px inpainting masks (bit-packed). Written with
``np.savez_compressed`` to ``../build/real_pack.npz`` (kept within what may travel beside the working tree, see
``travel_budget_mib``); ``train_real.py`` turns it into the pool
that ``train_demo.py`` trains on::

    /usr/bin/python3 build_real_pack.py                  # fetches the training packages, writes the pack
    /usr/bin/python3 build_real_pack.py --smoke          # a tiny pack for the CPU smoke test
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import real_images  # noqa: E402
from ldm_models.data import LABELS, TrainingData  # noqa: E402
from ldm_models.masks import random_mask  # noqa: E402

SIZE = 128
KIND_LABEL = {"astronomy": "natural", "photograph": "natural", "texture": "natural", "medical": "none",
              "anatomy": "histology", "document": "natural", "satellite": "natural", "colour": "natural"}
"""The unconditional model's label of each kind of real image (it knows fluorescence, phase, histology, natural)."""
NORMALISATIONS = ("8-bit", "16-bit", "32-bit-outliers")
TRAVEL_MIB = 64
"""The working tree and the carried paths together that travel to the GPU machine (the device tool's limit)."""


def travel_budget_mib(root: str = os.path.join(HERE, "..")) -> float:
    """MiB left for a carried pack: TRAVEL_MIB less the files that travel anyway (tracked, and untracked but not
    ignored), less 1 MiB of slack; 40 where git cannot list them."""
    try:
        names = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                               capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        return 40.0
    size = sum(os.path.getsize(os.path.join(root, n)) for n in names if n and os.path.isfile(os.path.join(root, n)))
    return TRAVEL_MIB - size / 2 ** 20 - 1


def read_training(path: str) -> np.ndarray:
    """A training file as greyscale float64 in the 0..255 scale of its 8-bit pixels."""
    if path.endswith(".npz"):
        with np.load(path) as f:
            a = f[f.files[0]]
    else:
        from PIL import Image
        im = Image.open(path)
        a = np.asarray(im.convert("RGB") if im.mode in ("P", "RGBA", "LA", "CMYK") else im)
    a = np.asarray(a, np.float64)
    if a.ndim == 3:
        a = a[..., :3] @ np.array([0.299, 0.587, 0.114])
    return a


def percentile_unit(v: np.ndarray) -> np.ndarray:
    """The plugin's 16/32-bit map: (v − p0.1) / (p99.9 − p0.1), clipped to [0, 1]."""
    lo, hi = np.percentile(v, [0.1, 99.9])
    return np.clip((v - lo) / max(hi - lo, 1e-12), 0, 1)


def normalise(rng: np.random.Generator, crop8: np.ndarray, how: str) -> np.ndarray:
    """A crop (0..255 scale) as the plugin would see it after reading a file of that kind, in [-1, 1]."""
    if how == "8-bit":
        u = np.clip(np.round(crop8), 0, 255) / 255.0
    elif how == "16-bit":
        gain, offset = rng.uniform(2, 60), rng.uniform(90, 800)
        counts = rng.poisson(np.clip(crop8, 0, None) * rng.uniform(0.3, 3.0)) * gain + offset
        counts = counts + rng.normal(0, rng.uniform(0.5, 3.0) * gain, counts.shape)
        u = percentile_unit(np.clip(np.round(counts), 0, 65535))
    else:
        v = crop8 * rng.uniform(1e-3, 1e3) / 255.0 - rng.uniform(0, 0.05) * crop8.std() / 255.0
        span = max(float(np.ptp(v)), 1e-12)
        n = int(rng.integers(1, 40))
        ys, xs = rng.integers(0, v.shape[0], n), rng.integers(0, v.shape[1], n)
        v[ys, xs] += span * 10 ** rng.uniform(0, 3, n)  # hot pixels, stars, cosmic rays
        u = percentile_unit(v)
    return (u * 2 - 1).astype(np.float32)


def area(a: np.ndarray, f: int) -> np.ndarray:
    h, w = (a.shape[0] // f) * f, (a.shape[1] // f) * f
    return a[:h, :w].reshape(h // f, f, w // f, f).mean(axis=(1, 3)) if f > 1 else a


def real_crops(rng: np.random.Generator, files, crops: int) -> tuple:
    images, labels, sources = [], [], []
    for src, path in files:
        a = read_training(path)
        for _ in range(crops):
            scales = [f for f in (1, 2, 4) if min(a.shape) // f >= SIZE] or [1]
            b = area(a, int(rng.choice(scales)))
            if min(b.shape) < SIZE:
                b = np.pad(b, ((0, max(0, SIZE - b.shape[0])), (0, max(0, SIZE - b.shape[1]))), mode="reflect")
            y, x = int(rng.integers(0, b.shape[0] - SIZE + 1)), int(rng.integers(0, b.shape[1] - SIZE + 1))
            c = b[y:y + SIZE, x:x + SIZE]
            if np.ptp(c) < 4:  # a flat crop (sky border, padding) teaches nothing
                continue
            how = NORMALISATIONS[int(rng.choice(3, p=[0.5, 0.25, 0.25]))]
            images.append(normalise(rng, c, how))
            labels.append(LABELS.index(KIND_LABEL[src.kind]))
        sources.append({"package": src.package, "version": real_images.PACKAGES[src.package][0],
                        "path": path.split("/x/" + src.package, 1)[1], "sha256": real_images.sha256(path),
                        "kind": src.kind, "licence": real_images.PACKAGES[src.package][1]})
    return images, labels, sources


def quantise(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round((np.asarray(x) + 1) * 32767.5), 0, 65535).astype(np.uint16)


def main(argv=None) -> str:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=os.path.join(HERE, "..", "build", "real_pack.npz"))
    p.add_argument("--cache", default=real_images.DEFAULT_CACHE)
    p.add_argument("--crops", type=int, default=4, help="crops per real training file")
    p.add_argument("--synthetic", type=int, default=400, help="crops of the existing stream (synthetic + skimage)")
    p.add_argument("--masks", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="a tiny pack (a few files, 16 synthetic crops)")
    args = p.parse_args(argv)
    t0 = time.time()
    real_images.fetch_packages(args.cache, {t.package for t in real_images.TRAINING})
    files = real_images.training_files(args.cache)
    eval_paths = {real_images.file_path(args.cache, e) for e in real_images.EVALUATION}
    assert not eval_paths & {f for _, f in files}, "a training file is an evaluation file"
    rng = np.random.default_rng(args.seed)
    if args.smoke:
        files = files[::max(1, len(files) // 6)][:6]
        args.synthetic, args.masks, args.crops = 16, 32, 2
    images, labels, sources = real_crops(rng, files, args.crops)
    syn, syn_domains = TrainingData(seed=args.seed + 1, size=SIZE).batch(args.synthetic)
    images += list(syn[:, 0])
    labels += [LABELS.index(d) for d in syn_domains]
    mrng = np.random.default_rng([args.seed, 2])
    masks = np.stack([random_mask(mrng, SIZE, SIZE) for _ in range(args.masks)]).astype(bool)
    meta = {"size": SIZE, "real_crops": len(images) - args.synthetic,
            "synthetic_crops": args.synthetic,
            "labels": list(LABELS), "normalisations": list(NORMALISATIONS), "sources": sources,
            "synthetic": "ldm_models.data.TrainingData(seed=%d): synthetic microscopy and scikit-image training "
                         "pictures, held-out split excluded" % (args.seed + 1),
            "command": "python3 build_real_pack.py " + " ".join(sys.argv[1:] if argv is None else argv)}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez_compressed(args.out, images=quantise(np.stack(images)), labels=np.array(labels, np.int8),
                        masks=np.packbits(masks, axis=-1), meta=np.array(json.dumps(meta)))
    mib = os.path.getsize(args.out) / 2 ** 20
    print(f"{len(images)} crops ({len(images) - args.synthetic} real from {len(sources)} files, {args.synthetic} "
          f"synthetic), {args.masks} masks -> {args.out} ({mib:.1f} MiB) in {time.time() - t0:.0f}s", flush=True)
    budget = travel_budget_mib()
    if mib > budget:
        sys.exit(f"the pack is {mib:.1f} MiB, over the {budget:.1f} MiB that may travel to the GPU machine beside the "
                 "working tree: lower --crops or --synthetic")
    return args.out


def pack_to_pool(pack: str, pool: str) -> dict:
    """Write the pack as an ``ldm_models.pool`` file (float16 images, int8 labels, uint8 masks); its meta back."""
    with np.load(pack) as f:
        images = (f["images"].astype(np.float32) / 32767.5 - 1).astype(np.float16)
        masks = np.unpackbits(f["masks"], axis=-1)[..., :SIZE].astype(np.uint8)
        np.savez(pool, images=images, labels=f["labels"], masks=masks)
        return json.loads(str(f["meta"]))


if __name__ == "__main__":
    main()
