"""Write a tiny, randomly initialised greyscale f=4 bundle (KL autoencoder, 3 latent channels) with all
three denoisers (inpaint, superres, unconditional with a label context), for testing bundle loaders
before a trained model exists. Its outputs are meaningless but deterministic (fixed seed).

    cd models && /usr/bin/python3 make_test_bundle.py --out ../build/tiny [--seed 0]
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.autoencoder import AutoencoderKL  # noqa: E402
from ldm_models.export import ContextSpec, DenoiserSpec, export_bundle  # noqa: E402
from ldm_models.tau import ClassEmbedder  # noqa: E402
from ldm_models.unet import UNetModel  # noqa: E402

LABELS = ["fluorescence", "phase", "histology", "natural", "none"]
LATENT = 3


def _randomize_zero_init(module: torch.nn.Module, std: float = 0.02) -> torch.nn.Module:
    """zero_module leaves residual outputs at zero; give them small random weights so every path is exercised."""
    with torch.no_grad():
        for p in module.parameters():
            if p.dim() > 1 and p.abs().max() == 0:
                p.normal_(0.0, std)
    return module


def tiny_unet(in_channels: int, context_dim=None) -> UNetModel:
    return _randomize_zero_init(UNetModel(
        image_size=16, in_channels=in_channels, model_channels=32, out_channels=LATENT, num_res_blocks=1,
        attention_resolutions=[2], channel_mult=[1, 2], num_head_channels=32,
        use_spatial_transformer=context_dim is not None, context_dim=context_dim))


def make(out: str, seed: int = 0, command: str = "") -> dict:
    torch.manual_seed(seed)
    ae = AutoencoderKL(dict(double_z=True, z_channels=LATENT, resolution=64, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), embed_dim=LATENT)
    mask = {"name": "mask", "channels": 1, "resize": "nearest", "range": [-1.0, 1.0]}
    denoisers = {
        "inpaint": DenoiserSpec(tiny_unet(2 * LATENT + 1), native_size=64, inputs=[
            {"name": "noisy_latent", "channels": LATENT}, {"name": "masked_image_latent", "channels": LATENT}, mask]),
        "superres": DenoiserSpec(tiny_unet(LATENT + 1), native_size=64, inputs=[
            {"name": "noisy_latent", "channels": LATENT},
            {"name": "low_res_image", "channels": 1, "range": [-1.0, 1.0]}]),
        "unconditional": DenoiserSpec(tiny_unet(LATENT, context_dim=32), native_size=64,
                                      inputs=[{"name": "noisy_latent", "channels": LATENT}],
                                      context=ContextSpec(ClassEmbedder(32, len(LABELS)), LABELS, "none")),
    }
    return export_bundle(
        out, autoencoder=ae, denoisers=denoisers, scale_factor=1.0, image_channels=1, overwrite=True,
        schedule={"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205, "timesteps": 1000},
        name="tiny-test", description="Tiny randomly initialised greyscale f=4 test bundle (untrained: outputs are "
                                      "meaningless); for testing bundle loaders",
        license="MIT", citation="Rombach et al., High-Resolution Image Synthesis with Latent Diffusion Models, CVPR 2022",
        data={"training": "none (random initialisation)", "held_out": []},
        provenance={"command": command or f"make_test_bundle.py --out {out} --seed {seed}", "seed": seed})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="bundle folder to write (replaced if it exists)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    make(args.out, args.seed, command=" ".join(["make_test_bundle.py"] + (argv or sys.argv[1:])))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
