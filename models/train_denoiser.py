#!/usr/bin/python3
"""Train a latent denoiser (v or eps prediction) of the demo bundle on the frozen autoencoder's latents.

Tasks and the U-Net input channels, concatenated in this order (the manifest's ``inputs``):

* ``inpaint``:       [z_t, scale·E((1 − m)·x), nearest(m → latent grid)·2 − 1]  (CompVis inpainting_big, but
  the fill pixels are 0 rather than -1: manifest ``masked_value`` 0)
* ``superres``:      [z_t, degrade_x4(x)]  (the low-resolution image has the latent's size; LDM-SR identity cond.)
* ``unconditional``: [z_t] with cross-attention on tau(label), label in fluorescence/phase/histology/natural,
  replaced by the null label "none" with probability ``--p-uncond`` (classifier-free guidance, Ho & Salimans 2022)

Training objective: t ~ U{0..T−1}, eps ~ N(0, I), z_t = α·z_0 + σ·eps with α = sqrt(ā_t), σ = sqrt(1 − ā_t),
z_0 = scale_factor · E(x) (posterior mean), and loss = ||target − f_θ(z_t, t, c)||² where the target is
v = α·eps − σ·z_0 (``--prediction v``, Salimans & Ho 2022, sec. 4; the default) or eps (DDPM, Ho et al. 2020,
eq. 14). With eps the loss hardly constrains z_0 at high noise (there eps ≈ z_t): small, briefly trained
denoisers then predict z_0 = (z_t − σ·eps)/α badly at the first sampling steps and their samples saturate;
v weights those steps like the others. Schedule: CompVis "linear", β_t = linspace(√linear_start, √linear_end, T)² in float64.
An EMA copy of the weights (decay ``--ema-decay`` with the CompVis LitEma warm-up min(decay, (1+n)/(10+n)))
is what the exporter ships.

Run from ``models/``::

    /usr/bin/python3 train_denoiser.py --task inpaint --autoencoder checkpoints/autoencoder.pt \
        --out checkpoints/inpaint.pt --steps 1500 --device cpu
"""
from __future__ import annotations

import argparse
import copy
import datetime
import math
import os
import shlex
import sys
import time
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.checkpoint import init_record, load_checkpoint  # noqa: E402
from ldm_models.export import sha256_file  # noqa: E402
from ldm_models.data import LABELS, NULL_LABEL  # noqa: E402
from ldm_models.degrade import degrade_x4  # noqa: E402
from ldm_models.masks import random_mask  # noqa: E402
from ldm_models.pool import open_data  # noqa: E402
from ldm_models.tau import ClassEmbedder  # noqa: E402
from ldm_models.unet import UNetModel  # noqa: E402
from train_autoencoder import load_autoencoder, lr_at, progress, save, use_fast_cuda_math  # noqa: E402

TASKS = ("inpaint", "superres", "unconditional")
MASKED_VALUE = 0.0
"""Value of the fill pixels in the masked image, (1 − m)·x + m·MASKED_VALUE, in [-1, 1]: 0 (mid grey), declared as
the manifest's ``masked_value`` (CompVis inpainting_big fills with -1 instead)."""


