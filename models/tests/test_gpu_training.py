"""The pieces that let the demo model train on a GPU machine and come back: portable checkpoints, the device-side
image pool, continuing a run (--init), v-prediction and its conversion to eps."""
import os

import numpy as np
import pytest
import torch

import evaluate
import train_autoencoder
import train_denoiser
from ldm_models.checkpoint import load_checkpoint, save_checkpoint
from ldm_models.data import HELD_OUT_SKIMAGE, LABELS, TrainingData
from ldm_models.pool import PoolBatches, build_pool


def test_portable_checkpoint_round_trip_without_pickle(tmp_path):
    sd = {"w": torch.randn(3, 4), "b": torch.arange(5, dtype=torch.float32)}
    payload = {"kind": "denoiser", "unet_ema": sd, "unet": sd, "optimizer": {"state": {}}, "step": 7,
               "config": {"inputs": [{"name": "noisy_latent", "channels": 8}], "tau": None}, "scale_factor": 0.3}
    path = str(tmp_path / "c.npz")
    save_checkpoint(path, payload)
    with np.load(path, allow_pickle=False) as f:  # loads with pickle disabled: no code, no torch version
        assert sorted(f.files) == ["__meta__", "unet_ema/b", "unet_ema/w"]
    back = load_checkpoint(path)
    assert all(torch.equal(back["unet_ema"][k], sd[k]) for k in sd)
    assert back["step"] == 7 and back["config"] == payload["config"] and back["scale_factor"] == 0.3
    assert "optimizer" not in back and "unet" not in back, "portable files hold only what export needs"


def test_portable_autoencoder_and_denoiser_load_like_torch_ones(tmp_path):
    ae = str(tmp_path / "ae.npz")
    train_autoencoder.main(["--out", ae, "--steps", "1", "--batch", "2", "--crop", "16", "--ch", "32",
                            "--warmup", "1", "--threads", "1", "--eval-size", "32", "--embed-dim", "8"])
    model, ck = train_autoencoder.load_autoencoder(ae)
    assert model.embed_dim == 8 and ck["scale_factor"] > 0
    den = str(tmp_path / "superres.npz")
    train_denoiser.main(["--task", "superres", "--autoencoder", ae, "--out", den, "--steps", "1", "--batch", "2",
                         "--crop", "16", "--threads", "1"])
    unet, _, ck = train_denoiser.load_denoiser(den)
    assert ck["config"]["prediction"] == "v" and ck["config"]["latent_channels"] == 8
    # continuing the run starts from its EMA weights, also on crops of another size (the net is convolutional)
    again = str(tmp_path / "again.npz")
    train_denoiser.main(["--task", "superres", "--autoencoder", ae, "--out", again, "--steps", "0", "--batch", "2",
                         "--crop", "32", "--threads", "1", "--init", den])
    unet2, _, ck2 = train_denoiser.load_denoiser(again)
    assert ck2["config"]["init"]["steps"] == 1 and ck2["config"]["native_size"] == 32
    assert all(torch.equal(a, b) for a, b in zip(unet.state_dict().values(), unet2.state_dict().values()))
    with pytest.raises(ValueError, match="another task"):
        train_denoiser.main(["--task", "inpaint", "--autoencoder", ae, "--out", str(tmp_path / "x.npz"),
                             "--steps", "0", "--crop", "16", "--threads", "1", "--init", den])


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("pool") / "pool.npz")
    build_pool(path, 70, 32, seed=3, mask_size=32, workers=1)
    return path


def test_pool_renders_training_images_and_masks(pool):
    with np.load(pool) as f:
        images, labels, masks = f["images"], f["labels"], f["masks"]
    assert images.shape == (70, 32, 32) and masks.shape == (70, 32, 32) and labels.shape == (70,)
    assert images.min() >= -1 and images.max() <= 1 and images.std() > 0.05
    assert set(np.unique(masks)) <= {0, 1} and 0 < masks.mean() < 1
    assert set(labels) <= set(range(len(LABELS) - 1)), "pool images carry a domain label, never the null label"


def test_pool_batches_are_crops_of_pool_images_in_one_of_eight_symmetries(pool):
    data = PoolBatches(pool, crop=16, device="cpu", seed=0)
    x, domains = data.batch(6)
    assert x.shape == (6, 1, 16, 16) and x.dtype == torch.float32 and len(domains) == 6
    images = data.images.float()
    for crop in x[:, 0]:
        variants = [torch.rot90(c, k, (0, 1)) for c in (crop, crop.flip(-1)) for k in range(4)]
        found = any(bool((images.unfold(1, 16, 1).unfold(2, 16, 1) == v).all(-1).all(-1).any()) for v in variants)
        assert found, "every crop must be a rotated/flipped window of a pool image"
    m = data.mask_batch(4)
    assert m.shape == (4, 1, 32, 32) and set(m.unique().tolist()) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="larger than the pool"):
        PoolBatches(pool, crop=64, device="cpu", seed=0)


def test_training_stream_refuses_held_out_images():
    with pytest.raises(ValueError, match="held-out"):
        TrainingData(seed=0, size=32, skimage_names=[HELD_OUT_SKIMAGE[0]])


def test_v_prediction_converts_to_the_exact_eps():
    """A net that returns the true v = α·eps − σ·z0 must come out of as_eps_predictor as the true eps."""
    ac = train_denoiser.alphas_cumprod({"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205,
                                        "timesteps": 1000}).float()
    z0, eps, t = torch.randn(3, 4, 5, 5), torch.randn(3, 4, 5, 5), torch.tensor([0, 500, 999])
    a = ac[t].view(-1, 1, 1, 1)
    zt = a.sqrt() * z0 + (1 - a).sqrt() * eps
    cond = torch.randn(3, 2, 5, 5)
    v = a.sqrt() * eps - (1 - a).sqrt() * z0
    net = lambda x, tt: v  # noqa: E731
    got = evaluate.as_eps_predictor(net, "v", ac, 4)(torch.cat([zt, cond], 1), t)
    assert torch.allclose(got, eps, atol=1e-5)
    assert evaluate.as_eps_predictor(net, "eps", ac, 4) is net
