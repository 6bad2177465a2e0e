"""The published CompVis LDM configurations this project can convert.

Values from CompVis latent-diffusion ``models/ldm/inpainting_big/config.yaml`` and
``models/ldm/bsr_sr/config.yaml`` (checked at commit a506df5), and the conditioning layouts of
``scripts/inpaint.py`` (inpainting) and the LDM-SR notebook (super-resolution).

Each entry holds: ``unet`` (UNetModel kwargs), ``first_stage`` (``type``, ``ddconfig``, ``n_embed``,
``embed_dim``), ``scale_factor``, ``schedule`` (manifest form), ``denoiser`` (the manifest key),
``prediction``, ``inputs`` (manifest conditioning layout), ``native_size`` (output pixels),
``image_channels``, ``description``.

    from ldm_models.configs import CONFIGS, build_unet, build_first_stage
"""
import contextlib
import copy

import torch.nn as nn

from .autoencoder import AutoencoderKL, VQModel
from .unet import UNetModel

# VQ-f4 first stage shared by both (vq-f4: 3 latent channels, 8192 codes, no attention in inpainting_big)
_VQ_F4_DDCONFIG = dict(double_z=False, z_channels=3, resolution=256, in_channels=3, out_ch=3, ch=128,
                       ch_mult=[1, 2, 4], num_res_blocks=2, attn_resolutions=[], dropout=0.0)

