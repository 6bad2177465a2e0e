#!/usr/bin/python3
"""Fit the demo decoder's linear patch path with a k x k latent support by least squares (issue #18, the 4-px grid).

The demo decoder decodes almost entirely through its linear patch path (``ldm_models.autoencoder.PatchDecoder``),
which with a 1 x 1 kernel makes each 4 x 4 block from its own latent cell alone: every block border is a step. Here
that path becomes a k x k convolution (each block sees the (k − 1)/2 cells around its own) whose weights W
minimise, over the training crops of the real-image pack (``build_real_pack.py``; the same 3 % validation split
that ``train_real.py`` keeps out is left out here too),

    E ‖ pixel_unshuffle(x − D_conv(z)) − W · [unfold_k(z + ε); 1] ‖²  +  λ Σ_borders (r_hi − r_lo − β d)²,
    ε ~ N(0, (s·σ_z)² I),

the residual of the convolutional path D_conv (kept as it is) given the posterior mean z = E(x), plus the decoded
step r_hi − r_lo across each block border against β times the residual's true step d (λ = ``--grid-weight``,
β = ``--step-target``). The noise term is taken in expectation, which makes it a ridge; the whole is one linear
system in vec(W) (:func:`solve`), solved in float64. The plain fit (λ = 0) and β = 1 barely move the grid: the
decoded border steps carry the independent errors of two cells' codes. β = 0 pulls them towards zero; λ = 0.2
brings samples to a grid ratio of about 1 for 0.9 dB of held-out PSNR (``demo/EVALUATION.md``, "Decoder grid").
The encoder, and so the latents, the scale factor and the denoisers, stay as they are.

Writes a train_autoencoder.py checkpoint (``--out``) that ``replace_decoder.py`` puts into the bundle::

    /usr/bin/python3 tools/fit_patch_decoder.py --kernel 3 --noise 0 --grid-weight 0.2 --step-target 0 --every 3 \
        --out ../build/fit2/k3-s0-g0.2-b0.npz
    /usr/bin/python3 replace_decoder.py --bundle demo --autoencoder ../build/fit2/k3-s0-g0.2-b0.npz

Several ``--kernel``/``--noise``/``--grid-weight`` values make a sweep (``--out`` is then a folder).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS)
from build_real_pack import SIZE  # noqa: E402
from ldm_models.checkpoint import save_checkpoint  # noqa: E402
from train_autoencoder import build_autoencoder, held_out_psnr, load_autoencoder  # noqa: E402
from train_real import autoencoder_from_bundle  # noqa: E402


def training_crops(pack: str) -> np.ndarray:
    """(indices, crops): the pack's crops without the validation split of train_real.py (same permutation), in
    [-1, 1]."""
    with np.load(pack) as f:
        images = f["images"]
    n_val = max(8, len(images) * 3 // 100)
    keep = np.random.default_rng(0).permutation(len(images))[n_val:]
    return (np.sort(keep), images[np.sort(keep)].astype(np.float32) / 32767.5 - 1)


def neighbourhoods(z: torch.Tensor, k: int) -> torch.Tensor:
    """[N, c, h, w] -> [N·h·w, c·k²]: each cell's k x k neighbourhood (replicate-padded), in the order of a
    k x k convolution's weight [out, c, k, k] flattened."""
    r = k // 2
    zp = F.pad(z, (r, r, r, r), mode="replicate") if r else z
    cols = F.unfold(zp, k)
    return cols.transpose(1, 2).reshape(-1, cols.shape[1])


@torch.no_grad()
def latents(model, crops: np.ndarray, cache: str, batch: int = 16) -> tuple:
    """(z [N, c, h, w], t [N, C·f², h, w]): the posterior means and the f x f residuals of the convolutional path
    (pixel_unshuffle(x − D_conv(z))); kept in ``cache`` (they cost most of the time)."""
    if os.path.exists(cache):
        with np.load(cache) as d:
            if len(d["z"]) == len(crops):
                return torch.from_numpy(d["z"]), torch.from_numpy(d["t"])
    zs, ts = [], []
    for i in range(0, len(crops), batch):
        x = torch.from_numpy(crops[i:i + batch])[:, None].float()
        z = model.encode(x).mode()
        zs.append(z)
        ts.append(F.pixel_unshuffle(x - model.decoder(model.post_quant_conv(z)), model.downsampling_factor))
    z, t = torch.cat(zs), torch.cat(ts)
    np.savez(cache, z=z.numpy(), t=t.numpy())
    return z, t


