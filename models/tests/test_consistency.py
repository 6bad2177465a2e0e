"""ldm_models.consistency, the Python twin of the plugin's task/Consistency (same system, same golden values)."""
import numpy as np

from ldm_models.consistency import blockwise, grid_ratio, project

# Java: ConsistencyTest.agreesWithThePythonTwin (same input, same values)
GOLDEN = {(0, 0): -0.8184809595117775, (5, 7): 0.09215420290058067, (15, 19): 0.6215299611034779,
          (8, 3): 1.1056380886922512}


def _twin_input():
    yy, xx = np.mgrid[0:16, 0:20]
    j, i = np.mgrid[0:4, 0:5]
    return np.sin(0.9 * yy + 0.4 * xx), 0.1 * j - 0.2 * i + 0.05 * j * i


def _down(x, f=4):
    h, w = x.shape[-2:]
    return x.reshape(x.shape[:-2] + (h // f, f, w // f, f)).mean(axis=(-3, -1))


def _grad_energy(u):
    return float(np.sum(np.diff(u, axis=-1) ** 2) + np.sum(np.diff(u, axis=-2) ** 2))


def test_the_golden_values_java_checks_too():
    x, y = _twin_input()
    out = project(x, y)
    for (r, c), v in GOLDEN.items():
        assert abs(out[r, c] - v) < 1e-9, (r, c, out[r, c], v)


def test_exact_and_never_further_from_a_consistent_image_in_the_gradient_norm():
    rng = np.random.default_rng(3)
    for _ in range(4):
        truth, x = rng.normal(size=(2, 32, 28)), rng.normal(size=(2, 32, 28))
        y = _down(truth)
        out = project(x, y)
        assert np.abs(_down(out) - y).max() < 1e-12
        moved = _grad_energy(out - x)
        for k in range(4):
            wiggle = rng.normal(size=truth.shape)
            z = truth + k * (wiggle - np.repeat(np.repeat(_down(wiggle), 4, -2), 4, -1))
            before, now = _grad_energy(x - z), _grad_energy(out - z)
            assert now <= before
            assert abs(before - moved - now) < 1e-4 * before
        assert moved < _grad_energy(blockwise(x, y) - x)


def test_a_smooth_estimate_gets_no_block_steps():
    yy, xx = np.mgrid[0:80, 0:96]
    truth = 0.4 * np.sin(xx / 9) + 0.3 * np.cos(yy / 13)
    estimate = 0.4 * np.sin(xx / 9 + 0.3) + 0.3 * np.cos(yy / 13 - 0.6)
    out = project(estimate, _down(truth))
    assert grid_ratio(out) <= 1.05 * grid_ratio(truth)
    assert grid_ratio(blockwise(estimate, _down(truth))) > 1.3  # what the old back-projection left
