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
import copy

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


def get_config(name: str) -> dict:
    """A deep copy of the named configuration."""
    if name not in CONFIGS:
        raise KeyError(f"unknown configuration '{name}'; known: {', '.join(sorted(CONFIGS))}")
    return copy.deepcopy(CONFIGS[name])


def build_unet(cfg: dict) -> UNetModel:
    return UNetModel(**cfg["unet"])


def build_first_stage(cfg: dict):
    fs = cfg["first_stage"]
    if fs["type"] == "vq":
        return VQModel(fs["ddconfig"], n_embed=fs["n_embed"], embed_dim=fs["embed_dim"])
    return AutoencoderKL(fs["ddconfig"], embed_dim=fs["embed_dim"])