CONFIGS = {
    "inpainting_big": dict(
        description="CompVis LDM-4 inpainting (inpainting_big): 7-channel concat conditioning, VQ-f4 first stage",
        unet=dict(image_size=64, in_channels=7, out_channels=3, model_channels=256,
                  attention_resolutions=[8, 4, 2], num_res_blocks=2, channel_mult=[1, 2, 3, 4],
                  num_heads=8, resblock_updown=True),
        first_stage=dict(type="vq", n_embed=8192, embed_dim=3,
                         ddconfig=dict(_VQ_F4_DDCONFIG, attn_type="none")),
        scale_factor=1.0,
        schedule=dict(beta_schedule="linear", linear_start=0.0015, linear_end=0.0205, timesteps=1000),
        denoiser="inpaint",
        prediction="eps",
        image_channels=3,
        native_size=256,  # image_size 64 latent x f=4
        inputs=[
            {"name": "noisy_latent", "channels": 3},
            {"name": "masked_image_latent", "channels": 3, "masked_value": -1.0},
            {"name": "mask", "channels": 1, "resize": "nearest", "range": [-1.0, 1.0]},
        ],
    ),
    "bsr_sr": dict(
        description="CompVis LDM-4 x4 super-resolution (bsr_sr, BSR-light degradation): "
                    "low-res image concatenated to the latent, VQ-f4 first stage",
        unet=dict(image_size=64, in_channels=6, out_channels=3, model_channels=160,
                  attention_resolutions=[16, 8], num_res_blocks=2, channel_mult=[1, 2, 2, 4],
                  num_head_channels=32),
        first_stage=dict(type="vq", n_embed=8192, embed_dim=3, ddconfig=dict(_VQ_F4_DDCONFIG)),
        scale_factor=1.0,
        schedule=dict(beta_schedule="linear", linear_start=0.0015, linear_end=0.0155, timesteps=1000),
        denoiser="superres",
        prediction="eps",
        image_channels=3,
        native_size=256,
        inputs=[
            {"name": "noisy_latent", "channels": 3},
            {"name": "low_res_image", "channels": 3, "range": [-1.0, 1.0]},
        ],
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Stable Diffusion (Stability-AI/stablediffusion configs/stable-diffusion/*.yaml at cf1d67a; CompVis/stable-diffusion
# configs/stable-diffusion/v1-inference.yaml; runwayml's v1-inpainting: the v1 U-Net with 9 input channels)
# ---------------------------------------------------------------------------------------------------------------
_KL_F8 = dict(double_z=True, z_channels=4, resolution=256, in_channels=3, out_ch=3, ch=128, ch_mult=[1, 2, 4, 4],
              num_res_blocks=2, attn_resolutions=[], dropout=0.0)
_SD_SCHEDULE = dict(beta_schedule="linear", linear_start=0.00085, linear_end=0.012, timesteps=1000)
_SD1_UNET = dict(image_size=64, in_channels=4, out_channels=4, model_channels=320, attention_resolutions=[4, 2, 1],
                 num_res_blocks=2, channel_mult=[1, 2, 4, 4], num_heads=8, use_spatial_transformer=True,
                 transformer_depth=1, context_dim=768, legacy=False)
_SD2_UNET = dict(image_size=64, in_channels=4, out_channels=4, model_channels=320, attention_resolutions=[4, 2, 1],
                 num_res_blocks=2, channel_mult=[1, 2, 4, 4], num_head_channels=64, use_spatial_transformer=True,
                 use_linear_in_transformer=True, transformer_depth=1, context_dim=1024, legacy=False)
# text encoders: SD 1.x CLIP ViT-L/14 (HF CLIPTextModel, last layer); SD 2.x OpenCLIP ViT-H/14 (penultimate layer)
_CLIP_L = dict(layout="hf", vocab_size=49408, width=768, layers=12, heads=12, max_tokens=77, act="quick_gelu",
               pad_token=49407, source_layers=12)
_OPENCLIP_H = dict(layout="open_clip", vocab_size=49408, width=1024, layers=23, heads=16, max_tokens=77, act="gelu",
                   pad_token=0, source_layers=24)
_SD_INPAINT_INPUTS = [  # LatentInpaintDiffusion / diffusers: cat(z_t, mask, masked-image latent); mask 1 = fill
    {"name": "noisy_latent", "channels": 4},
    {"name": "mask", "channels": 1, "resize": "nearest", "range": [0.0, 1.0]},
    {"name": "masked_image_latent", "channels": 4, "masked_value": 0.0},  # image·(mask < 0.5) in [-1, 1]
]
_SD_CITATION = "Rombach, Blattmann, Lorenz, Esser, Ommer: High-Resolution Image Synthesis with Latent Diffusion " \
               "Models, CVPR 2022 (Stable Diffusion)"


def _sd(description, unet, text, denoiser, inputs, prediction="eps", native_size=512, first_stage=None,
        scale_factor=0.18215, schedule=None, **extra):
    return dict(description=description, unet=unet, text=text, denoiser=denoiser, inputs=inputs,
                prediction=prediction, native_size=native_size, image_channels=3,
                first_stage=first_stage or dict(type="kl", embed_dim=4, ddconfig=dict(_KL_F8)),
                scale_factor=scale_factor, schedule=dict(schedule or _SD_SCHEDULE), family="sd", **extra)


CONFIGS.update({
    "sd1": _sd("Stable Diffusion 1.x text-to-image (CLIP ViT-L/14 text encoder, KL-f8 autoencoder)",
               dict(_SD1_UNET), dict(_CLIP_L), "unconditional", [{"name": "noisy_latent", "channels": 4}]),
    "sd1_inpainting": _sd("Stable Diffusion 1.x inpainting: 9-channel U-Net [z_t, mask, masked-image latent]",
                          dict(_SD1_UNET, in_channels=9), dict(_CLIP_L), "inpaint", _SD_INPAINT_INPUTS),
    "sd2": _sd("Stable Diffusion 2.x base text-to-image, eps-prediction, 512 px (OpenCLIP ViT-H/14 text encoder)",
               dict(_SD2_UNET), dict(_OPENCLIP_H), "unconditional", [{"name": "noisy_latent", "channels": 4}]),
    "sd2_v": _sd("Stable Diffusion 2.x text-to-image, v-prediction, 768 px (OpenCLIP ViT-H/14 text encoder)",
                 dict(_SD2_UNET, image_size=96), dict(_OPENCLIP_H), "unconditional",
                 [{"name": "noisy_latent", "channels": 4}], prediction="v", native_size=768),
    "sd2_inpainting": _sd("Stable Diffusion 2.x inpainting: 9-channel U-Net [z_t, mask, masked-image latent]",
                          dict(_SD2_UNET, in_channels=9), dict(_OPENCLIP_H), "inpaint", _SD_INPAINT_INPUTS),
    # x4 upscaler: low-res image at the latent's size concatenated to z_t; noise_level (a timestep of the
    # low-res augmentation schedule, linear 1e-4..2e-2, at most 350) enters through label_emb (class labels)
    "sd2_x4_upscaler": _sd(
        "Stable Diffusion x4 upscaler: low-res RGB image concatenated to the latent, v-prediction, KL-f4 autoencoder",
        dict(image_size=128, in_channels=7, out_channels=4, model_channels=256, attention_resolutions=[2, 4, 8],
             num_res_blocks=2, channel_mult=[1, 2, 2, 4], disable_self_attentions=[True, True, True, False],
             disable_middle_self_attn=False, num_heads=8, use_spatial_transformer=True, transformer_depth=1,
             context_dim=1024, legacy=False, use_linear_in_transformer=True, num_classes=1000),
        dict(_OPENCLIP_H), "superres",
        [{"name": "noisy_latent", "channels": 4}, {"name": "low_res_image", "channels": 3, "range": [-1.0, 1.0]}],
        prediction="v", native_size=512, scale_factor=0.08333,
        first_stage=dict(type="kl", embed_dim=4, ddconfig=dict(_KL_F8, ch_mult=[1, 2, 4])),
        schedule=dict(beta_schedule="linear", linear_start=0.0001, linear_end=0.02, timesteps=1000),
        max_noise_level=350),
})


def get_config(name) -> dict:
    """A deep copy of the named configuration (a dict is copied as is: custom or test-sized variants)."""
    if isinstance(name, dict):
        return copy.deepcopy(name)
    if name not in CONFIGS:
        raise KeyError(f"unknown configuration '{name}'; known: {', '.join(sorted(CONFIGS))}")
    return copy.deepcopy(CONFIGS[name])


def build_unet(cfg: dict) -> UNetModel:
    return UNetModel(**cfg["unet"])


def build_text_encoder(cfg: dict):
    """The CLIP text encoder of an SD configuration (None for the CompVis ones)."""
    from .clip_text import CLIPTextEncoder
    t = cfg.get("text")
    if t is None:
        return None
    return CLIPTextEncoder(vocab_size=t["vocab_size"], width=t["width"], layers=t["layers"], heads=t["heads"],
                           max_tokens=t["max_tokens"], act=t["act"])


def build_first_stage(cfg: dict):
    fs = cfg["first_stage"]
    if fs["type"] == "vq":
        return VQModel(fs["ddconfig"], n_embed=fs["n_embed"], embed_dim=fs["embed_dim"])
    return AutoencoderKL(fs["ddconfig"], embed_dim=fs["embed_dim"])


@contextlib.contextmanager
def skip_init():
    """Build modules without initialising their weights (``reset_parameters`` does nothing): the parameters are
    left as ``torch.empty`` allocations, which the operating system backs with memory only when written. Used to
    build a model whose weights are about to be loaded (no time spent on random initialisation), and to check the
    parameter names and shapes of full-size models without touching gigabytes."""
    classes = [nn.Linear, nn.Embedding, nn.LayerNorm, nn.GroupNorm, nn.modules.conv._ConvNd]
    saved = [c.reset_parameters for c in classes]
    try:
        for c in classes:
            c.reset_parameters = lambda self: None
        yield
    finally:
        for c, f in zip(classes, saved):
            c.reset_parameters = f
