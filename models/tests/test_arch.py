"""Architecture: CompVis parameter names/shapes, equations, TorchScript faithfulness."""
import math
import os

import pytest
import torch

from ldm_models.autoencoder import AutoencoderKL, VQModel
from ldm_models.configs import CONFIGS, build_first_stage, build_unet, get_config
from ldm_models.tau import ClassEmbedder
from ldm_models.unet import AttentionBlock, UNetModel, timestep_embedding

DATA = os.path.join(os.path.dirname(__file__), "data")


def read_keys(config):
    """Checkpoint key -> shape, dumped from CompVis's own modules built with the published config."""
    out = {}
    with open(os.path.join(DATA, f"{config}_keys.txt")) as f:
        for line in f:
            k, s = line.rstrip("\n").split("\t")
            out[k] = tuple(int(v) for v in s.split(",") if v)
    return out


@pytest.mark.parametrize("config", sorted(n for n in CONFIGS if "text" not in CONFIGS[n]))  # SD: test_sd_arch.py
def test_parameter_names_and_shapes_equal_compvis(config):
    cfg = get_config(config)
    with torch.no_grad():
        unet, ae = build_unet(cfg), build_first_stage(cfg)
    ours = {"model.diffusion_model." + k: tuple(v.shape) for k, v in unet.state_dict().items()}
    ours.update({"first_stage_model." + k: tuple(v.shape) for k, v in ae.state_dict().items()})
    ref = read_keys(config)
    assert sorted(set(ref) - set(ours)) == [], "parameters the CompVis checkpoint has but the model lacks"
    assert sorted(set(ours) - set(ref)) == [], "parameters the model has but the CompVis checkpoint lacks"
    assert {k: v for k, v in ours.items() if ref[k] != v} == {}, "shapes differ from the checkpoint"


def test_published_sizes():
    # LDM paper / REFERENCE.md: inpainting_big U-Net has 387 M parameters
    n = sum(math.prod(s) for k, s in read_keys("inpainting_big").items() if k.startswith("model.diffusion_model."))
    assert round(n / 1e6) == 387


def test_timestep_embedding_formula():
    t = torch.tensor([0, 7, 999])
    emb = timestep_embedding(t, 8)
    freqs = [10000 ** (-i / 4) for i in range(4)]
    expected = [[math.cos(tt * f) for f in freqs] + [math.sin(tt * f) for f in freqs] for tt in (0, 7, 999)]
    assert torch.allclose(emb, torch.tensor(expected), atol=1e-4)


def test_attention_block_matches_per_head_softmax_attention():
    torch.manual_seed(0)
    blk = AttentionBlock(64, num_heads=2).eval()
    for p in blk.parameters():
        p.data.normal_(0, 0.2)
    x = torch.randn(2, 64, 3, 5)
    with torch.no_grad():
        got = blk(x, torch.zeros(2, 1), None)
        xf = x.reshape(2, 64, 15)
        qkv = blk.qkv(blk.norm(xf)).reshape(2, 2, 3 * 32, 15)   # legacy order: heads first, then q|k|v
        heads = []
        for hd in range(2):
            q, k, v = qkv[:, hd, :32], qkv[:, hd, 32:64], qkv[:, hd, 64:]
            w = torch.softmax(torch.einsum("bct,bcs->bts", q, k) / math.sqrt(32), dim=-1)
            heads.append(torch.einsum("bts,bcs->bct", w, v))
        ref = (xf + blk.proj_out(torch.cat(heads, dim=1))).reshape(2, 64, 3, 5)
    assert torch.allclose(got, ref, atol=1e-5)


def _randomize(m):
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.05)
    return m.eval()


UNET_VARIANTS = {
    "inpaint-like": dict(in_channels=7, num_heads=8, attention_resolutions=[2, 4], resblock_updown=True),
    "sr-like": dict(in_channels=4, num_head_channels=32, attention_resolutions=[4], use_scale_shift_norm=True),
    "context": dict(in_channels=3, num_head_channels=32, attention_resolutions=[2], use_spatial_transformer=True,
                    context_dim=16, transformer_depth=2),
}


@pytest.mark.parametrize("variant", sorted(UNET_VARIANTS))
def test_unet_scripted_equals_eager_at_any_multiple_size(variant):
    kw = UNET_VARIANTS[variant]
    unet = _randomize(UNetModel(16, model_channels=32, out_channels=3, num_res_blocks=1, channel_mult=[1, 2, 2], **kw))
    assert unet.latent_multiple == 4
    scripted = torch.jit.script(unet)
    ctx = torch.randn(2, 1, 16) if kw.get("context_dim") else None
    for h, w in [(8, 12), (16, 4)]:
        x = torch.randn(2, kw["in_channels"], h, w)
        t = torch.tensor([0, 999])
        with torch.no_grad():
            a, b = unet(x, t, ctx), scripted(x, t, ctx)
        assert a.shape == (2, 3, h, w)
        assert (a - b).abs().max() <= 1e-5
        assert a.abs().mean() > 1e-3, "randomised U-Net output should not vanish"


