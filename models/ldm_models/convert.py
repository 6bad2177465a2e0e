"""Convert a latent-diffusion checkpoint into a bundle (models/README.md).

    cd models && /usr/bin/python3 -m ldm_models.convert --ckpt FILE_OR_FOLDER --out ../build/bundle
        [--config NAME] [--raw-weights] [--tokenizer DIR] [--prediction eps|v] [--noise-level N]

Inputs (read without running code from them and without a training framework: ``ldm_models.ckpt_io``):
CompVis / Stable Diffusion ``.ckpt`` (PyTorch Lightning training files included), ``.safetensors``, and diffusers
folders. Key layouts: ``ldm_models.sd_keys``. The configuration is recognised from the file's own keys
(:func:`detect_config`) unless ``--config`` names it: CompVis ``inpainting_big`` / ``bsr_sr`` (VQ-f4), SD 1.x / 2.x
text-to-image, SD inpainting (9-channel U-Net), the SD x4 upscaler (``label_emb``). Every part must match the
model exactly (no missing or unexpected keys); keys outside the parts are listed and ignored. The U-Net takes the
EMA weights (``model_ema.*``, as CompVis samples with ``ema_scope()``) when the file has them, unless
``--raw-weights``. Memory: the file is memory-mapped and the model is built without random initialisation, so a
conversion holds about one float32 copy of the weights plus the reloaded TorchScript part being checked.
"""
import argparse
import datetime
import json
import os
import sys
import time
from typing import Dict, Optional

import numpy as np
import torch

from .ckpt_io import CheckpointError
from .configs import CONFIGS, build_first_stage, build_text_encoder, build_unet, get_config, skip_init
from .export import BundleError, DenoiserSpec, TextContextSpec, export_bundle, sha256_file
from .sd_keys import UNET_PREFIX, Source, ema_key, read_source  # noqa: F401 (ema_key: kept importable here)

CITATION = ("Rombach, Blattmann, Lorenz, Esser, Ommer: High-Resolution Image Synthesis with Latent Diffusion Models, "
            "CVPR 2022")
TRAINING_DATA = {"inpainting_big": "Places (CompVis LDM inpainting)",
                 "bsr_sr": "OpenImages, BSR-light degradation, x4 (CompVis LDM-SR)"}
# registered by CompVis DDPM.register_schedule; recomputed by the plugin from the manifest's schedule
SCHEDULE_BUFFERS = {"betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
                    "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
                    "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
                    "posterior_mean_coef1", "posterior_mean_coef2", "lvlb_weights", "logvar", "scale_factor",
                    "ddim_sigmas", "ddim_alphas", "ddim_alphas_prev", "ddim_sqrt_one_minus_alphas"}


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
    assign_weights(module, sd)


def assign_weights(module: torch.nn.Module, sd: Dict[str, torch.Tensor]) -> None:
    """Put the checkpoint's tensors into ``module`` (names and shapes already checked). A float32 tensor becomes
    the parameter itself: it is a view of the memory-mapped file, so no copy is made and the bytes stay in the
    page cache (shared with the file, not counted twice); other dtypes (float16 / bfloat16 files) are copied
    into the module's float32 parameters."""
    own = module.state_dict(keep_vars=True)
    for name, value in sd.items():
        target = own[name]
        mod_name, _, leaf = name.rpartition(".")
        owner = module.get_submodule(mod_name) if mod_name else module
        if value.dtype == target.dtype and leaf in owner._parameters:
            owner._parameters[leaf] = torch.nn.Parameter(value, requires_grad=False)
        elif value.dtype == target.dtype and leaf in owner._buffers:
            owner._buffers[leaf] = value
        else:
            with torch.no_grad():
                target.copy_(value)