def with_bias(a: torch.Tensor) -> torch.Tensor:
    return torch.cat([a, torch.ones(len(a), 1, dtype=a.dtype)], 1)


@torch.no_grad()
def normal_equations(z: torch.Tensor, t: torch.Tensor, k: int, f: int, batch: int = 16) -> dict:
    """The sums of the normal equations, in float64 (a = [neighbourhood; 1] of a cell, t its f x f residual):

    * data term: Σ a aᵀ, Σ t aᵀ;
    * block borders, for the pairs of horizontally (left L, right R) and vertically (up U, down D) adjacent cells:
      Σ a_R a_Rᵀ, Σ a_L a_Lᵀ, Σ a_R a_Lᵀ and Σ d a_R, Σ d a_L with d the residual's step across the border in each
      of the f rows (columns): d_i = t_R[i, 0] − t_L[i, f − 1];
    * the number of cells and the latents' std."""
    out = {}

    def add(key, v):
        out[key] = v if key not in out else out[key] + v

    for i in range(0, len(z), batch):
        zb, tb = z[i:i + batch], t[i:i + batch].double()
        n, c, h, w = zb.shape
        a = with_bias(neighbourhoods(zb, k).double()).reshape(n, h, w, -1)
        tt = tb.permute(0, 2, 3, 1).reshape(n, h, w, f, f)
        add("gram", a.reshape(-1, a.shape[-1]).T @ a.reshape(-1, a.shape[-1]))
        add("bt", tt.reshape(-1, f * f).T @ a.reshape(-1, a.shape[-1]))
        for axis, name in ((2, "h"), (1, "v")):
            lo = a.narrow(axis, 0, a.shape[axis] - 1).reshape(-1, a.shape[-1])
            hi = a.narrow(axis, 1, a.shape[axis] - 1).reshape(-1, a.shape[-1])
            tl = tt.narrow(axis, 0, a.shape[axis] - 1)
            th = tt.narrow(axis, 1, a.shape[axis] - 1)
            # d [pairs, f]: steps across the border, per row (horizontal pairs) or column (vertical pairs)
            d = (th[..., :, 0] - tl[..., :, f - 1]) if name == "h" else (th[..., 0, :] - tl[..., f - 1, :])
            d = d.reshape(-1, f)
            add(name + "_hh", hi.T @ hi)
            add(name + "_ll", lo.T @ lo)
            add(name + "_hl", hi.T @ lo)
            add(name + "_dh", d.T @ hi)
            add(name + "_dl", d.T @ lo)
        add("cells", n * h * w)
    zd = z.double()
    out["z_std"] = float(zd.std())
    return out


def solve(eq: dict, k: int, c: int, f: int, noise: float, grid_weight: float, step_target: float = 1.0) -> torch.Tensor:
    """W [f², c·k² + 1] minimising Σ ‖t − W a‖² + n (s·σ_z)² ‖W'‖² (the latent noise in expectation; W' without
    the bias) + λ Σ_borders (r_hi − r_lo − β d)², the decoded step across each block border against β times the true
    one (λ = ``grid_weight``, β = ``step_target``; β = 0 pulls the border steps to zero), from the sums of
    :func:`normal_equations`: one linear system in vec(W)."""
    p = c * k * k + 1
    h = torch.zeros(f * f, p, f * f, p, dtype=torch.float64)
    g = eq["bt"].clone()
    ridge = eq["gram"].clone()
    dd = torch.arange(p - 1)
    ridge[dd, dd] += eq["cells"] * (noise * eq["z_std"]) ** 2
    for o in range(f * f):
        h[o, :, o, :] += ridge
    for name in ("h", "v"):
        for i in range(f):
            # output channels (row-major i·f + j in the block) on each side of the border
            hi, lo = (i * f, i * f + f - 1) if name == "h" else (i, (f - 1) * f + i)
            h[hi, :, hi, :] += grid_weight * eq[name + "_hh"]
            h[lo, :, lo, :] += grid_weight * eq[name + "_ll"]
            h[hi, :, lo, :] -= grid_weight * eq[name + "_hl"]
            h[lo, :, hi, :] -= grid_weight * eq[name + "_hl"].T
            g[hi] += grid_weight * step_target * eq[name + "_dh"][i]
            g[lo] -= grid_weight * step_target * eq[name + "_dl"][i]
    w = torch.linalg.solve(h.reshape(f * f * p, f * f * p), g.reshape(-1))
    return w.reshape(f * f, p)


