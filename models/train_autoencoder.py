#!/usr/bin/python3
"""Train the greyscale f=4 KL autoencoder (the LDM first stage) of the demo bundle.

Loss per batch (x, reconstruction r from a posterior sample z ~ q(z|x), all in [-1, 1]):

    L = |x − r|₁ + |x − r|₂² + λ_grad · |∇x − ∇r|₁ + λ_KL · KL(q(z|x) || N(0, I)) / (H·W)

(pixel means; CompVis ``LPIPSWithDiscriminator`` without LPIPS and without the GAN term, whose KL weight
1e-6 multiplies the KL summed over the latent against the L1 summed over the pixels -- dividing both by H·W
gives the form above). The finite-difference gradient term is a cheap stand-in for the perceptual loss.
Afterwards the latent scale factor 1/std(E(x)) is measured on training crops (LDM paper, appendix G) and stored.

Run from ``models/``::

    /usr/bin/python3 train_autoencoder.py --out checkpoints/autoencoder.pt --steps 3000 --device cpu

The checkpoint (written every ``--save-every`` seconds and at the end, atomically) holds ``state_dict``,
``config`` (CompVis ddconfig + embed_dim), ``scale_factor``, ``command``, ``seed``, ``step`` and timing.
``--resume`` continues an interrupted run from its checkpoint.
"""
from __future__ import annotations

import argparse
import datetime
import math
import os
import shlex
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.autoencoder import AutoencoderKL, patch_components  # noqa: E402
from ldm_models.checkpoint import init_record, load_checkpoint, save_checkpoint  # noqa: E402
from ldm_models.data import held_out_images  # noqa: E402
from ldm_models.pool import open_data  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="checkpoint file to write")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=64, help="training crop side in pixels (multiple of 4)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=100, help="linear warm-up steps, then cosine decay to 5%%")
    p.add_argument("--ch", type=int, default=32, help="base width (a multiple of 32: GroupNorm has 32 groups)")
    p.add_argument("--ch-mult", default="1,2,2", help="width multipliers; f = 2^(levels-1)")
    p.add_argument("--num-res-blocks", type=int, default=1)
    p.add_argument("--embed-dim", type=int, default=4, help="latent channels")
    p.add_argument("--attn-type", default="none", choices=["none", "vanilla"],
                   help="mid-block attention; 'none' (default): a 32-px-trained run with CompVis's global "
                        "'vanilla' attention reconstructed 128-px images 10 dB worse than crops (the softmax "
                        "over more tokens changes its output), and global attention also breaks tiling")
    p.add_argument("--patch-shortcut", action="store_true",
                   help="add the linear patch path (ldm_models.autoencoder.AutoencoderKL patch_shortcut) and start "
                        "it as the principal components of training patches, with the convolutional paths' last "
                        "layers at zero: the model starts as the best linear code of its latent size")
    p.add_argument("--kl-weight", type=float, default=1e-6)
    p.add_argument("--grad-weight", type=float, default=0.5)
    p.add_argument("--grid-weight", type=float, default=0.0,
                   help="weight of an extra |∇x − ∇r| term on the differences across the 4-px latent block borders "
                        "only (grid_l1): against the latent grid that decoded samples show (issue #18); 0 = off")
    p.add_argument("--latent-noise", type=float, default=0.0,
                   help="std of Gaussian noise added to the latent (in units of the latent's std, 1/scale) before "
                        "decoding: teaches the decoder the off-manifold latents that denoisers produce; 0 = off")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:0, ...")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--save-every", type=float, default=180.0, help="seconds between checkpoints")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="wall-clock budget: the cosine decay follows max(step/steps, time/budget) and training "
                        "stops when either reaches 1 (the run is then not bit-reproducible; the step count reached "
                        "is recorded). 0 = no budget")
    p.add_argument("--eval-size", type=int, default=128, help="side of the held-out images for the final PSNR")
    p.add_argument("--resume", action="store_true", help="continue from --out if it exists (.pt only)")
    p.add_argument("--init", default=None,
                   help="start from this autoencoder checkpoint (its architecture replaces --ch, --embed-dim, ...)")
    p.add_argument("--decoder-only", action="store_true",
                   help="with --init: train only the decoder (post_quant_conv, decoder, patch_decoder). The encoder "
                        "(with patch_encoder) and the scale factor stay those of --init, so denoisers trained on its "
                        "latents stay valid")
    p.add_argument("--pool", default=None,
                   help="image pool of ldm_models.pool.build_pool to crop from on the device (for GPUs); "
                        "default: render every crop on the CPU")
    return p.parse_args(argv)