def test_unet_output_depends_on_timestep_and_context():
    unet = _randomize(UNetModel(16, 3, 32, 3, 1, [2], channel_mult=[1, 2], num_head_channels=32,
                                use_spatial_transformer=True, context_dim=8))
    x = torch.randn(1, 3, 8, 8)
    c1, c2 = torch.randn(1, 1, 8), torch.randn(1, 1, 8)
    with torch.no_grad():
        assert not torch.allclose(unet(x, torch.tensor([1]), c1), unet(x, torch.tensor([900]), c1))
        assert not torch.allclose(unet(x, torch.tensor([1]), c1), unet(x, torch.tensor([1]), c2))


DD = dict(z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32, ch_mult=[1, 2, 2], num_res_blocks=1,
          attn_resolutions=[16], dropout=0.0)


def test_kl_autoencoder_shapes_and_posterior():
    ae = _randomize(AutoencoderKL(dict(DD, double_z=True), embed_dim=3))
    x = torch.randn(2, 1, 16, 24)
    with torch.no_grad():
        post = ae.encode(x)
        assert post.mode().shape == (2, 3, 4, 6) and torch.equal(post.mode(), post.mean)
        assert ae.decode(post.mode()).shape == (2, 1, 16, 24)
        assert post.kl().shape == (2,)
        rec, _ = ae(x)
        assert rec.shape == x.shape
    assert ae.downsampling_factor == 4


def test_patch_shortcut_adds_two_linear_paths_beside_compvis_parameters():
    plain = AutoencoderKL(dict(DD, double_z=True), embed_dim=3)
    ae = _randomize(AutoencoderKL(dict(DD, double_z=True), embed_dim=3, patch_shortcut=True))
    extra = set(ae.state_dict()) - set(plain.state_dict())
    assert extra == {"patch_encoder.proj.weight", "patch_encoder.proj.bias", "patch_decoder.proj.weight",
                     "patch_decoder.proj.bias"}
    x, z = torch.randn(2, 1, 16, 24), torch.randn(2, 3, 4, 6)
    with torch.no_grad():
        conv_moments = ae.quant_conv(ae.encoder(x))
        assert torch.allclose(ae.encode(x).mean - conv_moments[:, :3], ae.patch_encoder(x)[:, :3], atol=1e-6)
        assert torch.allclose(ae.decode(z) - ae.decoder(ae.post_quant_conv(z)), ae.patch_decoder(z), atol=1e-6)
        # the linear path of one latent cell reads exactly the f x f patch under it
        cell = ae.patch_encoder(x)[:, :, 1, 2]
        patch = x[:, :, 4:8, 8:12].reshape(2, 16)
        w, b = ae.patch_encoder.proj.weight[:, :, 0, 0], ae.patch_encoder.proj.bias
        assert torch.allclose(cell, patch @ w.T + b, atol=1e-6)


def test_vq_decode_quantizes_through_codebook():
    vq = _randomize(VQModel(dict(DD, double_z=False), n_embed=16, embed_dim=3))
    x = torch.randn(2, 1, 16, 24)
    with torch.no_grad():
        h = vq.encode(x)
        codes = vq.quantize.embedding.weight
        d = ((h.permute(0, 2, 3, 1)[..., None, :] - codes) ** 2).sum(-1)     # [N, h, w, n_embed]
        nearest = codes[d.argmin(-1)].permute(0, 3, 1, 2)
        assert torch.allclose(vq.decode(h), vq.decode(nearest, force_not_quantize=True), atol=1e-6)
        assert not torch.allclose(vq.decode(h), vq.decode(h, force_not_quantize=True), atol=1e-4)
        rec, qloss = vq(x)
        assert rec.shape == x.shape and qloss.item() > 0


@pytest.mark.parametrize("cls", ["kl", "vq"])
def test_autoencoder_parts_script(cls):
    ae = _randomize(AutoencoderKL(dict(DD, double_z=True), 3, patch_shortcut=True) if cls == "kl"
                    else VQModel(dict(DD, double_z=False, attn_type="none"), 16, 3))
    x = torch.randn(1, 1, 16, 16)
    with torch.no_grad():
        assert (torch.jit.script(ae.encoder)(x) - ae.encoder(x)).abs().max() <= 1e-5
        z = torch.randn(1, 3, 4, 4)
        assert (torch.jit.script(ae.decoder)(z) - ae.decoder(z)).abs().max() <= 1e-5


def test_class_embedder():
    tau = ClassEmbedder(embed_dim=8, n_classes=5)
    assert list(tau.state_dict()) == ["embedding.weight"]   # CompVis cond_stage_model.embedding.weight
    c = torch.jit.script(tau)(torch.tensor([4, 0, 4]))
    assert c.shape == (3, 1, 8) and torch.equal(c[0], c[2]) and not torch.equal(c[0], c[1])
