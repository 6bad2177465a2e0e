"""The same Stable Diffusion weights as a .ckpt, a .safetensors file and a diffusers folder convert to the same
bundle; SD bundles carry the text context of the agreed manifest schema."""
import json
import os
import sys

import pytest
import torch

from ldm_models import convert
from ldm_models.export import verify_bundle
from ldm_models.sd_keys import read_source

from test_ckpt_io import write_safetensors

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS)
import make_sd_test_bundle as msb  # noqa: E402

# ----------------------------------------------------------------------------------------------------------------
# diffusers layout, written here from diffusers' naming (UNet2DConditionModel, AutoencoderKL, CLIPTextModel)
# ----------------------------------------------------------------------------------------------------------------
RES = {"in_layers.0": "norm1", "in_layers.2": "conv1", "emb_layers.1": "time_emb_proj", "out_layers.0": "norm2",
       "out_layers.3": "conv2", "skip_connection": "conv_shortcut"}


def _res(rest):
    for a, b in RES.items():
        if rest.startswith(a + "."):
            return b + rest[len(a):]
    raise KeyError(rest)


def to_diffusers_unet(name, nr):
    head = {"time_embed.0.": "time_embedding.linear_1.", "time_embed.2.": "time_embedding.linear_2.",
            "label_emb.": "class_embedding.", "input_blocks.0.0.": "conv_in.", "out.0.": "conv_norm_out.",
            "out.2.": "conv_out."}
    for a, b in head.items():
        if name.startswith(a):
            return b + name[len(a):]
    if name.startswith("middle_block."):
        _, layer, rest = name.split(".", 2)
        return f"mid_block.resnets.{int(layer) // 2}.{_res(rest)}" if layer != "1" else f"mid_block.attentions.0.{rest}"
    part, n, layer, rest = name.split(".", 3)
    n, layer = int(n), int(layer)
    if part == "input_blocks":
        i, j = (n - 1) // (nr + 1), (n - 1) % (nr + 1)
        if j == nr:  # the downsampler closing level i
            return f"down_blocks.{i}.downsamplers.0.conv.{rest[len('op.'):]}"
        return f"down_blocks.{i}.resnets.{j}.{_res(rest)}" if layer == 0 else f"down_blocks.{i}.attentions.{j}.{rest}"
    i, j = n // (nr + 1), n % (nr + 1)
    if layer == 0:
        return f"up_blocks.{i}.resnets.{j}.{_res(rest)}"
    if rest.startswith("conv."):
        return f"up_blocks.{i}.upsamplers.0.{rest}"
    return f"up_blocks.{i}.attentions.{j}.{rest}"


def to_diffusers_vae(name, levels):
    attn = {"norm": "group_norm", "q": "to_q", "k": "to_k", "v": "to_v", "proj_out": "to_out.0"}
    parts = name.split(".")
    side = parts[0]
    if side not in ("encoder", "decoder"):
        return name
    if parts[1] == "norm_out":
        return f"{side}.conv_norm_out.{parts[2]}"
    if parts[1] in ("down", "up"):
        i = int(parts[2]) if parts[1] == "down" else levels - 1 - int(parts[2])
        blocks = f"{side}.{parts[1]}_blocks.{i}"
        if parts[3] == "block":
            return f"{blocks}.resnets.{parts[4]}." + ".".join(parts[5:]).replace("nin_shortcut", "conv_shortcut")
        return f"{blocks}.{parts[3]}rs.0.conv.{parts[-1]}"  # downsample -> downsamplers, upsample -> upsamplers
    if parts[1] == "mid":
        if parts[2].startswith("block_"):
            return f"{side}.mid_block.resnets.{int(parts[2][-1]) - 1}." + ".".join(parts[3:]).replace(
                "nin_shortcut", "conv_shortcut")
        return f"{side}.mid_block.attentions.0.{attn[parts[3]]}.{parts[4]}"
    return name


