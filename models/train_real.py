#!/usr/bin/python3
"""Fine-tune the demo bundle on the real-image training pack (issue #18), for a GPU machine: ``train_real_gpu.sh``.

1. The pack (``build_real_pack.py``) becomes an ``ldm_models.pool`` file; 3 % of its crops are kept out of it as
   validation crops.
2. The bundle's TorchScript parts become training checkpoints (``.npz``): the autoencoder (encoder and decoder state
   dicts carry the training model's parameter names) and the three denoisers (each configuration from
   ``train_denoiser.py --steps 0`` on that autoencoder, the EMA weights from the bundle). Each is checked against
   the TorchScript part it came from.
3. ``train_demo.py`` continues all three denoisers from them and fine-tunes the decoder at the same time
   (``--finetune-decoder``: encoder frozen, so the latents, the scale factor and the denoisers stay valid) with the
   block-border gradient term (``train_autoencoder.py --grid-weight``) and latent noise (``--latent-noise``), which
   target the 4-px latent grid of decoded samples.
4. Figures on the validation crops for the decoder before and after: reconstruction PSNR and ``metrics.grid_ratio``
   of the decoded posterior mean and of latents with added noise (what a denoiser's output looks like to the
   decoder), written to ``<out>/figures.json`` and ``figures.md``.

The checkpoints come back as ``.npz``; export them here with Debian's PyTorch (``build_demo.py``, see
``models/README.md``), whose TorchScript DJL loads. ``--smoke`` runs every stage for a few seconds on the CPU.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from build_real_pack import pack_to_pool  # noqa: E402
from ldm_models import metrics  # noqa: E402
from ldm_models.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from train_autoencoder import build_autoencoder, load_autoencoder  # noqa: E402

UNET = ["--model-channels", "32", "--channel-mult", "1,2,2", "--num-res-blocks", "2"]
TASK_CROP = {"inpaint": 128, "superres": 128, "unconditional": 64}


def autoencoder_from_bundle(bundle: str, out: str) -> str:
    """The bundle's autoencoder as a train_autoencoder.py checkpoint (the demo's architecture, model.json's
    scale factor); checked against encoder.pt and decoder.pt."""
    manifest = json.load(open(os.path.join(bundle, "model.json")))
    ae = manifest["autoencoder"]
    enc, dec = (torch.jit.load(os.path.join(bundle, ae[p]["file"]), map_location="cpu") for p in ("encoder", "decoder"))
    kernel = dec.state_dict()["patch_decoder.proj.weight"].shape[-1]
    config = {"ddconfig": dict(double_z=True, z_channels=ae["latent_channels"], resolution=64, in_channels=1, out_ch=1,
                               ch=32, ch_mult=[1, 2, 2], num_res_blocks=2, attn_resolutions=[], dropout=0.0,
                               attn_type="none"),
              "embed_dim": ae["latent_channels"], "patch_shortcut": True, "patch_decoder_kernel": kernel}
    model = build_autoencoder(config)
    state = {**enc.state_dict(), **dec.state_dict()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"the bundle's autoencoder does not match the demo architecture: missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]}")
    model.eval()
    x = torch.rand(1, 1, 32, 32) * 2 - 1
    with torch.no_grad():
        z = model.encode(x).mode()
        err = float((model.decode(z) - dec(z)).abs().max())
    if err > 1e-4:
        raise ValueError(f"the rebuilt decoder differs from decoder.pt by {err}")
    save_checkpoint(out, {"kind": "autoencoder", "state_dict": model.state_dict(), "config": config,
                          "scale_factor": ae["scale_factor"], "step": 0, "train_seconds": 0.0, "device": "cpu",
                          "date": manifest.get("provenance", {}).get("date", ""),
                          "command": f"train_real.py: from bundle {os.path.abspath(bundle)}", "seed": 0})
    return out


def denoiser_from_bundle(bundle: str, task: str, ae_path: str, out: str, python: str, device: str) -> str:
    """The bundle's ``task`` denoiser as a train_denoiser.py checkpoint on ``ae_path``."""
    manifest = json.load(open(os.path.join(bundle, "model.json")))
    spec = manifest["denoisers"][task]
    subprocess.run([python, os.path.join(HERE, "train_denoiser.py"), "--task", task, "--autoencoder", ae_path,
                    "--out", out, "--steps", "0", "--crop", str(TASK_CROP[task]), "--device", "cpu"] + UNET,
                   check=True, cwd=HERE, stdout=subprocess.DEVNULL)
    ck = load_checkpoint(out)
    part = torch.jit.load(os.path.join(bundle, spec["file"]), map_location="cpu")
    unet = {k[len("unet."):]: v for k, v in part.state_dict().items() if k.startswith("unet.")}
    if set(unet) != set(ck["unet_ema"]):
        raise ValueError(f"{task}: the bundle's U-Net does not match train_denoiser.py's configuration")
    unet = {k: unpadded(k, v, ck["unet_ema"][k].shape) for k, v in unet.items()}
    ck["unet_ema"] = unet
    ck["unet"] = unet
    if spec.get("context"):
        tau = torch.jit.load(os.path.join(bundle, spec["context"]["encoder"]["file"]), map_location="cpu")
        ck["tau_ema"] = ck["tau"] = dict(tau.state_dict())
    ck["command"] = f"train_real.py: {task} from bundle {os.path.abspath(bundle)}"
    save_checkpoint(out, ck)
    return out


