"""Convert a CompVis latent-diffusion checkpoint into a bundle (models/README.md).

    cd models && /usr/bin/python3 -m ldm_models.convert --ckpt model.ckpt --config inpainting_big --out ../build/ldm-inpaint [--ema]

Checkpoint layout (CompVis ``LatentDiffusion``): the state dict sits under ``"state_dict"``; U-Net weights are
``model.diffusion_model.*``, the first stage ``first_stage_model.*``, EMA copies of the U-Net
``model_ema.<name without dots>`` (``model_ema.diffusion_modelinput_blocks00weight``); the schedule buffers
(betas, alphas_cumprod, ...) are checked against the configuration and otherwise ignored. Both namespaces
must match the model exactly (no missing or unexpected keys); keys outside them are listed and ignored.
"""
import argparse
import datetime
import os
import sys
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

from .configs import CONFIGS, build_first_stage, build_unet, get_config
from .export import BundleError, DenoiserSpec, export_bundle, sha256_file

UNET_PREFIX = "model.diffusion_model."
FIRST_STAGE_PREFIX = "first_stage_model."
EMA_PREFIX = "model_ema."
CITATION = ("Rombach, Blattmann, Lorenz, Esser, Ommer: High-Resolution Image Synthesis with Latent Diffusion Models, "
            "CVPR 2022")
TRAINING_DATA = {"inpainting_big": "Places (CompVis LDM inpainting)",
                 "bsr_sr": "OpenImages, BSR-light degradation, x4 (CompVis LDM-SR)"}
# registered by CompVis DDPM.register_schedule; recomputed by the plugin from the manifest's schedule
SCHEDULE_BUFFERS = {"betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
                    "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
                    "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
                    "posterior_mean_coef1", "posterior_mean_coef2", "lvlb_weights", "logvar", "scale_factor"}


class ConversionError(Exception):
    """The checkpoint does not fit the chosen configuration; the message says what differs."""


def make_beta_schedule(schedule: dict) -> np.ndarray:
    """CompVis ``make_beta_schedule`` (float64): linear = linspace(√start, √end, T)², sqrt_linear =
    linspace(start, end, T), cosine: ᾱ(t) = cos²(((t/T + s)/(1 + s))·π/2), β = min(1 − ᾱ(t+1)/ᾱ(t), 0.999)."""
    kind, T = schedule["beta_schedule"], schedule["timesteps"]
    if kind == "linear":
        return np.linspace(schedule["linear_start"] ** 0.5, schedule["linear_end"] ** 0.5, T, dtype=np.float64) ** 2
    if kind == "sqrt_linear":
        return np.linspace(schedule["linear_start"], schedule["linear_end"], T, dtype=np.float64)
    if kind == "cosine":
        s = schedule.get("cosine_s", 8e-3)
        t = np.arange(T + 1, dtype=np.float64) / T + s
        abar = np.cos(t / (1 + s) * np.pi / 2) ** 2
        abar = abar / abar[0]
        return np.clip(1 - abar[1:] / abar[:-1], 0, 0.999)
    raise ValueError(f"unknown beta_schedule '{kind}'")


def load_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    """The state dict of a CompVis checkpoint (under "state_dict", or the file itself)."""
    try:
        ckpt = torch.load(path, map_location="cpu")
    except Exception as e:
        raise ConversionError(f"cannot read checkpoint {path}: {e}") from e
    sd = ckpt.get("state_dict", ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise ConversionError(f"{path} holds no state dict (expected a dict of tensors under 'state_dict')")
    return sd


def ema_key(unet_name: str) -> str:
    """CompVis LitEma: the EMA buffer of ``diffusion_model.<name>`` is named without dots."""
    return EMA_PREFIX + ("diffusion_model." + unet_name).replace(".", "")


def split_state_dict(sd: Dict[str, torch.Tensor], unet_names: List[str], ema: bool
                     ) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor], List[str]]:
    """(U-Net state dict, first-stage state dict, ignored keys). With ``ema`` the U-Net weights come from
    ``model_ema.*``; a missing EMA entry is an error."""
    unet = {k[len(UNET_PREFIX):]: v for k, v in sd.items() if k.startswith(UNET_PREFIX)}
    first = {k[len(FIRST_STAGE_PREFIX):]: v for k, v in sd.items()
             if k.startswith(FIRST_STAGE_PREFIX) and not k.startswith(FIRST_STAGE_PREFIX + "loss.")}
    if ema:
        missing = [n for n in unet_names if ema_key(n) not in sd]
        if missing:
            raise ConversionError(f"--ema: the checkpoint has no EMA weights for {len(missing)} U-Net parameters "
                                  f"(e.g. {ema_key(missing[0])}); convert without --ema")
        unet = {n: sd[ema_key(n)] for n in unet_names}
    used = {UNET_PREFIX + k for k in unet} | {FIRST_STAGE_PREFIX + k for k in first}
    if ema:
        used |= {ema_key(n) for n in unet_names}
    ignored = [k for k in sd if k not in used]
    return unet, first, ignored