def write_diffusers_folder(folder, src, cfg, text_sd, tokenizer_dir, prediction_type):
    nr = cfg["unet"]["num_res_blocks"]
    levels = len(cfg["unet"]["channel_mult"])
    os.makedirs(folder)
    unet = {to_diffusers_unet(k, nr): v for k, v in src.unet.items()}
    up_types = ["CrossAttnUpBlock2D" if any(k.startswith(f"up_blocks.{i}.attentions.") for k in unet)
                else "UpBlock2D" for i in range(levels)]
    vae = {}
    for k, v in src.first_stage.items():
        d = to_diffusers_vae(k, len(cfg["first_stage"]["ddconfig"]["ch_mult"]))
        vae[d] = v.reshape(v.shape[:2]) if ".attentions.0.to_" in d and d.endswith("weight") else v
    ch = cfg["first_stage"]["ddconfig"]
    for sub, sd, conf, fname in (
            ("unet", unet, {"layers_per_block": nr, "up_block_types": up_types,
                            "in_channels": cfg["unet"]["in_channels"]}, "diffusion_pytorch_model.safetensors"),
            ("vae", vae, {"block_out_channels": [ch["ch"] * m for m in ch["ch_mult"]]},
             "diffusion_pytorch_model.safetensors"),
            ("text_encoder", text_sd, {"num_hidden_layers": cfg["text"]["layers"]}, "model.safetensors")):
        os.makedirs(os.path.join(folder, sub))
        with open(os.path.join(folder, sub, "config.json"), "w") as f:
            json.dump(conf, f)
        write_safetensors(os.path.join(folder, sub, fname), {k: v.contiguous() for k, v in sd.items()})
    os.makedirs(os.path.join(folder, "scheduler"))
    with open(os.path.join(folder, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump({"prediction_type": prediction_type}, f)
    msb.write_toy_tokenizer(os.path.join(folder, "tokenizer"))


def _params(bundle, file):
    """A TorchScript part's parameters (not its buffers: the text encoder's position ids are no weights)."""
    return dict(torch.jit.load(os.path.join(bundle, file)).named_parameters())


@pytest.mark.parametrize("config", ["sd1_inpainting", "sd2_x4_upscaler"])
def test_ckpt_safetensors_and_diffusers_folder_give_the_same_bundle(config, tmp_path):
    tok = str(tmp_path / "tokenizer")
    n_vocab = msb.write_toy_tokenizer(tok)
    cfg = msb.tiny_config(config, n_vocab)
    sd = msb.fake_checkpoint_state_dict(cfg, seed=5)
    ckpt, st = str(tmp_path / "m.ckpt"), str(tmp_path / "m.safetensors")
    torch.save({"state_dict": sd}, ckpt)
    write_safetensors(st, {k: v.contiguous() for k, v in sd.items()})
    a, b = read_source(ckpt), read_source(st)
    for part in ("unet", "first_stage", "text"):
        pa, pb = getattr(a, part), getattr(b, part)
        assert set(pa) == set(pb) and all(torch.equal(pa[k], pb[k]) for k in pa), part

    folder = str(tmp_path / "diffusers")
    write_diffusers_folder(folder, a, cfg, a.text, tok, "v_prediction" if cfg["prediction"] == "v" else "epsilon")
    c = read_source(folder)
    assert c.kind == "diffusers" and c.tokenizer_dir == os.path.join(folder, "tokenizer")
    assert convert.detect_config(c) == config
    for part in ("unet", "first_stage", "text"):
        pa, pc = getattr(a, part), getattr(c, part)
        assert sorted(pa) == sorted(pc), part
        assert all(torch.equal(pa[k], pc[k]) for k in pa), part

    out = str(tmp_path / "from_diffusers")
    m = convert.convert(folder, cfg, out)
    verify_bundle(out)
    d = next(iter(m["denoisers"].values()))
    assert d["prediction"] == cfg["prediction"] and d["inputs"] == [dict(i, **({"noise_level": 0} if
                                                                               i["name"] == "low_res_image" else {}))
                                                                      for i in cfg["inputs"]]
    # every tensor of the .ckpt is in the bundle, under its name
    seen = set()
    for f, part, prefixes in (("encoder.pt", a.first_stage, [""]), ("decoder.pt", a.first_stage, [""]),
                              (d["file"], a.unet, ["unet.unet.", "unet."]), ("text_encoder.pt", a.text, [""])):
        for k, v in _params(out, f).items():
            name = next(k[len(p):] for p in prefixes if k.startswith(p))
            if v.dim() == 4 and v.shape[1] > part[name].shape[1]:  # an input convolution padded to whole blocks
                v, zeros = v[:, :part[name].shape[1]], v[:, part[name].shape[1]:]
                assert not zeros.any(), (f, k)
            assert torch.equal(v, part[name]), (f, k)
            seen.add((id(part), name))
    assert seen == {(id(p), k) for p in (a.unet, a.first_stage, a.text) for k in p}


def test_sd_bundles_follow_the_text_context_schema(tmp_path):
    m = msb.make(str(tmp_path / "inpaint"), "sd1_inpainting")
    d = m["denoisers"]["inpaint"]
    assert [i["name"] for i in d["inputs"]] == ["noisy_latent", "mask", "masked_image_latent"]
    assert d["inputs"][1]["range"] == [0.0, 1.0] and d["inputs"][2]["masked_value"] == 0.0
    ctx = d["context"]
    assert ctx["tokens"] == 77 and ctx["dim"] == 32 and ctx["null_prompt"] == ""
    t = ctx["text"]
    assert t["tokenizer"] == "clip-bpe" and t["max_tokens"] == 77 and t["lowercase"] is True
    with open(tmp_path / "inpaint" / t["vocab"]["file"], encoding="utf-8") as f:
        vocab = json.load(f)
    assert t["start_token"] == vocab["<|startoftext|>"] and t["end_token"] == vocab["<|endoftext|>"]
    assert t["pad_token"] == t["end_token"]  # SD 1.x (HF CLIP) pads with the end token
    with open(tmp_path / "inpaint" / t["merges"]["file"], encoding="utf-8") as f:
        assert f.readline().startswith("#version")
    enc = torch.jit.load(str(tmp_path / "inpaint" / ctx["encoder"]["file"]))
    ids = torch.full((2, 77), t["pad_token"], dtype=torch.int64)
    ids[:, 0] = t["start_token"]
    assert tuple(enc(ids).shape) == (2, 77, 32)
    assert m["autoencoder"]["scale_factor"] == 0.18215 and m["autoencoder"]["downsampling_factor"] == 8
    assert m["schedule"] == {"beta_schedule": "linear", "linear_start": 0.00085, "linear_end": 0.012,
                             "timesteps": 1000}
    (tmp_path / "inpaint" / "tokenizer" / "merges.txt").write_text("#version: 0.2\n")
    with pytest.raises(Exception, match="merges"):
        verify_bundle(str(tmp_path / "inpaint"))


def test_upscaler_noise_level_is_fixed_in_the_denoiser_and_recorded(tmp_path):
    m = msb.make(str(tmp_path / "x4"), "sd2_x4_upscaler", noise_level=20)
    d = m["denoisers"]["superres"]
    low = [i for i in d["inputs"] if i["name"] == "low_res_image"][0]
    assert low == {"name": "low_res_image", "channels": 3, "range": [-1.0, 1.0], "noise_level": 20}
    assert d["prediction"] == "v" and m["autoencoder"]["downsampling_factor"] == 4
    assert d["context"]["text"]["pad_token"] == 0  # open_clip pads with 0
    den = torch.jit.load(str(tmp_path / "x4" / "superres.pt"))
    emb = dict(den.named_parameters())["unet.unet.label_emb.weight"]  # class embedding: one row per noise level
    x, t, c = torch.randn(1, 7, 8, 8), torch.tensor([500]), torch.randn(1, 77, 32)
    with torch.no_grad():
        out = den(x, t, c)
        emb[0] += 1.0
        assert torch.equal(den(x, t, c), out)  # row 0 is not read
        emb[0] -= 1.0
        emb[20] += 1.0
        assert not torch.allclose(den(x, t, c), out)  # row 20 is
    with pytest.raises(convert.ConversionError, match="outside 0..350"):
        msb.make(str(tmp_path / "bad"), "sd2_x4_upscaler", noise_level=351)