def ddconfig(args: argparse.Namespace) -> dict:
    """CompVis ``ddconfig`` of the greyscale autoencoder."""
    return dict(double_z=True, z_channels=args.embed_dim, resolution=args.crop, in_channels=1, out_ch=1,
                ch=args.ch, ch_mult=[int(c) for c in args.ch_mult.split(",")], num_res_blocks=args.num_res_blocks,
                attn_resolutions=[], dropout=0.0, attn_type=args.attn_type)


def build_autoencoder(config: dict) -> AutoencoderKL:
    """The model of a checkpoint's ``config`` (``{"ddconfig": ..., "embed_dim": ..., "patch_shortcut": ...}``)."""
    return AutoencoderKL(ddconfig=config["ddconfig"], embed_dim=config["embed_dim"],
                         patch_shortcut=config.get("patch_shortcut", False),
                         patch_decoder_kernel=config.get("patch_decoder_kernel", 1))


@torch.no_grad()
def init_patch_pca(model: AutoencoderKL, x: torch.Tensor, logvar: float = -14.0) -> None:
    """Start ``model`` (built with ``patch_shortcut``) as the linear code of its latent size with the least
    squared error on the f x f patches of ``x`` [N, C, H, W]: the posterior mean is the projection of a patch
    (minus the patches' mean) on its leading ``embed_dim`` principal components, the reconstruction that
    projection mapped back (the Eckart-Young optimum of a rank-``embed_dim`` linear code). The log-variance
    starts at ``logvar`` (posterior std e^(logvar/2), far below the components' spread), and the last layers of
    the convolutional paths (``quant_conv``, ``decoder.conv_out``) at zero, so they start by adding nothing."""
    enc, dec, c = model.patch_encoder.proj, model.patch_decoder.proj, model.embed_dim
    mean, components = patch_components(x, model.downsampling_factor, c)
    for layer in (enc, dec, model.quant_conv, model.decoder.conv_out):
        layer.weight.zero_()
        layer.bias.zero_()
    enc.weight[:c, :, 0, 0] = components
    enc.bias[:c] = -components @ mean
    enc.bias[c:] = logvar
    dec.weight[:, :, 0, 0] = components.T
    dec.bias.copy_(mean)


def load_autoencoder(path: str, device: str = "cpu") -> tuple:
    """(model in eval mode, checkpoint dict) from a checkpoint written by this script."""
    ckpt = load_checkpoint(path)
    if "ddconfig" not in ckpt.get("config", {}):
        raise ValueError(f"{path} is not an autoencoder checkpoint of train_autoencoder.py (no config.ddconfig)")
    model = build_autoencoder(ckpt["config"])
    model.load_state_dict(ckpt["state_dict"])
    return model.to(device).eval(), ckpt


