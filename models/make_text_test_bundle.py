"""Write a tiny, randomly initialised greyscale f=4 bundle whose three denoisers (inpaint, superres, unconditional)
are conditioned on text through a CLIP-tokenized context (manifest "text" contexts, models/README.md), for testing
the Java tokenizer, text conditioning and classifier-free guidance end to end without a real Stable Diffusion file.
Its outputs are meaningless but deterministic (fixed seed).

The context encoder is not CLIP's transformer but a stand-in with the same interface, small enough to commit:
token ids int64 [N, 77] -> [N, 77, 32], an embedding of (id mod 257) plus a position embedding through a linear
layer, so that different prompts give different contexts. The tokenizer files are CLIP's (vocab.json, merges.txt
as Stable Diffusion ships them); they are not written here but copied in by the tests from the gzipped test
resources (src/test/resources/org/ldmfiji/model/clip, made by tools/clip_tokenizer_golden.py), whose SHA-256 the
manifest records.

    cd models && /usr/bin/python3 make_text_test_bundle.py --out ../src/test/resources/org/ldmfiji/model/text-bundle \
        --tokenizer ../src/test/resources/org/ldmfiji/model/clip
"""
import argparse
import gzip
import hashlib
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.autoencoder import AutoencoderKL  # noqa: E402
from ldm_models.export import ContextSpec, DenoiserSpec, export_bundle, sha256_file  # noqa: E402
from ldm_models.tau import ClassEmbedder  # noqa: E402
from ldm_models.unet import UNetModel  # noqa: E402
from make_test_bundle import LATENT, _randomize_zero_init  # noqa: E402

MAX_TOKENS, DIM, BUCKETS = 77, 32, 257
START, END = 49406, 49407
NULL_PROMPT = ""


def small_unet(in_channels: int) -> UNetModel:
    """Two levels of 32 channels, a spatial transformer (cross-attention to the text context) in the lower: 1.5 MB."""
    return _randomize_zero_init(UNetModel(
        image_size=16, in_channels=in_channels, model_channels=32, out_channels=LATENT, num_res_blocks=1,
        attention_resolutions=[2], channel_mult=[1, 1], num_head_channels=32, use_spatial_transformer=True,
        context_dim=DIM))


class TinyTextEncoder(nn.Module):
    """ids int64 [N, tokens] -> [N, tokens, dim]: a hashed token embedding plus positions, mixed by a linear layer."""

    def __init__(self, tokens: int, dim: int, buckets: int):
        super().__init__()
        self.buckets = buckets
        self.token = nn.Embedding(buckets, dim)
        self.position = nn.Parameter(torch.randn(tokens, dim) * 0.5)
        self.mix = nn.Linear(dim, dim)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.mix(torch.tanh(self.token(torch.remainder(ids, self.buckets)) + self.position))


def _gunzip_sha256(path: str) -> str:
    with gzip.open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make(out: str, tokenizer: str, seed: int = 0, command: str = "") -> dict:
    torch.manual_seed(seed)
    ae = AutoencoderKL(dict(double_z=True, z_channels=LATENT, resolution=64, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 1, 1], num_res_blocks=1, attn_resolutions=[], dropout=0.0), embed_dim=LATENT)
    mask = {"name": "mask", "channels": 1, "resize": "nearest", "range": [-1.0, 1.0]}
    # exported first with one-label contexts (the exporter's label path scripts the U-Nets with a context argument),
    # then each label encoder is replaced by the text encoder and the manifest's context by a text context
    labels = ContextSpec(ClassEmbedder(DIM, 1), ["none"], "none")
    denoisers = {
        "inpaint": DenoiserSpec(small_unet(2 * LATENT + 1), native_size=64, context=labels, inputs=[
            {"name": "noisy_latent", "channels": LATENT}, {"name": "masked_image_latent", "channels": LATENT}, mask]),
        "superres": DenoiserSpec(small_unet(LATENT + 1), native_size=64, context=labels, inputs=[
            {"name": "noisy_latent", "channels": LATENT},
            {"name": "low_res_image", "channels": 1, "range": [-1.0, 1.0]}]),
        "unconditional": DenoiserSpec(small_unet(LATENT), native_size=64, context=labels,
                                      inputs=[{"name": "noisy_latent", "channels": LATENT}]),
    }
    manifest = export_bundle(
        out, autoencoder=ae, denoisers=denoisers, scale_factor=1.0, image_channels=1, overwrite=True,
        schedule={"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205, "timesteps": 1000},
        name="tiny-text-test", description="Tiny randomly initialised greyscale f=4 test bundle conditioned on text "
                                           "(CLIP tokenizer, stand-in text encoder; untrained: outputs are meaningless)",
        license="MIT", citation="Rombach et al., High-Resolution Image Synthesis with Latent Diffusion Models, CVPR 2022",
        data={"training": "none (random initialisation)", "held_out": []},
        provenance={"command": command or f"make_text_test_bundle.py --out {out} --seed {seed}", "seed": seed})

    encoder = torch.jit.script(TinyTextEncoder(MAX_TOKENS, DIM, BUCKETS).eval())
    vocab_sha = _gunzip_sha256(os.path.join(tokenizer, "vocab.json.gz"))
    merges_sha = _gunzip_sha256(os.path.join(tokenizer, "merges.txt.gz"))
    for key, entry in manifest["denoisers"].items():
        tau = entry["context"]["encoder"]["file"]
        torch.jit.save(encoder, os.path.join(out, tau))
        with torch.no_grad():
            c = encoder(torch.full((2, MAX_TOKENS), END, dtype=torch.int64))
        assert tuple(c.shape) == (2, MAX_TOKENS, DIM), c.shape
        entry["context"] = {
            "encoder": {"file": tau, "sha256": sha256_file(os.path.join(out, tau))},
            "text": {
                "tokenizer": "clip-bpe",
                "vocab": {"file": "tokenizer/vocab.json", "sha256": vocab_sha},
                "merges": {"file": "tokenizer/merges.txt", "sha256": merges_sha},
                "max_tokens": MAX_TOKENS, "start_token": START, "end_token": END, "pad_token": END, "lowercase": True,
            },
            "null_prompt": NULL_PROMPT, "tokens": MAX_TOKENS, "dim": DIM,
        }
    with open(os.path.join(out, "model.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="bundle folder to write (replaced if it exists)")
    ap.add_argument("--tokenizer", required=True, help="folder with vocab.json.gz and merges.txt.gz")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    make(args.out, args.tokenizer, args.seed,
         command=" ".join(["make_text_test_bundle.py"] + (argv or sys.argv[1:])))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