def loss_weight(args: argparse.Namespace, a: torch.Tensor) -> torch.Tensor:
    """Per-sample weight of the squared prediction error, a = ā_t. "simple": 1 (DDPM eq. 14). "x0": the error of
    the implied clean latent, x̂0 = sqrt(ā)·z_t − sqrt(1 − ā)·v̂ (Salimans & Ho 2022) or (z_t − sqrt(1 − ā)·ε̂)/sqrt(ā)
    (DDPM eq. 15), so |x̂0 − x0|² = (1 − ā)·|v̂ − v|² or (1 − ā)/ā·|ε̂ − ε|²."""
    if args.loss_weight == "simple":
        return torch.ones_like(a)
    return (1 - a) if args.prediction == "v" else (1 - a) / a


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--task", required=True, choices=TASKS)
    p.add_argument("--autoencoder", required=True, help="checkpoint of train_autoencoder.py (frozen)")
    p.add_argument("--out", required=True, help="checkpoint file to write")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=64, help="training crop side in pixels (the bundle's native_size)")
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--lr-decay", default="none", choices=["none", "cosine"],
                   help="after warm-up: constant (none) or cosine decay to 5%% at the end of --steps or of the "
                        "--max-minutes budget, whichever comes first")
    p.add_argument("--ema-decay", type=float, default=0.995)
    p.add_argument("--model-channels", type=int, default=32)
    p.add_argument("--channel-mult", default="1,2,2")
    p.add_argument("--num-res-blocks", type=int, default=1)
    p.add_argument("--attention-resolutions", default=None,
                   help="downsampling factors with attention, comma-separated or 'none'; default: 4 for "
                        "unconditional (its label enters only through cross-attention), none otherwise")
    p.add_argument("--middle-attention", default="auto", choices=["auto", "yes", "no"],
                   help="keep the middle block's attention; auto: only for unconditional. Without attention the "
                        "conditional U-Nets are fully convolutional: what they learn on training crops holds at "
                        "any size and in tiles (global softmax attention changes with the token count)")
    p.add_argument("--num-head-channels", type=int, default=32)
    p.add_argument("--context-dim", type=int, default=64, help="tau token width (unconditional task)")
    p.add_argument("--p-uncond", type=float, default=0.1, help="probability of the null label (unconditional)")
    p.add_argument("--prediction", default="v", choices=["v", "eps"], help="what the U-Net predicts")
    p.add_argument("--loss-weight", default="simple", choices=["simple", "x0"],
                   help="simple: the mean squared error of the prediction (DDPM eq. 14, or its v form); x0: that of "
                        "the clean latent it implies, which moves weight from the low noise levels to the high ones")
    p.add_argument("--linear-start", type=float, default=0.0015)
    p.add_argument("--linear-end", type=float, default=0.0205)
    p.add_argument("--timesteps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:0, ...")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--save-every", type=float, default=180.0, help="seconds between checkpoints")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="stop (and save) after this much training time even before --steps; 0 = no limit. With "
                        "--lr-decay none, rerunning with --steps set to the recorded step count reproduces a "
                        "time-limited run")
    p.add_argument("--init", default=None,
                   help="start from the (EMA) weights of this checkpoint of the same task, configuration and "
                        "autoencoder, e.g. to continue a time-limited run with larger batches")
    p.add_argument("--pool", default=None,
                   help="image pool of ldm_models.pool.build_pool to crop from on the device (for GPUs; for "
                        "inpaint it must hold masks of --crop px); default: render every crop on the CPU")
    return p.parse_args(argv)


def make_beta_schedule(kind: str, timesteps: int, linear_start: float, linear_end: float) -> np.ndarray:
    """CompVis ``make_beta_schedule`` for "linear" (linear in √β) and "sqrt_linear", float64 [T]."""
    if kind == "linear":
        return np.linspace(linear_start ** 0.5, linear_end ** 0.5, timesteps, dtype=np.float64) ** 2
    if kind == "sqrt_linear":
        return np.linspace(linear_start, linear_end, timesteps, dtype=np.float64)
    raise ValueError(f"unsupported beta schedule '{kind}' (linear, sqrt_linear)")


def alphas_cumprod(schedule: dict) -> torch.Tensor:
    """ā_t = Π_{i≤t}(1 − β_i) as float64 [T] for a manifest-style schedule dict."""
    betas = make_beta_schedule(schedule["beta_schedule"], schedule["timesteps"], schedule["linear_start"],
                               schedule["linear_end"])
    return torch.from_numpy(np.cumprod(1.0 - betas))


def input_layout(task: str, latent_channels: int) -> list:
    """The manifest's ``inputs`` list for a task (concatenation order of the U-Net input)."""
    z = {"name": "noisy_latent", "channels": latent_channels}
    if task == "inpaint":
        return [z, {"name": "masked_image_latent", "channels": latent_channels, "masked_value": MASKED_VALUE},
                {"name": "mask", "channels": 1, "resize": "nearest", "range": [-1.0, 1.0]}]
    if task == "superres":
        return [z, {"name": "low_res_image", "channels": 1, "range": [-1.0, 1.0]}]
    return [z]


class SkipBlock(torch.nn.Module):
    """Stands in for the U-Net middle block's attention when ``config["middle_attention"]`` is False:
    forward(x, emb, context) -> x (the signature of the blocks inside TimestepEmbedSequential)."""

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        return x


def build_models(config: dict):
    """(UNetModel, ClassEmbedder or None) from a checkpoint's ``config``."""
    unet = UNetModel(**config["unet"])
    if not config.get("middle_attention", True):
        unet.middle_block[1] = SkipBlock()
    tau = ClassEmbedder(**config["tau"]) if config.get("tau") else None
    return unet, tau


