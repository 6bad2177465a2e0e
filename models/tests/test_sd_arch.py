"""Stable Diffusion configurations: full-size parameter names and shapes equal the published checkpoints' (key
lists generated from the public reference code, tests/data/README.md), recognised from the keys; the U-Net's SD 2
additions and the CLIP text encoder compute what they should."""
import math
import os

import pytest
import torch

from ldm_models.clip_text import CLIPTextEncoder
from ldm_models.configs import build_first_stage, build_text_encoder, build_unet, get_config, skip_init
from ldm_models.convert import detect_config
from ldm_models.sd_keys import split_compvis
from ldm_models.unet import SpatialTransformer

from test_arch import read_keys

SD = ["sd1", "sd1_inpainting", "sd2", "sd2_v", "sd2_inpainting", "sd2_x4_upscaler"]
# published keys the converter does not use, and why
UNUSED = {
    "hf": {"cond_stage_model.transformer.text_model.embeddings.position_ids"},   # a buffer: positions 0..76
    "open_clip": {"cond_stage_model.model.text_projection", "cond_stage_model.model.logit_scale"}  # pooled output
}


def _shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


@pytest.mark.parametrize("config", SD)
def test_full_size_names_and_shapes_equal_published_checkpoint(config):
    cfg = get_config(config)
    ref = read_keys(config)
    # the converter's own path over a checkpoint with the published keys (meta tensors: shapes only, no memory)
    src = split_compvis({k: torch.empty(s, device="meta") for k, s in ref.items()}, config)
    with skip_init():
        unet, ae, text = build_unet(cfg), build_first_stage(cfg), build_text_encoder(cfg)
    assert {k: tuple(v.shape) for k, v in src.unet.items()} == _shapes(unet)
    assert {k: tuple(v.shape) for k, v in src.first_stage.items()} == _shapes(ae)
    assert {k: tuple(v.shape) for k, v in src.text.items()} == _shapes(text)
    unused = set(UNUSED[cfg["text"]["layout"]])
    if cfg["text"]["layout"] == "open_clip":  # SD 2.x runs the penultimate layer: the last is unused
        unused |= {k for k in ref if k.startswith("cond_stage_model.model.transformer.resblocks.23.")}
    assert set(src.ignored) == unused
    assert detect_config(src, prediction="eps" if config == "sd2" else None) == config


def test_published_sizes():
    """Parameter counts of the released models: SD 1.x U-Net 859.5 M, SD 2.x 865.9 M, x4 upscaler 473.4 M; the
    CLIP ViT-L/14 text encoder 123.1 M."""
    def count(config, prefix):
        return sum(math.prod(s) for k, s in read_keys(config).items() if k.startswith(prefix))
    assert round(count("sd1", "model.diffusion_model.") / 1e5) == 8595
    assert round(count("sd2", "model.diffusion_model.") / 1e5) == 8659
    assert round(count("sd2_x4_upscaler", "model.diffusion_model.") / 1e5) == 4734
    assert round(count("sd1", "cond_stage_model.") / 1e5) == 1231


def test_linear_spatial_transformer_equals_convolutional_one():
    """SD 2's Linear proj_in/proj_out are SD 1's 1x1 convolutions applied per token: same weights, same output."""
    torch.manual_seed(0)
    conv = SpatialTransformer(64, 2, 32, context_dim=16).eval()
    lin = SpatialTransformer(64, 2, 32, context_dim=16, use_linear=True).eval()
    sd = {k: v.reshape(v.shape[:2]) if k.startswith("proj_") and k.endswith("weight") else v
          for k, v in conv.state_dict().items()}
    sd["proj_out.weight"] = torch.randn(64, 64) * 0.1
    lin.load_state_dict(sd)
    conv.proj_out.weight.data = sd["proj_out.weight"][:, :, None, None]
    x, ctx = torch.randn(2, 64, 3, 5), torch.randn(2, 7, 16)
    with torch.no_grad():
        assert torch.allclose(lin(x, torch.zeros(2, 1), ctx), conv(x, torch.zeros(2, 1), ctx), atol=1e-5)


def test_disable_self_attn_attends_to_the_context():
    torch.manual_seed(0)
    st = SpatialTransformer(32, 1, 32, context_dim=8, disable_self_attn=True, use_linear=True).eval()
    torch.nn.init.normal_(st.proj_out.weight, std=0.1)
    x = torch.randn(1, 32, 2, 2)
    with torch.no_grad():
        a = st(x, torch.zeros(1, 1), torch.randn(1, 3, 8))
        b = st(x, torch.zeros(1, 1), torch.randn(1, 3, 8))
    assert st.transformer_blocks[0].attn1.to_k.weight.shape == (32, 8)
    assert not torch.allclose(a, b)


def test_clip_text_encoder_is_causal_and_matches_attention_formula():
    torch.manual_seed(0)
    enc = CLIPTextEncoder(vocab_size=50, width=16, layers=1, heads=2, max_tokens=6).eval()
    ids = torch.randint(0, 50, (1, 6))
    ids2 = ids.clone()
    ids2[0, 4:] = (ids[0, 4:] + 1) % 50
    with torch.no_grad():
        a, b = enc(ids), enc(ids2)
    assert torch.allclose(a[:, :4], b[:, :4]) and not torch.allclose(a[:, 4:], b[:, 4:])  # later tokens unseen
    # one layer by hand: x + attn(ln1 x), + mlp(ln2 x) with quick-GELU, then final layer norm
    tm = enc.text_model
    with torch.no_grad():
        x = tm.embeddings.token_embedding(ids) + tm.embeddings.position_embedding.weight[None]
        L = tm.encoder.layers[0]
        h = L.layer_norm1(x)
        q, k, v = (p(h).reshape(1, 6, 2, 8).transpose(1, 2) for p in (L.self_attn.q_proj, L.self_attn.k_proj,
                                                                        L.self_attn.v_proj))
        s = q @ k.transpose(2, 3) / math.sqrt(8)
        s = s.masked_fill(torch.ones(6, 6, dtype=torch.bool).triu(1), float("-inf"))
        x = x + L.self_attn.out_proj((s.softmax(-1) @ v).transpose(1, 2).reshape(1, 6, 16))
        m = L.mlp.fc1(L.layer_norm2(x))
        x = x + L.mlp.fc2(m * torch.sigmoid(1.702 * m))
        assert torch.allclose(tm.final_layer_norm(x), a, atol=1e-5)
