#!/usr/bin/python3
"""Measure inpainting and super-resolution through the plugin's own entry point, the ``./ldm`` command line.

``evaluate.py`` measures the bundle's TorchScript files from Python; this script gives the same held-out images to
``./ldm inpaint`` and ``./ldm superres`` as files, exactly as a user would, reads their output files back, and
scores them with the same metrics (``ldm_models.metrics``). It writes its section into ``<bundle>/EVALUATION.md``
(between the markers below; run ``evaluate.py`` first, which writes the file anew)::

    /usr/bin/python3 evaluate_cli.py --bundle demo

Images go through as 8-bit TIFFs (the plugin maps 8-bit as v/255, as training did), so the held-out images are
quantised to 8 bits first, for both the plugin and the baselines. Super-resolution input: the 4x4 block mean of that,
rounded to 8 bits; the plugin's default back-projection (consistency) is on; one sample, and the mean of
``--sr-samples`` (the command's ``--samples N`` output, an estimate of the posterior mean). Inpainting: the seeded
masks of ``evaluate.py``, 8 samples, twice: with no grow and no feather and the command's default strength and seam
(the plugin row of evaluate.py), and with all of the command's defaults, whose grow margin is filled too and
feathered (grow and feather read back from the provenance the command writes into the output's Info).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ldm_models import metrics  # noqa: E402
from ldm_models.data import held_out_images  # noqa: E402
from ldm_models.degrade import bicubic_up4  # noqa: E402
from ldm_models.masks import random_mask  # noqa: E402

BEGIN, END = "<!-- evaluate_cli.py: begin -->", "<!-- evaluate_cli.py: end -->"


def ldm(*args: str) -> str:
    """Runs ``./ldm`` and returns what it printed; a failure raises with its output."""
    p = subprocess.run([os.path.join(HERE, "..", "ldm"), *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"./ldm {' '.join(args)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return p.stdout


def replace_section(report: str, text: str, begin: str, end: str) -> None:
    """Writes ``text`` (which starts with ``begin`` and ends with ``end``) into ``report`` in place of the section
    between those markers, or at its end."""
    old = open(report, encoding="utf-8").read() if os.path.exists(report) else ""
    if begin in old and end in old:
        old = old[:old.index(begin)] + old[old.index(end) + len(end):]
    with open(report, "w", encoding="utf-8") as f:
        f.write(old.rstrip("\n") + "\n\n" + text + "\n")


def to_u8(x: np.ndarray) -> np.ndarray:
    """[-1, 1] -> uint8 as the plugin reads it back (v/255 · 2 − 1)."""
    return np.clip(np.round((x + 1) * 127.5), 0, 255).astype(np.uint8)


def from_u8(v: np.ndarray) -> np.ndarray:
    return v.astype(np.float32) / 127.5 - 1


def superres(lr_path: str, hr_path: str, out_path: str, samples: int, seed: int, common: list) -> dict:
    """One ``./ldm superres`` run: the PSNRs it prints against the reference, and the output in [-1, 1]."""
    from skimage import io
    printed = ldm("superres", "--input", lr_path, "--output", out_path, "--reference", hr_path, "--seed", str(seed),
                  "--samples", str(samples), *common)
    psnr = re.search(r"LDM x4 ([-\d.]+) dB, bicubic ([-\d.]+) dB", printed)
    return {"ldm": float(psnr.group(1)), "bicubic": float(psnr.group(2)), "image": from_u8(io.imread(out_path))}


def inpaint(hr_path: str, m_path: str, out_path: str, samples: int, seed: int, size: int, common: list,
            *options: str) -> tuple:
    """One ``./ldm inpaint`` run: its samples in [-1, 1] and the grow and feather its provenance records."""
    import tifffile
    ldm("inpaint", "--input", hr_path, "--mask", m_path, "--output", out_path, "--samples", str(samples),
        "--seed", str(seed), *options, *common)
    # tifffile, not skimage.io: skimage reads a stack of 3 or 4 planes as one RGB(A) image, channels last
    with tifffile.TiffFile(out_path) as t:
        fills = from_u8(t.asarray().reshape(samples, size, size))
        info = t.imagej_metadata["Info"]
    grow, feather = (int(re.search(rf"{key}: (\d+) px", info).group(1)) for key in ("grow", "feather"))
    return fills, grow, feather


def evaluate(bundle: str, steps: int, samples: int, sr_samples: int, size: int, n_synthetic: int, work: str) -> dict:
    from scipy import ndimage
    from skimage import io
    from skimage.restoration import inpaint_biharmonic
    common = ["--model", os.path.abspath(bundle), "--steps", str(steps), "--sampler", "ddim"]
    sr_rows, in_rows = [], []
    for k, (name, img) in enumerate(held_out_images(size=size, n_synthetic=n_synthetic)):
        hr = to_u8(img)
        x = from_u8(hr)
        hr_path, lr_path = os.path.join(work, f"{k}-hr.tif"), os.path.join(work, f"{k}-lr.tif")
        io.imsave(hr_path, hr, check_contrast=False)
        lr = np.round(hr.astype(np.float64).reshape(size // 4, 4, size // 4, 4).mean(axis=(1, 3))).astype(np.uint8)
        io.imsave(lr_path, lr, check_contrast=False)
        one = superres(lr_path, hr_path, os.path.join(work, f"{k}-sr.tif"), 1, k, common)
        avg = superres(lr_path, hr_path, os.path.join(work, f"{k}-sr-mean.tif"), sr_samples, k, common)
        # evaluate.py's baseline on the same 8-bit input: PyTorch's bicubic (pixel centres aligned, a = -0.75)
        bic = bicubic_up4(torch.from_numpy(from_u8(lr))[None, None]).clamp(-1, 1)[0, 0].numpy()
        sr_rows.append({"ldm_psnr": metrics.psnr(one["image"], x), "ldm_ssim": metrics.ssim(one["image"], x),
                        "torch_bicubic_psnr": metrics.psnr(bic, x), "torch_bicubic_ssim": metrics.ssim(bic, x),
                        "mean_psnr": metrics.psnr(avg["image"], x), "mean_ssim": metrics.ssim(avg["image"], x),
                        "cli_ldm_psnr_db": one["ldm"], "cli_mean_psnr_db": avg["ldm"],
                        "cli_bicubic_psnr_db": one["bicubic"]})

        m = random_mask(np.random.default_rng(10_000 + k), size, size)  # the masks of evaluate.py
        m_path, out_path = os.path.join(work, f"{k}-mask.tif"), os.path.join(work, f"{k}-inpainted.tif")
        io.imsave(m_path, (m * 255).astype(np.uint8), check_contrast=False)
        fills, _, _ = inpaint(hr_path, m_path, out_path, samples, k, size, common, "--grow", "0", "--feather", "0")
        outside = m == 0
        if not all(np.array_equal(f[outside], x[outside]) for f in fills):
            raise AssertionError(f"{name}: the plugin changed pixels outside the mask")
        # all the command's defaults: the selection grown (chamfer distance <= grow, so within the Euclidean one)
        dflt, grow, feather = inpaint(hr_path, m_path, out_path, samples, k, size, common)
        changed = (m > 0) | np.any(dflt != x, axis=0)
        if np.any(changed & (ndimage.distance_transform_edt(m == 0) > grow)):
            raise AssertionError(f"{name}: the plugin changed pixels beyond the grown mask")
        bih = inpaint_biharmonic((x + 1) / 2.0, m.astype(bool)) * 2 - 1
        in_rows.append({
            "defaults_mae_mean": metrics.masked_mae(dflt.mean(0), x, m),
            "defaults_mae_single": float(np.mean([metrics.masked_mae(f, x, m) for f in dflt])),
            "defaults_hf_ratio": float(np.nanmean([metrics.hf_energy_ratio(f, m) for f in dflt])),
            "defaults_border_ratio": float(np.nanmean([metrics.border_gradient_ratio(f, m) for f in dflt])),
            "defaults_changed_border_ratio": float(np.nanmean([metrics.border_gradient_ratio(f, changed) for f in dflt])),
            "grow": grow, "feather": feather,
            "ldm_mae_mean": metrics.masked_mae(fills.mean(0), x, m),
            "ldm_mae_single": float(np.mean([metrics.masked_mae(f, x, m) for f in fills])),
            "biharmonic_mae": metrics.masked_mae(bih, x, m),
            "ldm_hf_ratio": float(np.nanmean([metrics.hf_energy_ratio(f, m) for f in fills])),
            "ldm_border_ratio": float(np.nanmean([metrics.border_gradient_ratio(f, m) for f in fills])),
            "biharmonic_border_ratio": metrics.border_gradient_ratio(bih, m),
        })
        print(f"{name}: SR {one['ldm']:.2f} dB, mean of {sr_samples} {avg['ldm']:.2f} dB (bicubic {one['bicubic']:.2f}); "
              f"inpaint MAE {in_rows[-1]['ldm_mae_mean']:.3f} (biharmonic {in_rows[-1]['biharmonic_mae']:.3f})",
              flush=True)
    mean = lambda rows: {key: float(np.nanmean([r[key] for r in rows])) for key in rows[0]}  # noqa: E731
    return {"superres": mean(sr_rows), "inpaint": mean(in_rows), "images": len(sr_rows)}


def section(r: dict, args: argparse.Namespace, seconds: float) -> str:
    s, i = r["superres"], r["inpaint"]
    met = lambda ok: "met" if ok else "missed"  # noqa: E731
    gain = s["cli_ldm_psnr_db"] - s["cli_bicubic_psnr_db"]
    gain_mean = s["cli_mean_psnr_db"] - s["cli_bicubic_psnr_db"]
    return "\n".join([
        BEGIN,
        "## Through the command line (`./ldm superres`, `./ldm inpaint`)",
        "",
        "Reproduce (from `models/`, after `evaluate.py`):",
        "",
        "```",
        f"python3 evaluate_cli.py --bundle {args.bundle}",
        "```",
        "",
        f"The same {r['images']} held-out images as 8-bit TIFF files through the plugin's CLI (DDIM {args.steps} steps; "
        f"seed = image index), outputs read back and scored with `ldm_models.metrics`. {seconds:.0f} s in all.",
        "",
        "| super-resolution x4 (consistency on) | PSNR as the CLI prints it (dB, peak = the image's range) | gain over "
        "ImageJ's bicubic | PSNR in [-1, 1], peak 2 (dB) / SSIM | gain over PyTorch's bicubic (goal >= +1 dB) |",
        "|---|---|---|---|---|",
        f"| bicubic (ImageJ's resize, as the CLI prints it) | {s['cli_bicubic_psnr_db']:.2f} | | | |",
        f"| bicubic (PyTorch, evaluate.py's baseline) | | | {s['torch_bicubic_psnr']:.2f} / {s['torch_bicubic_ssim']:.3f} | |",
        f"| LDM, one sample | {s['cli_ldm_psnr_db']:.2f} | {gain:+.2f} dB | {s['ldm_psnr']:.2f} / {s['ldm_ssim']:.3f} | "
        f"{s['ldm_psnr'] - s['torch_bicubic_psnr']:+.2f} dB: **{met(s['ldm_psnr'] - s['torch_bicubic_psnr'] >= 1)}** |",
        f"| LDM, mean of {args.sr_samples} samples (`--samples {args.sr_samples}`) | {s['cli_mean_psnr_db']:.2f} | "
        f"{gain_mean:+.2f} dB | {s['mean_psnr']:.2f} / {s['mean_ssim']:.3f} | "
        f"{s['mean_psnr'] - s['torch_bicubic_psnr']:+.2f} dB: **{met(s['mean_psnr'] - s['torch_bicubic_psnr'] >= 1)}** |",
        "",
        "ImageJ's bicubic resize (Image > Scale) scores below PyTorch's on the same input: for x4 it samples the "
        "input at x/4 - 1/4 (FloatProcessor.resize), an eighth of an input pixel off the pixel-centre position "
        "x/4 - 3/8 that PyTorch uses. The goal is judged against PyTorch's, the baseline of evaluate.py.",
        "",
        f"| inpainting ({args.samples} samples, all scored on the selection) | LDM, `--grow 0 --feather 0` | LDM, "
        f"the command's defaults (grow {i['grow']:.0f}, feather {i['feather']:.0f}) | biharmonic | goal: met by the "
        "first / the second LDM column |",
        "|---|---|---|---|---|",
        f"| MAE of the mean in the mask | {i['ldm_mae_mean']:.4f} | {i['defaults_mae_mean']:.4f} | "
        f"{i['biharmonic_mae']:.4f} | <= biharmonic: **{met(i['ldm_mae_mean'] <= i['biharmonic_mae'])}** / "
        f"**{met(i['defaults_mae_mean'] <= i['biharmonic_mae'])}** |",
        f"| MAE of a single sample | {i['ldm_mae_single']:.4f} | {i['defaults_mae_single']:.4f} | | |",
        f"| HF ratio | {i['ldm_hf_ratio']:.2f} | {i['defaults_hf_ratio']:.2f} | | 0.7 to 1.3: "
        f"**{met(0.7 <= i['ldm_hf_ratio'] <= 1.3)}** / **{met(0.7 <= i['defaults_hf_ratio'] <= 1.3)}** |",
        f"| border gradient ratio | {i['ldm_border_ratio']:.2f} | {i['defaults_border_ratio']:.2f} "
        f"({i['defaults_changed_border_ratio']:.2f} at the edge of the grown mask) | {i['biharmonic_border_ratio']:.2f} "
        f"| <= 1.2: **{met(i['ldm_border_ratio'] <= 1.2)}** / **{met(i['defaults_border_ratio'] <= 1.2)}** |",
        "",
        "Pixels outside the mask (first column) and outside the grown mask (second): identical to the input in every "
        "sample (checked). The grow margin exists for selections that do not quite cover a defect; "
        + ("the command's default grows by 0 px, so both columns are the same fill (feather acts only in a grow "
           "margin)." if i["grow"] == 0 else "with an exact mask, as here, it takes context from the model, and "
           "`grow=0 feather=0` is the better choice."),
        END,
    ])


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", required=True)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--samples", type=int, default=8, help="inpainting samples per mask")
    p.add_argument("--sr-samples", type=int, default=8, help="super-resolution samples whose mean is also scored")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--n-synthetic", type=int, default=16)
    p.add_argument("--report", default=None, help="file to write the section into (default <bundle>/EVALUATION.md)")
    args = p.parse_args(argv)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="ldm-eval-cli-") as work:
        r = evaluate(args.bundle, args.steps, args.samples, args.sr_samples, args.size, args.n_synthetic, work)
    text = section(r, args, time.time() - t0)
    replace_section(args.report or os.path.join(args.bundle, "EVALUATION.md"), text, BEGIN, END)
    print(text)
    return r


if __name__ == "__main__":
    main()
