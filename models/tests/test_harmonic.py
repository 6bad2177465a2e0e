"""ldm_models.harmonic, the Python twin of the plugin's HarmonicFill (same discrete system) and SeamBand."""
import numpy as np
from scipy import ndimage

from ldm_models.harmonic import BAND_WIDTH, band_blend, correct_seam, harmonic_fill


def test_a_linear_ramp_is_reproduced_inside_a_hole_and_unknown_values_are_not_read():
    y, x = np.mgrid[0:48, 0:64]
    ramp = 0.5 * x - 0.25 * y + 3
    hole = ((x - 30) ** 2 + (y - 22) ** 2 < 18 ** 2) | ((y == 40) & (x > 5) & (x < 60))
    given = np.where(hole, np.nan, ramp)
    out = harmonic_fill(given, hole)
    assert np.abs(out - ramp).max() < 1e-9
    assert np.array_equal(out[~hole], ramp[~hole])


def test_no_flux_across_the_image_edge():
    y, x = np.mgrid[0:48, 0:64]
    v = np.where(x < 40, 0.1 * x, 99.0)
    out = harmonic_fill(v, x >= 40)
    assert np.abs(out[x >= 40] - 3.9).max() < 1e-9


def test_seam_correction_removes_a_smooth_decoder_error():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(40, 48))
    y, x = np.mgrid[0:40, 0:48]
    mask = (np.abs(x - 20) < 9) & (np.abs(y - 18) < 12)
    decoded = truth + 0.2 + 0.01 * x - 0.005 * y
    assert np.abs(correct_seam(truth, decoded, mask) - truth)[mask].max() < 1e-9


def test_the_band_blend_takes_a_smooth_departure_out_along_the_border_only():
    """As SeamBandTest: a fill that is the guess plus a constant loses all of it at d = 1, none from d = w + 1 on,
    linearly in between; the known pixels are never touched."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:36, 0:40]
    mask = np.hypot(x - 19.5, y - 17) < 12
    guess = rng.normal(size=mask.shape)
    out = band_blend(guess + 0.75, guess, mask)
    d = ndimage.distance_transform_edt(mask)
    expect = np.where(mask, 0.75 * (1 - np.clip(1 - (d - 1) / BAND_WIDTH, 0, 1)), 0.75)
    assert np.abs(out - guess - expect).max() < 1e-9
    assert (mask & (d <= 1)).any() and (d >= BAND_WIDTH + 1).any()