def with_patch_decoder(model, ck: dict, w: torch.Tensor, k: int):
    """A copy of ``model`` whose patch decoder has kernel k and the weights W (last column: bias)."""
    config = dict(ck["config"], patch_decoder_kernel=k)
    new = build_autoencoder(config)
    state = {key: v for key, v in model.state_dict().items() if not key.startswith("patch_decoder.")}
    state["patch_decoder.proj.weight"] = w[:, :-1].reshape(w.shape[0], model.embed_dim, k, k).float()
    state["patch_decoder.proj.bias"] = w[:, -1].float()
    new.load_state_dict(state)
    return new.eval(), config


def main(argv=None) -> list:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", default=os.path.join(MODELS, "demo"))
    p.add_argument("--pack", default=os.path.join(MODELS, "..", "build", "real_pack.npz"))
    p.add_argument("--kernel", type=int, nargs="+", default=[3], help="odd kernel sizes in latent cells")
    p.add_argument("--noise", type=float, nargs="+", default=[0.1],
                   help="latent noise s (multiples of the latents' std) the fit is made robust to")
    p.add_argument("--grid-weight", type=float, nargs="+", default=[0.0],
                   help="weight λ of the block-border step term against the data term (per border pixel pair)")
    p.add_argument("--step-target", type=float, default=1.0,
                   help="β: the border steps are pulled towards β times the true ones (0: towards zero)")
    p.add_argument("--every", type=int, default=1, help="use every n-th training crop")
    p.add_argument("--out", required=True, help="checkpoint (.npz); with several kernels or noises: a folder")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    single = len(args.kernel) * len(args.noise) * len(args.grid_weight) == 1
    work = os.path.dirname(os.path.abspath(args.out)) if single else args.out
    os.makedirs(work, exist_ok=True)
    model, ck = load_autoencoder(autoencoder_from_bundle(args.bundle, os.path.join(work, "bundle-autoencoder.npz")))
    # the bundle's own patch decoder (1 x 1 or fitted before) plays no part: only the encoder and D_conv do
    kept, crops = training_crops(args.pack)
    crops = crops[::args.every]
    z, t = latents(model, crops, os.path.join(work, f"latents-every{args.every}.npz"))
    print(f"{len(crops)} crops encoded [{time.time() - t0:.0f}s]", flush=True)
    outs = []
    for k in args.kernel:
        eq = normal_equations(z, t, k, model.downsampling_factor)
        for s, lam in ((s, lam) for s in args.noise for lam in args.grid_weight):
            w = solve(eq, k, model.embed_dim, model.downsampling_factor, s, lam, args.step_target)
            new, config = with_patch_decoder(model, ck, w, k)
            psnr = held_out_psnr(new, "cpu")
            name = f"k{k}-s{s:g}-g{lam:g}-b{args.step_target:g}.npz"
            out = args.out if single else os.path.join(work, name)
            save_checkpoint(out, {**ck, "state_dict": new.state_dict(), "config": config, "held_out_psnr": psnr,
                                  "command": f"tools/fit_patch_decoder.py --kernel {k} --noise {s:g} "
                                             f"--grid-weight {lam:g} "
                                             f"--step-target {args.step_target:g} on "
                                             f"{len(crops)} training crops of {os.path.basename(args.pack)}"})
            print(f"kernel {k}, noise {s:g}, grid weight {lam:g}: held-out PSNR {psnr:.2f} dB -> {out}", flush=True)
            outs.append(out)
    return outs


if __name__ == "__main__":
    main()