def load_denoiser(path: str, device: str = "cpu", ema: bool = True):
    """(unet, tau or None, checkpoint dict) in eval mode; the EMA weights unless ``ema=False``."""
    ckpt = load_checkpoint(path)
    if ckpt.get("kind") != "denoiser":
        raise ValueError(f"{path} is not a denoiser checkpoint of train_denoiser.py")
    unet, tau = build_models(ckpt["config"])
    unet.load_state_dict(ckpt["unet_ema" if ema else "unet"])
    if tau is not None:
        tau.load_state_dict(ckpt["tau_ema" if ema else "tau"])
        tau = tau.to(device).eval()
    return unet.to(device).eval(), tau, ckpt


@torch.no_grad()
def condition(task: str, x: torch.Tensor, ae, scale: float, rng: np.random.Generator,
              gen: torch.Generator, data=None) -> torch.Tensor:
    """Conditioning channels (everything after z_t) for a batch x [N, 1, H, W] in [-1, 1]; None if there are none.

    inpaint: masked-image latent and the mask on the latent grid in [-1, 1] (masks from ``data.mask_batch`` when
    the data is a pool, else drawn with ``rng``); superres: the x4-degraded image.
    """
    if task == "inpaint":
        n, _, h, w = x.shape
        if hasattr(data, "mask_batch"):
            m = data.mask_batch(n)
        else:
            m = torch.from_numpy(np.stack([random_mask(rng, h, w) for _ in range(n)])[:, None]).to(x.device)
        c_img = scale * ae.encode((1 - m) * x + m * MASKED_VALUE).mode()
        m_lat = F.interpolate(m, size=c_img.shape[-2:], mode="nearest") * 2 - 1
        return torch.cat([c_img, m_lat], dim=1)
    if task == "superres":
        return degrade_x4(x, generator=gen)
    return None


class Ema:
    """Exponential moving average of parameters (CompVis LitEma: decay min(d, (1 + n)/(10 + n)))."""

    def __init__(self, module: torch.nn.Module, decay: float):
        self.module = copy.deepcopy(module).eval().requires_grad_(False)
        self.decay, self.n = decay, 0

    @torch.no_grad()
    def update(self, module: torch.nn.Module) -> None:
        self.n += 1
        d = min(self.decay, (1 + self.n) / (10 + self.n))
        ema, live = list(self.module.parameters()), [p.detach() for p in module.parameters()]
        torch._foreach_mul_(ema, d)
        torch._foreach_add_(ema, live, alpha=1 - d)
        for e, b in zip(self.module.buffers(), module.buffers()):
            e.copy_(b)


