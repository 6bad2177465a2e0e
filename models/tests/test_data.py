"""Data, masks, degradation and metrics of the demo model's training and evaluation."""
import numpy as np
import pytest
import torch

from ldm_models import data, masks, metrics
from ldm_models.degrade import area_down4, bicubic_down4, bicubic_up4, degrade_x4


@pytest.mark.parametrize("kind", data.SYNTHETIC_KINDS)
def test_synthetic_image_is_deterministic_by_seed(kind):
    a, da = data.synthetic_image(123, 64, kind)
    b, db = data.synthetic_image(123, 64, kind)
    c, _ = data.synthetic_image(124, 64, kind)
    assert np.array_equal(a, b) and da == db, "same seed must give the same image"
    assert not np.array_equal(a, c), "different seeds must give different images"
    assert a.shape == (64, 64) and a.dtype in (np.uint8, np.uint16)
    assert da in data.DOMAINS


def test_synthetic_images_cover_8_and_16_bit_and_map_into_model_range():
    dtypes = set()
    for seed in range(40):
        raw, _ = data.synthetic_image(seed, 48)
        dtypes.add(raw.dtype)
        x = data.to_model_range(raw)
        assert x.dtype == np.float32 and x.min() >= -1.0 and x.max() <= 1.0, f"seed {seed} out of [-1, 1]"
        assert x.std() > 0.01, f"seed {seed} gives a nearly constant image"
    assert dtypes == {np.dtype(np.uint8), np.dtype(np.uint16)}


def test_value_mapping_per_dtype():
    assert data.to_model_range(np.array([[0, 255]], np.uint8)).tolist() == [[-1.0, 1.0]]
    v16 = np.linspace(100, 1100, 10000).astype(np.uint16).reshape(100, 100)
    x = data.to_model_range(v16)
    assert x.min() == -1.0 and x.max() == 1.0, "16-bit images are stretched between the 0.1/99.9 percentiles"
    np.testing.assert_allclose(data.from_model_range(data.to_model_range(np.array([[0, 51, 255]], np.uint8))),
                               [[0.0, 0.2, 1.0]], atol=1e-6)


def test_training_stream_never_touches_the_held_out_split(monkeypatch):
    seen_seeds, seen_names = [], []
    real_synth, real_sk = data.synthetic_image, data.skimage_image
    monkeypatch.setattr(data, "synthetic_image", lambda s, *a, **k: (seen_seeds.append(s), real_synth(s, *a, **k))[1])
    monkeypatch.setattr(data, "skimage_image", lambda n: (seen_names.append(n), real_sk(n))[1])
    td = data.TrainingData(seed=0, size=16)

    class ForcedDraws:  # a generator whose draws land in the held-out range first
        draws = iter([950, 999, 900, 5, 1000])

        def integers(self, *a, **k):
            return next(self.draws)
    td.rng = ForcedDraws()
    assert td.training_seed() == 5
    td = data.TrainingData(seed=1, size=16)
    batch, domains = td.batch(64)
    assert batch.shape == (64, 1, 16, 16) and batch.min() >= -1 and batch.max() <= 1
    assert seen_seeds and seen_names, "the stream should mix synthetic and scikit-image samples"
    assert not any(s in data.HELD_OUT_SEEDS for s in seen_seeds)
    assert not set(seen_names) & set(data.HELD_OUT_SKIMAGE)
    assert set(domains) <= set(data.DOMAINS)


def test_training_stream_is_deterministic_by_seed():
    a, _ = data.TrainingData(seed=3, size=16).batch(8)
    b, _ = data.TrainingData(seed=3, size=16).batch(8)
    c, _ = data.TrainingData(seed=4, size=16).batch(8)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_held_out_images_are_the_declared_split():
    imgs = data.held_out_images(size=32, n_synthetic=4, crops_per_skimage=1)
    ids = [i for i, _ in imgs]
    assert len(ids) == 4 + len(data.HELD_OUT_SKIMAGE)
    for i, x in imgs:
        assert x.shape == (32, 32) and -1 <= x.min() and x.max() <= 1
        if i.startswith("synthetic:seed="):
            assert int(i.split("=")[1]) in data.HELD_OUT_SEEDS
        else:
            assert i.split(":")[1].split("[")[0] in data.HELD_OUT_SKIMAGE
    desc = data.data_description()
    assert desc["held_out"] == data.HELD_OUT and "camera" not in desc["training"]


@pytest.mark.parametrize("kind", masks.KINDS)
def test_masks_are_binary_non_empty_and_not_full(kind):
    rng = np.random.default_rng(0)
    for _ in range(20):
        m = masks.random_mask(rng, 48, 64, kind)
        assert m.shape == (48, 64) and set(np.unique(m)) <= {0.0, 1.0}
        assert 0.05 <= m.mean() <= 0.6, f"{kind} mask covers {m.mean():.2f}"


def test_masks_are_deterministic_by_seed():
    a = masks.random_mask(np.random.default_rng(7), 32, 32)
    b = masks.random_mask(np.random.default_rng(7), 32, 32)
    assert np.array_equal(a, b)


def test_degradation_divides_the_size_by_exactly_four():
    x = torch.rand(3, 1, 40, 24) * 2 - 1
    for f in (area_down4, bicubic_down4):
        assert f(x).shape == (3, 1, 10, 6)
    y = degrade_x4(x, generator=torch.Generator().manual_seed(0))
    assert y.shape == (3, 1, 10, 6) and y.min() >= -1 and y.max() <= 1
    assert bicubic_up4(y).shape == x.shape
    with pytest.raises(ValueError, match="multiples of 4"):
        area_down4(torch.zeros(1, 1, 30, 32))


def test_area_downsampling_is_the_block_mean():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    assert float(area_down4(x)) == pytest.approx(7.5)


def test_metrics_behave():
    rng = np.random.default_rng(0)
    img = rng.uniform(-1, 1, (64, 64))
    assert metrics.psnr(img, img) > 100
    assert metrics.psnr(np.zeros((8, 8)), np.full((8, 8), 0.2)) == pytest.approx(20.0)
    assert metrics.ssim(img, img) == pytest.approx(1.0)
    m = np.zeros((64, 64)); m[20:44, 20:44] = 1
    assert metrics.hf_energy_ratio(img, m) == pytest.approx(1.0, abs=0.2), "white noise: same texture everywhere"
    flat_fill = img * (1 - m)
    assert metrics.hf_energy_ratio(flat_fill, m) < 0.1, "a constant fill has no texture"
    smooth = np.tile(np.linspace(-0.5, 0.5, 64), (64, 1))
    seam = smooth + 0.5 * m
    assert metrics.border_gradient_ratio(smooth, m) == pytest.approx(1.0, abs=0.1)
    assert metrics.border_gradient_ratio(seam, m) > 3, "an offset patch must show as a seam"
