"""train_real.py: the shipped bundle's parts become training checkpoints that compute what the parts compute."""
import os

import pytest
import torch

import train_demo
import train_real
from train_denoiser import load_denoiser

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(HERE, "demo")


@pytest.fixture(scope="module")
def autoencoder(tmp_path_factory):
    return train_real.autoencoder_from_bundle(DEMO, str(tmp_path_factory.mktemp("ae") / "autoencoder.npz"))


@pytest.mark.parametrize("task,c_in", [("superres", 9), ("inpaint", 17)])
def test_a_padded_denoiser_part_becomes_a_checkpoint_of_the_same_output(autoencoder, tmp_path, task, c_in):
    # the demo's parts take 9 and 17 channels padded with zero channels to 16 and 32 (export.block_padding)
    out = train_real.denoiser_from_bundle(DEMO, task, autoencoder, str(tmp_path / f"{task}.npz"), "/usr/bin/python3",
                                          "cpu")
    unet, _, _ = load_denoiser(out)
    part = torch.jit.load(os.path.join(DEMO, f"{task}.pt"), map_location="cpu")
    x = torch.randn(2, c_in, 16, 16, generator=torch.Generator().manual_seed(0))
    t = torch.tensor([10, 700])
    with torch.no_grad():
        assert torch.allclose(unet(x, t), part(x, t), atol=1e-4)


def test_a_weight_that_is_not_zero_padding_is_refused():
    w = torch.zeros(4, 6, 3, 3)
    assert train_real.unpadded("w", w, (4, 5, 3, 3)).shape == (4, 5, 3, 3)
    w[:, 5] = 1
    with pytest.raises(ValueError, match="padded with zero input channels"):
        train_real.unpadded("w", w, (4, 5, 3, 3))


def test_a_continued_denoiser_keeps_its_crop_and_the_pixels_per_step(autoencoder, tmp_path):
    # the demo's super-resolution was trained last on 128 px crops: continuing it at train_demo.py's 64 px would
    # make the bundle's native_size 64 (its tiles half as wide)
    train_real.denoiser_from_bundle(DEMO, "superres", autoencoder, str(tmp_path / "superres.npz"), "/usr/bin/python3",
                                    "cpu")
    assert train_demo.crop_and_batch(str(tmp_path), "superres", 64, 128) == (128, 32)
    assert train_demo.crop_and_batch(None, "superres", 64, 128) == (64, 128)


def test_the_converted_checkpoints_export_to_a_bundle_of_strict_json(autoencoder, tmp_path):
    # a converted autoencoder has no held-out PSNR: build_demo.py wrote NaN, which Java's strict parser refuses
    import json

    import build_demo
    from ldm_models.export import verify_bundle
    dens = [train_real.denoiser_from_bundle(DEMO, t, autoencoder, str(tmp_path / f"{t}.npz"), "/usr/bin/python3", "cpu")
            for t in ("inpaint", "superres", "unconditional")]
    out = tmp_path / "bundle"
    build_demo.main(["--autoencoder", autoencoder, *sum((["--denoiser", d] for d in dens), []), "--out", str(out)])

    def refuse(name):
        raise ValueError(f"model.json holds {name}")
    json.loads((out / "model.json").read_text(), parse_constant=refuse)
    manifest = verify_bundle(str(out))
    assert manifest["denoisers"]["superres"]["native_size"] == 128
