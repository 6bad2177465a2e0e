#!/usr/bin/python3
"""Super-resolution with the defaults on random crops of the training packages' files (real_images.TRAINING): a
second set of real images beside the evaluation's, for as long as the demo model has not been trained on them (it has
not: models/README.md). Scored like evaluate_real.py (super-resolution: gain over bicubic, 4-px grid ratio,
consistency; inpainting: MAE against biharmonic, texture and border ratios, one seeded mask per crop); prints a line
per crop and the summary.

    /usr/bin/python3 validate_training_crops.py [--n 24] [--seed 5] [--jobs 2] [--bundle demo] [--keep DIR]
        [--tasks superres,inpaint]
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


def draw(cache: str, n: int = 24, seed: int = 5) -> tuple:
    """The training files to crop, (source, path) each (one per file, drawn without replacement), and where in each
    the crop lies (fractions of its width and height)."""
    files = real_images.training_files(cache)
    rng = np.random.default_rng(seed)
    chosen = [files[i] for i in sorted(rng.choice(len(files), size=min(n, len(files)), replace=False))]
    return chosen, [tuple(rng.uniform(0.2, 0.8, 2)) for _ in chosen]


def main(argv=None) -> list:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=24, help="crops (one per file, files drawn without replacement)")
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--bundle", default="demo")
    p.add_argument("--cache", default=real_images.DEFAULT_CACHE)
    p.add_argument("--keep", default=None, help="folder that keeps the input and output TIFF files")
    p.add_argument("--tasks", default="superres", help="comma-separated: superres, inpaint")
    args = p.parse_args(argv)
    tasks = set(args.tasks.split(","))
    if not tasks or not tasks <= {"superres", "inpaint"}:
        p.error("--tasks takes superres, inpaint or both, comma-separated")
    real_images.fetch_packages(args.cache, {s.package for s in real_images.TRAINING})
    chosen, where = draw(args.cache, args.n, args.seed)
    common = ["--model", os.path.abspath(args.bundle)]
    results = [None] * len(chosen)
    with tempfile.TemporaryDirectory(prefix="ldm-validate-") as tmp:
        work = args.keep or tmp
        os.makedirs(work, exist_ok=True)

        def one(k: int) -> None:
            src, path = chosen[k]
            hr = real_images.crop(load(path), args.size, where[k])
            r = {"file": os.path.basename(path), "kind": src.kind,
                 "flat": all(c.min() == c.max() for c in er.channels(hr))}
            line = f"{r['file'][:40]:40s} {r['kind']:10s}"
            if "superres" in tasks:
                r.update(er.superres(1000 + k, None, hr, work, common))
                line += (f" gain {r['ldm_psnr'] - r['bicubic_psnr']:+.2f} grid {r['grid']:.3f} (bicubic "
                         f"{r['grid_bicubic']:.3f}, original {r['grid_original']:.3f}) consistency "
                         f"{r['consistency_db']:.1f} dB")
            if "inpaint" in tasks:
                r["inpaint"] = er.inpaint(1000 + k, None, hr, work, common)
                q = r["inpaint"]
                line += (f" {q['mask']} MAE {q['ldm_mae']:.4f} / biharmonic {q['biharmonic_mae']:.4f} texture "
                         f"{q['texture']:.2f} border {q['border']:.2f}")
            results[k] = r
            print(line + (" [flat]" if r["flat"] else ""), flush=True)

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            list(pool.map(one, range(len(chosen))))
    scored = [r for r in results if not r["flat"]]
    if "superres" in tasks:
        gains = [r["ldm_psnr"] - r["bicubic_psnr"] for r in scored]
        print(f"{len(scored)} crops that are not flat: mean gain {np.mean(gains):+.2f} dB, worst {min(gains):+.2f}, "
              f"{sum(g < -0.3 for g in gains)} below -0.3; grid ratio above 1.05 on "
              f"{sum(r['grid'] > 1.05 for r in results)} of {len(results)}")
    if "inpaint" in tasks:
        q = [r["inpaint"] for r in scored]
        print(f"inpainting, {len(q)} crops that are not flat: MAE {np.mean([x['ldm_mae'] for x in q]):.4f} "
              f"(biharmonic {np.mean([x['biharmonic_mae'] for x in q]):.4f}); texture "
              f"{min(x['texture'] for x in q):.2f}-{max(x['texture'] for x in q):.2f}, "
              f"{sum(not 0.5 <= x['texture'] <= 2 for x in q)} outside 0.5-2; border worst "
              f"{max(x['border'] for x in q):.2f}, {sum(x['border'] > 1.3 for x in q)} above 1.3")
    return results


if __name__ == "__main__":
    main()