def _load_strict(module: torch.nn.Module, sd: Dict[str, torch.Tensor], what: str, config: str):
    own = module.state_dict()
    missing = sorted(set(own) - set(sd))
    unexpected = sorted(set(sd) - set(own))
    wrong = [f"{k}: checkpoint {tuple(sd[k].shape)}, model {tuple(own[k].shape)}"
             for k in own if k in sd and sd[k].shape != own[k].shape]
    if missing or unexpected or wrong:
        def head(xs):
            return ", ".join(xs[:5]) + (f" (+{len(xs) - 5} more)" if len(xs) > 5 else "")
        raise ConversionError(
            f"the checkpoint's {what} does not match configuration '{config}': "
            + "; ".join(s for s in [f"missing {len(missing)}: {head(missing)}" if missing else "",
                                    f"unexpected {len(unexpected)}: {head(unexpected)}" if unexpected else "",
                                    f"wrong shape {len(wrong)}: {head(wrong)}" if wrong else ""] if s)
            + ". Is --config right?")
    module.load_state_dict(sd, strict=True)


def convert(ckpt: str, config: str, out: str, ema: bool = False, overwrite: bool = False,
            command: Optional[str] = None) -> dict:
    """Convert ``ckpt`` (CompVis configuration ``config``) into a bundle at ``out``; return the manifest."""
    cfg = get_config(config)
    sd = load_checkpoint(ckpt)
    unet, first_stage = build_unet(cfg), build_first_stage(cfg)
    unet_sd, fs_sd, ignored = split_state_dict(sd, list(unet.state_dict()), ema)
    if not unet_sd and not ema:
        raise ConversionError(f"{ckpt} has no '{UNET_PREFIX}*' entries: not a CompVis LatentDiffusion checkpoint")
    _load_strict(unet, unet_sd, "U-Net (model.diffusion_model.*" + (", EMA" if ema else "") + ")", config)
    _load_strict(first_stage, fs_sd, "first stage (first_stage_model.*)", config)

    if "betas" in sd:
        expected = make_beta_schedule(cfg["schedule"])
        got = sd["betas"].double().numpy()
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
            raise ConversionError(f"the checkpoint's betas do not follow configuration '{config}' "
                                  f"({cfg['schedule']}); is --config right?")
    scale = float(sd["scale_factor"]) if "scale_factor" in sd else cfg["scale_factor"]
    others = [k for k in ignored if k.split(".")[0] not in ("model_ema", "cond_stage_model")
              and k not in SCHEDULE_BUFFERS]
    if others:
        print(f"ignoring {len(others)} checkpoint entries outside the U-Net and first stage: "
              + ", ".join(others[:8]) + (" ..." if len(others) > 8 else ""), file=sys.stderr)

    key = cfg["denoiser"]
    return export_bundle(
        out, autoencoder=first_stage, scale_factor=scale, image_channels=cfg["image_channels"],
        schedule=cfg["schedule"], decode_quantizes=True, overwrite=overwrite,
        denoisers={key: DenoiserSpec(unet, inputs=cfg["inputs"], native_size=cfg["native_size"],
                                     prediction=cfg["prediction"])},
        name=f"compvis-{config.replace('_', '-')}" + ("-ema" if ema else ""),
        description=cfg["description"] + (" (EMA weights)" if ema else ""),
        license="MIT (CompVis latent-diffusion)", citation=CITATION,
        data={"training": TRAINING_DATA.get(config, "see the CompVis release"), "held_out": []},
        provenance={"command": command or f"python -m ldm_models.convert --ckpt {ckpt} --config {config} --out {out}"
                                          + (" --ema" if ema else ""),
                    "date": datetime.date.today().isoformat(), "software": f"torch {torch.__version__}",
                    "data": f"converted from {os.path.basename(ckpt)} (sha256 {sha256_file(ckpt)})"})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ldm_models.convert",
                                 description="Convert a CompVis latent-diffusion checkpoint into a model bundle.")
    ap.add_argument("--ckpt", required=True, help="CompVis .ckpt file")
    ap.add_argument("--config", required=True, choices=sorted(CONFIGS), help="which published configuration")
    ap.add_argument("--out", required=True, help="bundle folder to write")
    ap.add_argument("--ema", action="store_true", help="use the EMA weights of the U-Net (model_ema.*)")
    ap.add_argument("--overwrite", action="store_true", help="replace an existing bundle folder")
    args = ap.parse_args(argv)
    command = "python -m ldm_models.convert " + " ".join(argv if argv is not None else sys.argv[1:])
    try:
        manifest = convert(args.ckpt, args.config, args.out, ema=args.ema, overwrite=args.overwrite, command=command)
    except (ConversionError, BundleError) as e:  # print the reason, not a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({', '.join(manifest['denoisers'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