def grad_l1(x: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """Mean |∇x − ∇r| with forward differences along H and W."""
    dy = (x[..., 1:, :] - x[..., :-1, :]) - (r[..., 1:, :] - r[..., :-1, :])
    dx = (x[..., :, 1:] - x[..., :, :-1]) - (r[..., :, 1:] - r[..., :, :-1])
    return 0.5 * (dy.abs().mean() + dx.abs().mean())


def grid_l1(x: torch.Tensor, r: torch.Tensor, block: int = 4) -> torch.Tensor:
    """Mean |∇x − ∇r| over the forward differences that cross a ``block`` x ``block`` border (between rows or
    columns block·k − 1 and block·k): the steps a decoder leaves at its latent grid (metrics.grid_ratio)."""
    dy = (x[..., block::block, :] - x[..., block - 1:-1:block, :]) - (r[..., block::block, :] - r[..., block - 1:-1:block, :])
    dx = (x[..., :, block::block] - x[..., :, block - 1:-1:block]) - (r[..., :, block::block] - r[..., :, block - 1:-1:block])
    return 0.5 * (dy.abs().mean() + dx.abs().mean())


def use_fast_cuda_math(device: str) -> None:
    """On CUDA: TF32 matmuls and convolutions, cuDNN autotuning (fixed shapes). No effect on the CPU."""
    if str(device).startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True


def progress(step: int, elapsed: float, args: argparse.Namespace) -> float:
    """Training progress in [0, 1]: steps done, or the share of the time budget used if that is larger."""
    p = step / args.steps
    if args.max_minutes:
        p = max(p, elapsed / (60.0 * args.max_minutes))
    return min(p, 1.0)


def lr_at(step: int, args: argparse.Namespace, p: float = None) -> float:
    """Linear warm-up, then cosine decay from lr to 5 % of lr at progress 1 (default progress: step/steps)."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    if p is None:
        p = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(p, 1.0))))


@torch.no_grad()
def measure_scale_factor(model: AutoencoderKL, data, device: str, n: int = 256) -> float:
    """1 / std of the posterior means over ``n`` training crops (LDM appendix G's rescaling)."""
    zs = []
    for _ in range(0, n, 32):
        x, _ = data.batch(32)
        zs.append(model.encode(torch.as_tensor(x).to(device)).mode().cpu())
    return float(1.0 / torch.cat(zs).flatten().std())


@torch.no_grad()
def held_out_psnr(model: AutoencoderKL, device: str, size: int = 128) -> float:
    """Mean PSNR (dB, peak-to-peak 2 in [-1, 1]) of the reconstruction through the posterior mean."""
    vals = []
    for _, img in held_out_images(size=size):
        x = torch.from_numpy(img)[None, None].to(device)
        r = model.decode(model.encode(x).mode()).clamp(-1, 1)
        vals.append(10 * math.log10(4.0 / max(float((x - r).pow(2).mean()), 1e-12)))
    return float(np.mean(vals))


def save(path: str, payload: dict) -> None:
    """Atomic checkpoint write, torch (.pt) or portable (.npz): see ldm_models.checkpoint."""
    save_checkpoint(path, payload)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.max_minutes < 0:
        raise ValueError(f"--max-minutes {args.max_minutes} is negative; 0 means no time limit")
    command = "python3 " + " ".join(shlex.quote(a) for a in [os.path.basename(__file__)] + list(
        sys.argv[1:] if argv is None else argv))
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    use_fast_cuda_math(args.device)
    config = {"ddconfig": ddconfig(args), "embed_dim": args.embed_dim, "patch_shortcut": args.patch_shortcut}
    init = None
    if args.decoder_only and not args.init:
        raise ValueError("--decoder-only fine-tunes a trained decoder: give the autoencoder with --init")
    if args.patch_shortcut and args.init:
        raise ValueError("--patch-shortcut starts a new autoencoder; --init continues one with its own architecture")
    if args.init:
        init = load_checkpoint(args.init)
        config = init["config"]
    model = build_autoencoder(config).to(args.device)
    if init:
        model.load_state_dict(init["state_dict"])
        config = dict(config, init=init_record(args.init, init))
    trained = model.parameters()
    if args.decoder_only:
        # the file whose encoder this is, followed through earlier decoder-only runs
        config["encoder_sha256"] = init["config"].get("encoder_sha256", config["init"]["sha256"])
        for part in (model.encoder, model.quant_conv, model.patch_encoder):
            if part is not None:
                part.requires_grad_(False)
        trained = [q for part in (model.post_quant_conv, model.decoder, model.patch_decoder) if part is not None
                   for q in part.parameters()]
    data = open_data(args.pool, args.crop, args.device, args.seed)
    if args.patch_shortcut:
        init_patch_pca(model, torch.cat([torch.as_tensor(data.batch(64)[0]) for _ in range(4)]).to(args.device))
    opt = torch.optim.Adam(trained, lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    step, elapsed = 0, 0.0
    if args.resume and os.path.exists(args.out):
        if args.out.endswith(".npz"):
            raise ValueError(f"--resume needs a .pt checkpoint; {args.out} is portable (no optimizer state)")
        ckpt = load_checkpoint(args.out)
        model.load_state_dict(ckpt["state_dict"])
        opt.load_state_dict(ckpt["optimizer"])
        step, elapsed = ckpt["step"], ckpt["train_seconds"]
        data = open_data(args.pool, args.crop, args.device, args.seed + step)  # fresh stream, outside held-out
        print(f"resumed from {args.out} at step {step}", flush=True)

    def payload(final: bool) -> dict:
        return {"kind": "autoencoder", "state_dict": model.state_dict(), "optimizer": opt.state_dict(),
                "config": config, "scale_factor": scale_factor if final else None, "step": step,
                "train_seconds": elapsed, "command": command, "seed": args.seed, "args": vars(args),
                "date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
                "software": f"torch {torch.__version__}", "device": str(args.device)}

    scale_factor = None
    t0, last_save, run = time.time() - elapsed, time.time(), {"l1": 0.0, "mse": 0.0, "kl": 0.0, "n": 0}
    model.train()
    while progress(step, elapsed, args) < 1.0:
        lr = lr_at(step, args, progress(step, elapsed, args) if args.max_minutes else None)
        for g in opt.param_groups:
            g["lr"] = lr
        x = torch.as_tensor(data.batch(args.batch)[0]).to(args.device)
        post = model.encode(x)
        z = post.mean + post.std * torch.randn(post.mean.shape, generator=gen).to(args.device)
        if args.latent_noise:
            z = z + args.latent_noise * z.detach().std() * torch.randn(z.shape, generator=gen).to(args.device)
        r = model.decode(z)
        l1, mse = (x - r).abs().mean(), (x - r).pow(2).mean()
        kl = post.kl().mean() / (x.shape[-1] * x.shape[-2])
        loss = l1 + mse + args.grad_weight * grad_l1(x, r) + args.kl_weight * kl
        if args.grid_weight:
            loss = loss + args.grid_weight * grid_l1(x, r)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        elapsed = time.time() - t0
        run["l1"] += l1.detach(); run["mse"] += mse.detach(); run["kl"] += kl.detach(); run["n"] += 1  # no sync
        if step % args.log_every == 0:
            n = run["n"]
            psnr = 10 * math.log10(4.0 / max(float(run["mse"]) / n, 1e-12))
            print(f"step {step}/{args.steps} l1 {float(run['l1']) / n:.4f} train-psnr {psnr:.2f} dB "
                  f"kl/px {float(run['kl']) / n:.3f} lr {lr:.2e} {elapsed:.0f}s", flush=True)
            run = {"l1": 0.0, "mse": 0.0, "kl": 0.0, "n": 0}
        if time.time() - last_save > args.save_every:
            save(args.out, payload(False))
            last_save = time.time()
    model.eval()
    # a frozen encoder keeps the latent space, and with it the scale its denoisers were trained with
    scale_factor = init["scale_factor"] if args.decoder_only else measure_scale_factor(model, data, args.device)
    result = payload(True)
    save(args.out, result)  # usable now, whatever happens to the evaluation below
    try:
        result["held_out_psnr"] = held_out_psnr(model, args.device, args.eval_size)
    except Exception as e:  # noqa: BLE001 -- e.g. a scikit-image that cannot load the held-out images offline
        print(f"warning: held-out PSNR not measured ({type(e).__name__}: {e})", flush=True)
        result["held_out_psnr"] = float("nan")
    save(args.out, result)
    print(f"done: {step} steps in {elapsed:.0f}s, scale_factor {scale_factor:.4f}, "
          f"held-out PSNR {result['held_out_psnr']:.2f} dB -> {args.out}", flush=True)
    return result


if __name__ == "__main__":
    main()
