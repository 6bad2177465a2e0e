#!/usr/bin/python3
"""Super-resolution with the defaults on random crops of the training packages' files (real_images.TRAINING): a
second set of real images beside the evaluation's, for as long as the demo model has not been trained on them (it has
not: models/README.md). Scored like evaluate_real.py (gain over bicubic, 4-px grid ratio, consistency); prints a line
per crop and the summary.

    /usr/bin/python3 validate_training_crops.py [--n 24] [--seed 5] [--jobs 2] [--bundle demo] [--keep DIR]
"""
import argparse
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate_real as er  # noqa: E402
import real_images  # noqa: E402


def load(path: str) -> np.ndarray:
    """A training file as 8-bit pixels (grey or RGB), as build_real_pack.py reads the 8-bit sources."""
    from PIL import Image
    if path.endswith(".npz"):
        with np.load(path) as z:
            a = z[z.files[0]]
    else:
        a = np.asarray(Image.open(path))
    if a.ndim == 3 and a.shape[2] == 4:
        a = a[..., :3]
    return a if a.dtype == np.uint8 else np.clip(a, 0, 255).astype(np.uint8)


def main(argv=None) -> list:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=24, help="crops (one per file, files drawn without replacement)")
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--bundle", default="demo")
    p.add_argument("--cache", default=real_images.DEFAULT_CACHE)
    p.add_argument("--keep", default=None, help="folder that keeps the input and output TIFF files")
    args = p.parse_args(argv)
    real_images.fetch_packages(args.cache, {s.package for s in real_images.TRAINING})
    files = real_images.training_files(args.cache)
    rng = np.random.default_rng(args.seed)
    chosen = [files[i] for i in sorted(rng.choice(len(files), size=min(args.n, len(files)), replace=False))]
    where = [tuple(rng.uniform(0.2, 0.8, 2)) for _ in chosen]
    common = ["--model", os.path.abspath(args.bundle)]
    results = [None] * len(chosen)
    with tempfile.TemporaryDirectory(prefix="ldm-validate-") as tmp:
        work = args.keep or tmp
        os.makedirs(work, exist_ok=True)

        def one(k: int) -> None:
            src, path = chosen[k]
            hr = real_images.crop(load(path), args.size, where[k])
            r = er.superres(1000 + k, None, hr, work, common)
            r.update(file=os.path.basename(path), kind=src.kind,
                     flat=all(c.min() == c.max() for c in er.channels(hr)))
            results[k] = r
            print(f"{r['file'][:40]:40s} {r['kind']:10s} gain {r['ldm_psnr'] - r['bicubic_psnr']:+.2f} grid "
                  f"{r['grid']:.3f} (bicubic {r['grid_bicubic']:.3f}, original {r['grid_original']:.3f}) consistency "
                  f"{r['consistency_db']:.1f} dB" + (" [flat]" if r["flat"] else ""), flush=True)

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            list(pool.map(one, range(len(chosen))))
    scored = [r for r in results if not r["flat"]]
    gains = [r["ldm_psnr"] - r["bicubic_psnr"] for r in scored]
    print(f"{len(scored)} crops that are not flat: mean gain {np.mean(gains):+.2f} dB, worst {min(gains):+.2f}, "
          f"{sum(g < -0.3 for g in gains)} below -0.3; grid ratio above 1.05 on "
          f"{sum(r['grid'] > 1.05 for r in results)} of {len(results)}")
    return results


if __name__ == "__main__":
    main()
