"""The measures of the real-image evaluation (evaluate_real.py, issue #18) must see what a person sees."""
import numpy as np
from scipy import ndimage

from ldm_models import metrics


def smooth_image(size=128, seed=0):
    rng = np.random.default_rng(seed)
    return ndimage.gaussian_filter(rng.standard_normal((size, size)), 3.0, mode="wrap")


def test_grid_ratio_sees_block_replication():
    # a 32 px image enlarged by repeating each pixel 4 x 4 times: all change sits on the 4-px grid
    low = smooth_image(32)
    blocky = np.kron(low, np.ones((4, 4)))
    assert metrics.grid_ratio(blocky) > 1.05
    assert metrics.grid_ratio(blocky) > 10


def test_grid_ratio_of_a_smooth_image_is_one():
    assert abs(metrics.grid_ratio(smooth_image()) - 1.0) < 0.03


def test_grid_ratio_sees_a_residual_added_per_block():
    # the artefact of issue #18: a smooth image plus a constant per 4 x 4 block (steps at every block border)
    rng = np.random.default_rng(1)
    x = smooth_image()
    steps = np.kron(rng.standard_normal((32, 32)) * 0.2 * x.std(), np.ones((4, 4)))
    assert metrics.grid_ratio(x + steps) > 1.05


def test_grid_ratio_of_colour_uses_all_channels():
    low = smooth_image(32)
    rgb = np.stack([np.kron(low, np.ones((4, 4)))] * 3, -1)
    assert metrics.grid_ratio(rgb) > 1.05


def test_texture_ratio_of_a_flat_fill_on_noise_is_small():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((128, 128)) * 0.2
    mask = np.zeros((128, 128))
    mask[40:90, 30:100] = 1
    flat = x.copy()
    flat[mask > 0] = x[mask == 0].mean()
    assert metrics.hf_energy_ratio(flat, mask) < 0.1
    # the same noise level inside is about 1
    assert 0.8 < metrics.hf_energy_ratio(x, mask) < 1.25
