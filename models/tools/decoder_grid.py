#!/usr/bin/python3
"""Decoder figures of autoencoder checkpoints (issue #18, the 4-px grid): the rows of demo/EVALUATION.md's
"Decoder grid" table.

For each checkpoint (train_autoencoder.py / train_real.py, ``.npz`` or ``.pt``), decoding the posterior mean:

* the pack's validation crops (``train_real.decoder_figures`` on the same 3 % split train_real.py keeps out):
  PSNR, ``metrics.grid_ratio``, grid ratio with 0.1 σ latent noise;
* the 32 evaluation crops of ``real_images.EVALUATION``, only encoded and decoded (each channel, mapped to [-1, 1]
  as evaluate_real.py does): PSNR and grid ratio; nothing is trained on them;
* ``train_autoencoder.held_out_psnr``: the reconstruction PSNR of evaluate.py's held-out images;
* with ``--parts``: the grid ratio and std of the convolutional and of the linear patch path separately.

Run from ``models/`` (the bundle's autoencoder as a checkpoint: ``train_real.py`` writes ``<out>/init``)::

    /usr/bin/python3 tools/decoder_grid.py --pack ../build/real_pack.npz ../build/degrid2/init/autoencoder.npz \
        ../build/degrid2/checkpoints/autoencoder.npz
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS)
import real_images  # noqa: E402
from build_real_pack import SIZE  # noqa: E402
from evaluate_real import Scale, channels  # noqa: E402
from ldm_models import metrics  # noqa: E402
from ldm_models.data import held_out_images  # noqa: E402
from train_autoencoder import held_out_psnr, load_autoencoder  # noqa: E402
from train_real import decoder_figures  # noqa: E402


def validation_crops(pack: str) -> np.ndarray:
    """The crops train_real.py keeps out of training (same permutation, float16 like its pool)."""
    with np.load(pack) as f:
        images = f["images"]
    n_val = max(8, len(images) * 3 // 100)
    val = np.random.default_rng(0).permutation(len(images))[:n_val]
    return (images[val].astype(np.float32) / 32767.5 - 1).astype(np.float16).astype(np.float32).reshape(-1, SIZE, SIZE)


@torch.no_grad()
def evaluation_crops(model, cache: str) -> dict:
    grid, psnr = [], []
    for e in real_images.EVALUATION:
        a = real_images.load(cache, e)
        for c in channels(Scale(a)(a)):
            x = torch.from_numpy(np.clip(c, -1, 1)).float()[None, None]
            r = model.decode(model.encode(x).mode()).clamp(-1, 1)[0, 0].numpy()
            grid.append(metrics.grid_ratio(r))
            psnr.append(metrics.psnr(r, x[0, 0].numpy()))
    return {"eval_psnr_db": float(np.mean(psnr)), "eval_grid": float(np.mean(grid))}


@torch.no_grad()
def parts(model) -> dict:
    conv, patch, conv_std, patch_std = [], [], [], []
    for _, img in held_out_images(size=128):
        z = model.encode(torch.from_numpy(img)[None, None]).mode()
        c = model.decoder(model.post_quant_conv(z))[0, 0]
        p = model.patch_decoder(z)[0, 0] if model.patch_decoder is not None else torch.zeros_like(c)
        conv.append(metrics.grid_ratio(c.numpy()))
        patch.append(metrics.grid_ratio(p.numpy()))
        conv_std.append(float(c.std()))
        patch_std.append(float(p.std()))
    return {"conv_grid": float(np.mean(conv)), "conv_std": float(np.mean(conv_std)),
            "patch_grid": float(np.mean(patch)), "patch_std": float(np.mean(patch_std))}


def main(argv=None) -> list:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoints", nargs="+")
    p.add_argument("--pack", default=os.path.join(MODELS, "..", "build", "real_pack.npz"))
    p.add_argument("--cache", default=real_images.DEFAULT_CACHE)
    p.add_argument("--parts", action="store_true", help="also the convolutional and the patch path separately")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    real_images.fetch_packages(args.cache, {e.package for e in real_images.EVALUATION} | set(real_images.READERS))
    val = validation_crops(args.pack)
    out = []
    for path in args.checkpoints:
        model, ck = load_autoencoder(path)
        f = {"checkpoint": path, "step": ck.get("step"), **decoder_figures(path, val, "cpu"),
             **evaluation_crops(model, args.cache), "held_out_psnr_db": held_out_psnr(model, "cpu")}
        if args.parts:
            f.update(parts(model))
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in f.items()}), flush=True)
        out.append(f)
    return out


if __name__ == "__main__":
    main()
