"""CompVis checkpoint conversion, on fake checkpoints with the published parameter names and shapes."""
import os

import numpy as np
import pytest
import torch

from ldm_models import convert
from ldm_models.configs import get_config
from ldm_models.export import BundleError, verify_bundle

from test_arch import read_keys

BASE = 1 << 20


def _view(base, shape, offset):
    """A distinct, cheap 'random' tensor: a strided view into one shared random storage, so the fake
    checkpoint stores ~4 MB however big the model is."""
    strides = [(7, 5, 3, 1)[4 - len(shape) + i] for i in range(len(shape))]
    return base.as_strided(shape, strides, offset)


def fake_checkpoint(config, path, ema=False, drop=None, seed=0):
    """A CompVis-layout checkpoint: U-Net, first stage, schedule buffers, a duplicate cond stage,
    optionally EMA copies (names without dots). Returns {checkpoint key: tensor}."""
    g = torch.Generator().manual_seed(seed)
    base = torch.randn(BASE, generator=g) * 0.03   # trained-weight scale: activations stay finite
    rng = np.random.default_rng(seed)
    sd = {}
    for k, shape in read_keys(config).items():
        sd[k] = _view(base, shape, int(rng.integers(0, BASE - 20000)))
        if ema and k.startswith("model.diffusion_model."):
            sd["model_ema." + k[len("model."):].replace(".", "")] = _view(base, shape, int(rng.integers(0, BASE - 20000)))
        if config == "inpainting_big" and k.startswith("first_stage_model."):
            sd["cond_stage_model." + k[len("first_stage_model."):]] = sd[k]   # __is_first_stage__
    betas = convert.make_beta_schedule(get_config(config)["schedule"])
    sd["betas"] = torch.tensor(betas, dtype=torch.float32)
    sd["alphas_cumprod"] = torch.tensor(np.cumprod(1 - betas), dtype=torch.float32)
    if ema:
        sd["model_ema.decay"], sd["model_ema.num_updates"] = torch.tensor(0.9999), torch.tensor(1000)
    if drop:
        del sd[drop]
    torch.save({"state_dict": sd, "global_step": 1}, path)
    return sd


def _bundle_param(bundle, file, name):
    return torch.jit.load(os.path.join(bundle, file)).state_dict()[name]


@pytest.mark.parametrize("config", ["bsr_sr", "inpainting_big"])
def test_convert_published_layout(config, tmp_path):
    ckpt = str(tmp_path / "fake.ckpt")
    sd = fake_checkpoint(config, ckpt)
    out = str(tmp_path / "bundle")
    assert convert.main(["--ckpt", ckpt, "--config", config, "--out", out]) == 0
    m = verify_bundle(out)
    cfg = get_config(config)
    key = cfg["denoiser"]
    assert list(m["denoisers"]) == [key]
    d = m["denoisers"][key]
    assert d["inputs"] == cfg["inputs"] and sum(i["channels"] for i in d["inputs"]) == cfg["unet"]["in_channels"]
    assert d["latent_multiple"] == 8 and d["native_size"] == 256
    assert m["schedule"] == cfg["schedule"]
    assert m["autoencoder"]["type"] == "vq" and m["autoencoder"]["decode_quantizes"] is True
    assert m["autoencoder"]["downsampling_factor"] == 4 and m["image"]["channels"] == 3
    assert "--config " + config in m["provenance"]["command"]
    # the weights landed under the right names
    w = "input_blocks.1.0.in_layers.2.weight"
    assert torch.equal(_bundle_param(out, d["file"], "unet." + w), sd["model.diffusion_model." + w])
    assert torch.equal(_bundle_param(out, "decoder.pt", "quantize.embedding.weight"),
                       sd["first_stage_model.quantize.embedding.weight"])
    assert torch.equal(_bundle_param(out, "encoder.pt", "encoder.conv_in.weight"),
                       sd["first_stage_model.encoder.conv_in.weight"])
    with open(os.path.join(out, "decoder.pt"), "r+b") as f:
        f.seek(64)
        f.write(b"\0\0\0\0")
    with pytest.raises(BundleError, match="decoder.pt"):
        verify_bundle(out)


def test_convert_ema_takes_ema_weights(tmp_path):
    ckpt = str(tmp_path / "fake.ckpt")
    sd = fake_checkpoint("bsr_sr", ckpt, ema=True)
    out = str(tmp_path / "bundle")
    m = convert.convert(ckpt, "bsr_sr", out, ema=True)
    verify_bundle(out)
    w = "middle_block.1.qkv.weight"
    got = _bundle_param(out, "superres.pt", "unet." + w)
    assert torch.equal(got, sd["model_ema.diffusion_modelmiddle_block1qkvweight"])
    assert not torch.equal(got, sd["model.diffusion_model." + w])
    assert m["name"].endswith("-ema")


def test_convert_refuses_missing_key_wrong_config_and_missing_ema(tmp_path, capsys):
    ckpt = str(tmp_path / "fake.ckpt")
    fake_checkpoint("bsr_sr", ckpt, drop="model.diffusion_model.out.2.weight")
    with pytest.raises(convert.ConversionError, match=r"missing 1: out\.2\.weight"):
        convert.convert(ckpt, "bsr_sr", str(tmp_path / "a"))
    fake_checkpoint("bsr_sr", ckpt)
    with pytest.raises(convert.ConversionError, match="does not match configuration 'inpainting_big'"):
        convert.convert(ckpt, "inpainting_big", str(tmp_path / "b"))
    assert convert.main(["--ckpt", ckpt, "--config", "bsr_sr", "--out", str(tmp_path / "c"), "--ema"]) == 2
    assert "no EMA weights" in capsys.readouterr().err
    assert not any(os.path.exists(tmp_path / n) for n in "abc")


def test_beta_schedule_matches_compvis_linear():
    b = convert.make_beta_schedule({"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205,
                                    "timesteps": 1000})
    assert b.dtype == np.float64 and len(b) == 1000
    assert b[0] == pytest.approx(0.0015) and b[-1] == pytest.approx(0.0205)
    assert np.allclose(np.sqrt(b), np.linspace(np.sqrt(0.0015), np.sqrt(0.0205), 1000))