def detect_config(src: Source, prediction: Optional[str] = None) -> str:
    """The configuration a checkpoint's keys say it is (the rules of diffusers' ``single_file_utils``: a VQ first
    stage is CompVis LDM; ``label_emb`` is the x4 upscaler; 9 input channels inpainting; Linear ``proj_in`` or an
    open_clip text encoder SD 2.x). SD 2.x text-to-image is "sd2_v" (768 px, v) or "sd2" (512 px, eps): the keys
    do not tell them apart, so ``prediction`` (``--prediction``, or a diffusers scheduler's ``prediction_type``)
    decides, else the global step of Stability's 2.0/2.1 base files (875000, 220000), else v."""
    u, fs = src.unet, src.first_stage
    if "input_blocks.0.0.weight" not in u:
        raise ConversionError(f"{src.path} has no U-Net (no {UNET_PREFIX}input_blocks.0.0.weight): not a latent "
                              f"diffusion checkpoint")
    c_in = u["input_blocks.0.0.weight"].shape[1]
    if "quantize.embedding.weight" in fs:
        if c_in == 7:
            return "inpainting_big"
        if c_in == 6:
            return "bsr_sr"
        raise ConversionError(f"{src.path}: a VQ first stage with a {c_in}-channel U-Net is none of the known "
                              f"CompVis configurations; pass --config")
    if "label_emb.weight" in u:
        return "sd2_x4_upscaler"
    sd2 = src.text_layout == "open_clip" or any(
        k.endswith("proj_in.weight") and v.dim() == 2 for k, v in u.items())
    if c_in == 9:
        return "sd2_inpainting" if sd2 else "sd1_inpainting"
    if c_in != 4:
        raise ConversionError(f"{src.path}: a {c_in}-channel KL U-Net is none of the known configurations "
                              f"(4: text-to-image, 9: inpainting, 7: x4 upscaler); pass --config")
    if not sd2:
        return "sd1"
    pred = prediction or src.prediction
    if pred is None and src.global_step in (875000, 220000):
        pred = "eps"
    return "sd2" if pred == "eps" else "sd2_v"


def _vocab_specials(vocab_file: str):
    with open(vocab_file, encoding="utf-8") as f:
        vocab = json.load(f)
    start, end = vocab.get("<|startoftext|>"), vocab.get("<|endoftext|>")
    if start is None or end is None:
        raise ConversionError(f"{vocab_file} lacks <|startoftext|> or <|endoftext|>: not a CLIP BPE vocabulary")
    return start, end


def _tokenizer_files(src: Source, tokenizer: Optional[str]):
    folder = tokenizer or src.tokenizer_dir
    if folder is None:
        raise ConversionError(f"{src.path} holds a text encoder but no tokenizer: pass --tokenizer FOLDER with "
                              f"vocab.json and merges.txt (the tokenizer/ folder of the diffusers release of this "
                              f"model, or of openai/clip-vit-large-patch14)")
    vocab, merges = os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt")
    for f in (vocab, merges):
        if not os.path.isfile(f):
            raise ConversionError(f"--tokenizer {folder}: {os.path.basename(f)} is missing (need vocab.json and "
                                  f"merges.txt)")
    return vocab, merges


class FixedClassUNet(torch.nn.Module):
    """The x4 upscaler's U-Net with its class input (the low-res noise level) fixed: forward(x, t, context) =
    unet(x, t, context, y = noise_level). The manifest records the level on the low_res_image input."""

    def __init__(self, unet: torch.nn.Module, noise_level: int):
        super().__init__()
        self.unet = unet
        self.noise_level = int(noise_level)
        self.in_channels, self.out_channels = unet.in_channels, unet.out_channels
        self.latent_multiple, self.uses_context = unet.latent_multiple, unet.uses_context

    def forward(self, x: torch.Tensor, timesteps: torch.Tensor,
                context: Optional[torch.Tensor] = None) -> torch.Tensor:
        y = torch.full_like(timesteps, self.noise_level, dtype=torch.int64)
        return self.unet(x, timesteps, context, y)