def unpadded(name: str, weight: torch.Tensor, shape) -> torch.Tensor:
    """A bundle's weight in the training configuration's ``shape``: the input convolution of a part whose input the
    exporter padded with zero channels (``export.block_padding``) loses those channels' weights, which are zero."""
    if weight.shape == shape:
        return weight
    if weight.dim() != 4 or weight.shape[0] != shape[0] or weight.shape[2:] != shape[2:] or weight.shape[1] < shape[1] \
            or bool(weight[:, shape[1]:].any()):
        raise ValueError(f"{name}: the bundle's weight {tuple(weight.shape)} is not the configuration's "
                         f"{tuple(shape)} padded with zero input channels")
    return weight[:, :shape[1]].clone()


@torch.no_grad()
def decoder_figures(ae_path: str, crops: np.ndarray, device: str, noise: float = 0.1) -> dict:
    """PSNR and grid ratio of the decoded posterior mean, and grid ratio with latent noise, on ``crops``."""
    model, _ = load_autoencoder(ae_path, device)
    gen = torch.Generator().manual_seed(0)
    psnr, grid, grid_noisy, grid_true = [], [], [], []
    for i in range(0, len(crops), 16):
        x = torch.from_numpy(crops[i:i + 16]).float()[:, None].to(device)
        z = model.encode(x).mode()
        r = model.decode(z).clamp(-1, 1)
        zn = z + noise * z.std() * torch.randn(z.shape, generator=gen).to(device)
        rn = model.decode(zn).clamp(-1, 1)
        for a, b, c in zip(x.cpu().numpy()[:, 0], r.cpu().numpy()[:, 0], rn.cpu().numpy()[:, 0]):
            psnr.append(metrics.psnr(b, a))
            grid.append(metrics.grid_ratio(b))
            grid_noisy.append(metrics.grid_ratio(c))
            grid_true.append(metrics.grid_ratio(a))
    return {"psnr_db": float(np.mean(psnr)), "grid": float(np.mean(grid)),
            "grid_noisy_latent": float(np.mean(grid_noisy)), "grid_original": float(np.mean(grid_true)),
            "crops": int(len(crops))}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pack", required=True)
    p.add_argument("--bundle", default=os.path.join(HERE, "demo"))
    p.add_argument("--out", required=True, help="folder for checkpoints, logs and figures")
    p.add_argument("--device", default="cuda")
    p.add_argument("--minutes", type=float, default=7.0, help="training budget (train_demo.py --minutes)")
    p.add_argument("--lr", type=float, default=1e-4, help="peak learning rate of the denoisers")
    p.add_argument("--decoder-args", default="--grid-weight 2 --latent-noise 0.1 --lr 5e-5 --crop 128",
                   help="train_autoencoder.py options of the decoder fine-tune")
    p.add_argument("--batch-scale", type=float, default=1.0)
    p.add_argument("--smoke", action="store_true", help="every stage for seconds on the CPU")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--decoder-only", action="store_true",
                   help="skip the denoisers: fine-tune only the decoder (train_autoencoder.py --decoder-only on the "
                        "pool, --minutes of it); the CPU path when no GPU is at hand")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads of --decoder-only (a shared CPU)")
    args = p.parse_args(argv)
    args.out, args.pack, args.bundle = (os.path.abspath(a) for a in (args.out, args.pack, args.bundle))  # cwd=HERE below
    if args.smoke:
        args.device, args.minutes, args.batch_scale = "cpu", 1.0, 0.02
        args.decoder_args += " --batch 2"
    t0 = time.time()
    os.makedirs(os.path.join(args.out, "init"), exist_ok=True)
    pool = os.path.join(args.out, "pool.npz")
    meta = pack_to_pool(args.pack, pool)
    with np.load(pool) as f:  # the last 3 % (at least 8) of the crops are validation, not training
        images, labels, masks = f["images"], f["labels"], f["masks"]
    n_val = max(8, len(images) * 3 // 100)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(images))
    val, train = order[:n_val], order[n_val:]
    np.savez(pool, images=images[train], labels=labels[train], masks=masks)
    val_crops = images[val].astype(np.float32)
    print(f"pool: {len(train)} training crops, {n_val} validation crops, {len(masks)} masks "
          f"({len(meta['sources'])} real files) [{time.time() - t0:.0f}s]", flush=True)
    if args.decoder_only:
        torch.set_num_threads(args.threads)  # a shared CPU
    ae0 = autoencoder_from_bundle(args.bundle, os.path.join(args.out, "init", "autoencoder.npz"))
    for task in () if args.decoder_only else TASK_CROP:
        denoiser_from_bundle(args.bundle, task, ae0, os.path.join(args.out, "init", f"{task}.npz"), args.python,
                             args.device)
    print(f"bundle -> checkpoints in {args.out}/init [{time.time() - t0:.0f}s]", flush=True)
    before = decoder_figures(ae0, val_crops, args.device)
    ck = os.path.join(args.out, "checkpoints")
    if args.decoder_only:
        os.makedirs(ck, exist_ok=True)
        cmd = [args.python, os.path.join(HERE, "train_autoencoder.py"), "--init", ae0, "--decoder-only", "--pool", pool,
               "--device", args.device, "--threads", str(args.threads), "--steps", "10000000", "--max-minutes",
               str(args.minutes), "--out", os.path.join(ck, "autoencoder.npz"), "--save-every", "120",
               "--log-every", "50"] + shlex.split(args.decoder_args)
    else:
        cmd = [args.python, os.path.join(HERE, "train_demo.py"), "--device", args.device, "--minutes",
               str(args.minutes), "--pool", pool, "--autoencoder", ae0, "--finetune-decoder", "--decoder-args",
               args.decoder_args, "--init", os.path.join(args.out, "init"), "--lr", str(args.lr), "--batch-scale",
               str(args.batch_scale), "--out", ck, "--save-every", "60"]
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=HERE)
    after = decoder_figures(os.path.join(ck, "autoencoder.npz"), val_crops, args.device)
    figures = {"decoder_before": before, "decoder_after": after, "minutes": args.minutes,
               "decoder_args": args.decoder_args, "pack": meta.get("command"), "seconds": time.time() - t0}
    with open(os.path.join(args.out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=1)
    rows = ["| decoder | PSNR (dB) | grid ratio | grid ratio, latent + 0.1 σ noise | original's grid ratio |",
            "|---|---|---|---|---|"]
    for name, d in (("demo (before)", before), ("fine-tuned", after)):
        rows.append(f"| {name} | {d['psnr_db']:.2f} | {d['grid']:.3f} | {d['grid_noisy_latent']:.3f} | "
                    f"{d['grid_original']:.3f} |")
    text = f"Validation: {before['crops']} pack crops kept out of training.\n\n" + "\n".join(rows) + "\n"
    with open(os.path.join(args.out, "figures.md"), "w") as f:
        f.write(text)
    print(text + f"done in {(time.time() - t0) / 60:.1f} min -> {args.out}", flush=True)
    if not all(math.isfinite(v) for v in (after["psnr_db"], after["grid"])):
        sys.exit("the fine-tuned decoder gives non-finite figures")
    return figures


if __name__ == "__main__":
    main()
