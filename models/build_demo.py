#!/usr/bin/python3
"""Export trained checkpoints (train_autoencoder.py, train_denoiser.py) as a bundle with ldm_models.export.

Run from ``models/``::

    /usr/bin/python3 build_demo.py --autoencoder checkpoints/autoencoder.pt \
        --denoiser checkpoints/inpaint.pt --denoiser checkpoints/superres.pt \
        --denoiser checkpoints/unconditional.pt --out demo --overwrite

The EMA weights of each denoiser are exported. The manifest's provenance records every training command,
its seed, duration and device, and this export command; ``data`` records the training / held-out split.
"""
from __future__ import annotations

import argparse
import datetime
import math
import os
import shlex
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.data import data_description  # noqa: E402
from ldm_models.export import ContextSpec, DenoiserSpec, export_bundle, sha256_file  # noqa: E402
from train_autoencoder import load_autoencoder  # noqa: E402
from train_denoiser import load_denoiser  # noqa: E402


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--autoencoder", required=True)
    p.add_argument("--denoiser", action="append", default=[], help="denoiser checkpoint (repeatable)")
    p.add_argument("--out", required=True, help="bundle folder")
    p.add_argument("--name", default="demo")
    p.add_argument("--overwrite", action="store_true")
    args = p.parse_args(argv)
    command = "python3 " + " ".join(shlex.quote(a) for a in [os.path.basename(__file__)] + list(
        sys.argv[1:] if argv is None else argv))
    ae, ae_ckpt = load_autoencoder(args.autoencoder)
    # a decoder fine-tuned with train_autoencoder.py --decoder-only keeps the encoder (and latents) of its --init
    encoder_sha = ae_ckpt["config"].get("encoder_sha256", sha256_file(args.autoencoder))
    specs, schedule, trainings = {}, None, [{
        "part": "autoencoder", "command": ae_ckpt["command"], "seed": ae_ckpt["seed"], "steps": ae_ckpt["step"],
        "seconds": round(ae_ckpt["train_seconds"]), "device": ae_ckpt.get("device", ""),
        "date": ae_ckpt.get("date", "")}]
    if math.isfinite(float(ae_ckpt.get("held_out_psnr", float("nan")))):  # absent from a bundle's converted autoencoder
        trainings[0]["held_out_psnr_db"] = round(float(ae_ckpt["held_out_psnr"]), 2)
    if ae_ckpt["config"].get("init"):
        trainings[0]["init"] = ae_ckpt["config"]["init"]
    for path in args.denoiser:
        unet, tau, ck = load_denoiser(path)
        cfg = ck["config"]
        if cfg["autoencoder"]["sha256"] != encoder_sha:
            raise ValueError(f"{path} was trained on the latents of {cfg['autoencoder']['path']} "
                             f"(sha256 {cfg['autoencoder']['sha256'][:12]}...), not of {args.autoencoder}; "
                             "retrain it or pass the matching autoencoder")
        if schedule is not None and schedule != cfg["schedule"]:
            raise ValueError(f"{path} uses schedule {cfg['schedule']}, the others {schedule}: a bundle has one")
        schedule = cfg["schedule"]
        ctx = ContextSpec(tau, labels=cfg["labels"], null_label=cfg["null_label"]) if tau is not None else None
        specs[cfg["task"]] = DenoiserSpec(unet, inputs=cfg["inputs"], native_size=cfg["native_size"],
                                          prediction=cfg["prediction"], context=ctx)
        trainings.append({"part": cfg["task"], "command": ck["command"], "seed": ck["seed"], "steps": ck["step"],
                          "seconds": round(ck["train_seconds"]), "device": ck["device"], "date": ck["date"]})
        if cfg.get("init"):  # continued from an earlier run (--init): that run's command, steps and time
            trainings[-1]["init"] = cfg["init"]
    if not specs:
        raise ValueError("no --denoiser given: a bundle needs at least one denoiser checkpoint")
    # the autoencoder first, then the denoisers side by side: wall time = its time + the longest of theirs
    def seconds(t: dict) -> float:  # of this run and of the runs it continued (--init, nested)
        return t["seconds"] + (seconds(t["init"]) if t.get("init") else 0)
    total_minutes = (seconds(trainings[0]) + max(seconds(t) for t in trainings[1:])) / 60
    devices = " and ".join(sorted({"GPU" if t["device"].startswith("cuda") else "CPU" for t in trainings}))
    manifest = export_bundle(
        args.out, autoencoder=ae, denoisers=specs, schedule=schedule, scale_factor=ae_ckpt["scale_factor"],
        image_channels=1, name=args.name,
        description=f"Greyscale f=4 demo LDM (KL autoencoder, {ae_ckpt['config']['embed_dim']} latent channels) "
                    f"trained for {total_minutes:.0f} minutes on {devices} on synthetic microscopy and "
                    "scikit-image images; a small model for testing the plugin, not for scientific use",
        license="MIT",
        citation="Rombach et al., High-Resolution Image Synthesis with Latent Diffusion Models, CVPR 2022",
        data=data_description(),
        provenance={"command": command + "  (after: " + " ; ".join(t["command"] for t in trainings) + ")",
                    "seed": ae_ckpt["seed"], "date": datetime.date.today().isoformat(),
                    "software": f"torch {torch.__version__}", "training": trainings,
                    "data": "ldm_models/data.py (synthetic generator + scikit-image 0.19 sample images)"},
        overwrite=args.overwrite)
    size = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    print(f"wrote {args.out}: {sorted(manifest['denoisers'])}, {size / 1e6:.2f} MB")
    return manifest


if __name__ == "__main__":
    main()