def convert(ckpt: str, config=None, out: str = None, ema: Optional[bool] = None, overwrite: bool = False,
            command: Optional[str] = None, tokenizer: Optional[str] = None, prediction: Optional[str] = None,
            noise_level: int = 0, null_prompt: str = "", license: Optional[str] = None) -> dict:
    """Convert ``ckpt`` (a file or a diffusers folder) into a bundle at ``out``; return the manifest.

    :param config: a name of ``CONFIGS``, a configuration dict (test-sized or custom variants), or None to
        recognise it from the keys. :param ema: None: EMA weights when present; True: required; False: raw.
    :param tokenizer: folder with vocab.json and merges.txt (SD files; a diffusers folder brings its own).
    :param prediction: "eps" or "v", overriding the configuration's (SD 2.x text-to-image is ambiguous).
    :param noise_level: x4 upscaler: the noise level given to the U-Net's class embedding (0..max_noise_level).
    """
    t0 = time.time()
    try:
        src = read_source(ckpt, ema)
    except CheckpointError as e:
        raise ConversionError(str(e)) from e
    if config is None:
        config = detect_config(src, prediction)
        print(f"recognised configuration '{config}' from the keys of {ckpt}", file=sys.stderr)
    cfg = get_config(config)
    cname = config if isinstance(config, str) else cfg.get("name", "custom")
    if prediction is not None:
        cfg["prediction"] = prediction
    if not src.unet:
        raise ConversionError(f"{ckpt} has no '{UNET_PREFIX}*' entries: not a latent diffusion checkpoint")
    with skip_init():
        unet, first_stage, text_encoder = build_unet(cfg), build_first_stage(cfg), build_text_encoder(cfg)
    _load_strict(unet, src.unet, "U-Net (model.diffusion_model.*" + (", EMA" if src.ema else "") + ")", cname)
    _load_strict(first_stage, src.first_stage, "first stage (first_stage_model.*)", cname)
    context = None
    if text_encoder is not None:
        if not src.text:
            raise ConversionError(f"{ckpt} holds no text encoder (cond_stage_model.* or text_encoder/), which "
                                  f"configuration '{cname}' needs")
        t = cfg["text"]
        if src.text_layout == "open_clip" and src.text_source_layers not in (None, t["layers"] + 1):
            raise ConversionError(f"the checkpoint's open_clip text encoder has {src.text_source_layers} layers, "
                                  f"configuration '{cname}' takes the penultimate of {t['layers'] + 1}")
        _load_strict(text_encoder, src.text, "text encoder (cond_stage_model.* / text_encoder/)", cname)
        vocab, merges = _tokenizer_files(src, tokenizer)
        start, end = _vocab_specials(vocab)
        pad = t["pad_token"] if t["pad_token"] != 49407 else end
        context = TextContextSpec(text_encoder, vocab, merges, max_tokens=t["max_tokens"], start_token=start,
                                  end_token=end, pad_token=pad, null_prompt=null_prompt)

    sd_top = src.buffers  # top-level entries of CompVis files: the schedule buffers, scale_factor
    if "betas" in sd_top:
        expected = make_beta_schedule(cfg["schedule"])
        got = sd_top["betas"].double().numpy()
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
            raise ConversionError(f"the checkpoint's betas do not follow configuration '{cname}' "
                                  f"({cfg['schedule']}); is --config right?")
    # a float32 buffer: keep its shortest decimal form (0.18215, not 0.18214999139308929)
    scale = float(str(np.float32(sd_top["scale_factor"].item()))) if "scale_factor" in sd_top else cfg["scale_factor"]
    others = [k for k in src.ignored if k.split(".")[0] not in ("model_ema", "cond_stage_model")
              and k not in SCHEDULE_BUFFERS]
    if others:
        print(f"ignoring {len(others)} checkpoint entries outside the U-Net, first stage and text encoder: "
              + ", ".join(others[:8]) + (" ..." if len(others) > 8 else ""), file=sys.stderr)

    inputs = [dict(i) for i in cfg["inputs"]]
    den = unet
    if "num_classes" in cfg["unet"] and cfg["unet"]["num_classes"] is not None:
        top = cfg.get("max_noise_level", cfg["unet"]["num_classes"] - 1)
        if not 0 <= noise_level <= top:
            raise ConversionError(f"--noise-level {noise_level} is outside 0..{top}")
        den = FixedClassUNet(unet, noise_level)
        for i in inputs:
            if i["name"] == "low_res_image":
                i["noise_level"] = int(noise_level)
    sd_family = cfg.get("family") == "sd"
    key = cfg["denoiser"]
    name = ("" if sd_family else "compvis-") + cname.replace("_", "-") + ("-ema" if src.ema else "")
    flags = (" --raw-weights" if ema is False else "") + (f" --tokenizer {tokenizer}" if tokenizer else "")
    manifest = export_bundle(
        out, autoencoder=first_stage, scale_factor=scale, image_channels=cfg["image_channels"],
        schedule=cfg["schedule"], decode_quantizes=True, overwrite=overwrite, copy_modules=False,
        denoisers={key: DenoiserSpec(den, inputs=inputs, native_size=cfg["native_size"],
                                     prediction=cfg["prediction"], context=context)},
        name=name, description=cfg["description"] + (" (EMA weights)" if src.ema else ""),
        license=license or ("CreativeML Open RAIL-M (SD 1.x) / Open RAIL++-M (SD 2.x): see the model's release"
                            if sd_family else "MIT (CompVis latent-diffusion)"), citation=CITATION,
        data={"training": TRAINING_DATA.get(cname, "see the model's release"), "held_out": []},
        provenance={"command": command or f"python -m ldm_models.convert --ckpt {ckpt} --config {cname} --out {out}"
                                          + flags,
                    "date": datetime.date.today().isoformat(), "software": f"torch {torch.__version__}",
                    "data": f"converted from {os.path.basename(os.path.normpath(ckpt))}"
                            + (f" (sha256 {sha256_file(ckpt)})" if os.path.isfile(ckpt) else " (diffusers folder)")
                            + (", EMA weights" if src.ema else "")})
    print(f"converted in {time.time() - t0:.1f} s", file=sys.stderr)
    return manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ldm_models.convert",
                                 description="Convert a latent-diffusion checkpoint (CompVis or Stable Diffusion "
                                             ".ckpt/.safetensors, or a diffusers folder) into a model bundle.")
    ap.add_argument("--ckpt", required=True, help=".ckpt / .safetensors file or diffusers folder")
    ap.add_argument("--config", help="configuration (default: recognised from the keys); one of "
                                     + ", ".join(sorted(CONFIGS)) + ", or a JSON file with a configuration")
    ap.add_argument("--out", required=True, help="bundle folder to write")
    w = ap.add_mutually_exclusive_group()
    w.add_argument("--ema", action="store_true", help="require the EMA weights (model_ema.*); the default takes "
                                                      "them when present")
    w.add_argument("--raw-weights", action="store_true", help="take the raw U-Net weights, not the EMA ones")
    ap.add_argument("--tokenizer", help="folder with the CLIP tokenizer's vocab.json and merges.txt (SD .ckpt and "
                                        ".safetensors files hold none; a diffusers folder brings tokenizer/)")
    ap.add_argument("--prediction", choices=["eps", "v"], help="override the configuration's prediction (SD 2.x: "
                                                               "sd2 is eps at 512 px, sd2_v is v at 768 px)")
    ap.add_argument("--noise-level", type=int, default=0, help="x4 upscaler: the low-res noise level given to the "
                                                               "U-Net (0..350; default 0: the image is used as is)")
    ap.add_argument("--null-prompt", default="", help="text models: the unconditional prompt (default empty)")
    ap.add_argument("--overwrite", action="store_true", help="replace an existing bundle folder")
    args = ap.parse_args(argv)
    command = "python -m ldm_models.convert " + " ".join(argv if argv is not None else sys.argv[1:])
    config = args.config
    if config is not None and config not in CONFIGS:
        if not os.path.isfile(config):
            print(f"error: --config {config} is neither a known configuration ({', '.join(sorted(CONFIGS))}) nor "
                  f"a JSON file", file=sys.stderr)
            return 2
        with open(config, encoding="utf-8") as f:
            config = json.load(f)
    try:
        manifest = convert(args.ckpt, config, args.out, ema=True if args.ema else (False if args.raw_weights else None),
                           overwrite=args.overwrite, command=command, tokenizer=args.tokenizer,
                           prediction=args.prediction, noise_level=args.noise_level, null_prompt=args.null_prompt)
    except (ConversionError, BundleError, CheckpointError) as e:  # print the reason, not a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({', '.join(manifest['denoisers'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