def main(argv=None) -> dict:
    args = parse_args(argv)
    command = "python3 " + " ".join(shlex.quote(a) for a in [os.path.basename(__file__)] + list(
        sys.argv[1:] if argv is None else argv))
    if args.crop % 16:
        raise ValueError(f"--crop {args.crop} must be a multiple of 16 (f=4 times the U-Net's latent multiple 4)")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = args.device
    use_fast_cuda_math(device)
    ae, ae_ckpt = load_autoencoder(args.autoencoder, device)
    ae.requires_grad_(False)
    scale = float(ae_ckpt["scale_factor"])
    zc = ae_ckpt["config"]["embed_dim"]
    layout = input_layout(args.task, zc)
    schedule = {"beta_schedule": "linear", "linear_start": args.linear_start, "linear_end": args.linear_end,
                "timesteps": args.timesteps}
    uncond = args.task == "unconditional"
    attn = args.attention_resolutions or ("4" if uncond else "none")
    config = {
        "task": args.task,
        "unet": dict(image_size=args.crop // 4, in_channels=sum(i["channels"] for i in layout),
                     model_channels=args.model_channels, out_channels=zc, num_res_blocks=args.num_res_blocks,
                     attention_resolutions=[] if attn == "none" else [int(a) for a in attn.split(",")],
                     channel_mult=[int(c) for c in args.channel_mult.split(",")],
                     num_head_channels=args.num_head_channels,
                     use_spatial_transformer=uncond, context_dim=args.context_dim if uncond else None),
        "middle_attention": {"auto": uncond, "yes": True, "no": False}[args.middle_attention],
        "tau": dict(embed_dim=args.context_dim, n_classes=len(LABELS)) if uncond else None,
        "labels": list(LABELS) if uncond else None, "null_label": NULL_LABEL if uncond else None,
        "inputs": layout, "schedule": schedule, "prediction": args.prediction, "native_size": args.crop,
        "scale_factor": scale, "latent_channels": zc,
        "autoencoder": {"path": args.autoencoder, "sha256": sha256_file(args.autoencoder)},
    }
    unet, tau = build_models(config)
    if args.init:
        init = load_checkpoint(args.init)
        for key in ("task", "unet", "inputs", "schedule", "autoencoder"):
            mine, theirs = config[key], init["config"][key]
            if key == "autoencoder":  # the same file, wherever it lies now
                mine, theirs = mine["sha256"], theirs["sha256"]
            if key == "unet":  # the crop size (image_size) may change: the network is convolutional
                mine, theirs = ({k: v for k, v in c.items() if k != "image_size"} for c in (mine, theirs))
            if mine != theirs:
                raise ValueError(f"--init {args.init} has another {key} ({theirs}) than this run ({mine}): it can "
                                 "only continue a run of the same setup")
        unet.load_state_dict(init["unet_ema"])
        if tau is not None:
            tau.load_state_dict(init["tau_ema"])
        config["init"] = init_record(args.init, init)
    unet, tau = unet.to(device).train(), (tau.to(device).train() if tau is not None else None)
    params = list(unet.parameters()) + (list(tau.parameters()) if tau is not None else [])
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    ema_unet = Ema(unet, args.ema_decay)
    ema_tau = Ema(tau, args.ema_decay) if tau is not None else None
    ac = alphas_cumprod(schedule).float().to(device)
    data = open_data(args.pool, args.crop, device, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    gen = torch.Generator().manual_seed(args.seed)
    null = LABELS.index(NULL_LABEL)
    step, t0, last_save, run_loss, run_n = 0, time.time(), time.time(), 0.0, 0

    def payload() -> dict:
        return {"kind": "denoiser", "config": config, "unet": unet.state_dict(), "unet_ema": ema_unet.module.state_dict(),
                "tau": tau.state_dict() if tau is not None else None,
                "tau_ema": ema_tau.module.state_dict() if ema_tau is not None else None,
                "step": step, "train_seconds": time.time() - t0, "command": command, "seed": args.seed,
                "args": vars(args), "date": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
                "software": f"torch {torch.__version__}", "device": str(device)}

    while step < args.steps:
        if args.max_minutes and time.time() - t0 > 60 * args.max_minutes:
            print(f"[{args.task}] time limit {args.max_minutes} min reached at step {step}; reproduce with "
                  f"--steps {step}", flush=True)
            break
        if args.lr_decay == "cosine":
            lr = lr_at(step, args, progress(step, time.time() - t0, args) if args.max_minutes else None)
        else:
            lr = args.lr * min(1.0, (step + 1) / args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        xb, domains = data.batch(args.batch)
        x = torch.as_tensor(xb).to(device)
        with torch.no_grad():
            z0 = scale * ae.encode(x).mode()
            cond = condition(args.task, x, ae, scale, rng, gen, data)
        n = x.shape[0]
        t = torch.randint(0, args.timesteps, (n,), generator=gen).to(device)
        eps = torch.randn(z0.shape, generator=gen).to(device)
        a = ac[t].view(n, 1, 1, 1)
        zt = a.sqrt() * z0 + (1 - a).sqrt() * eps  # DDPM eq. (4)
        target = eps if args.prediction == "eps" else a.sqrt() * eps - (1 - a).sqrt() * z0  # v, Salimans & Ho
        inp = zt if cond is None else torch.cat([zt, cond], dim=1)
        if uncond:
            labels = torch.tensor([LABELS.index(d) for d in domains], dtype=torch.long)
            drop = torch.rand(n, generator=gen) < args.p_uncond
            labels = torch.where(drop, torch.full_like(labels, null), labels).to(device)
            pred = unet(inp, t, tau(labels))
        else:
            pred = unet(inp, t)
        loss = (loss_weight(args, a) * (pred - target) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        ema_unet.update(unet)
        if ema_tau is not None:
            ema_tau.update(tau)
        step += 1
        run_loss += loss.detach(); run_n += 1  # summed on the device: no synchronisation per step
        if step % args.log_every == 0 or step == args.steps:
            print(f"[{args.task}] step {step}/{args.steps} loss {float(run_loss) / run_n:.4f} lr {lr:.2e} "
                  f"{time.time() - t0:.0f}s", flush=True)
            run_loss, run_n = 0.0, 0
        if time.time() - last_save > args.save_every:
            save(args.out, payload())
            last_save = time.time()
    result = payload()
    save(args.out, result)
    print(f"done: [{args.task}] {step} steps in {result['train_seconds']:.0f}s -> {args.out}", flush=True)
    return result


if __name__ == "__main__":
    main()
