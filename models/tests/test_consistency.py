"""ldm_models.consistency, the Python twin of the plugin's task/Consistency (same system, same golden values)."""
import numpy as np

from ldm_models.consistency import (_convolve, _replicate, blockwise, grid_ratio, least_gradient, project,
                                    spline_kernel)

# Java: ConsistencyTest.agreesWithThePythonTwin (same input, same values)
GOLDEN = {(0, 0): -1.0968927597356493, (5, 7): -0.06021886413129594, (15, 19): 0.4822619685392251,
          (8, 3): 1.204349684417561}


def _twin_input():
    yy, xx = np.mgrid[0:16, 0:20]
    j, i = np.mgrid[0:4, 0:5]
    return np.sin(0.9 * yy + 0.4 * xx), 0.1 * j - 0.2 * i + 0.05 * j * i


def _down(x, f=4):
    h, w = x.shape[-2:]
    return x.reshape(x.shape[:-2] + (h // f, f, w // f, f)).mean(axis=(-3, -1))


def test_the_golden_values_java_checks_too():
    x, y = _twin_input()
    out = project(x, y)
    for (r, c), v in GOLDEN.items():
        assert abs(out[r, c] - v) < 1e-9, (r, c, out[r, c], v)


def test_exact_and_never_further_from_a_consistent_image_in_the_smooth_norm():
    """c = K R lambda; for z = x' + K v consistent (A K v = 0): ||x - z||^2_K+ = ||x' - z||^2_K+ + ||c||^2_K+."""
    rng = np.random.default_rng(3)
    h, w, f = 16, 12, 4
    k = spline_kernel(f)
    K = np.stack([_convolve(e.reshape(h, w), k).ravel() for e in np.eye(h * w)], axis=1)
    R = np.stack([_replicate(e.reshape(h // f, w // f), f).ravel() for e in np.eye(h * w // f // f)], axis=1)
    A = R.T / (f * f)
    assert np.allclose(K, K.T) and np.linalg.eigvalsh(K).min() > -1e-12  # symmetric positive semi-definite
    G = A @ K @ R
    for _ in range(4):
        truth, x = rng.normal(size=(h, w)), rng.normal(size=(h, w))
        y = _down(truth)
        out = project(x, y)
        assert np.abs(_down(out) - y).max() < 1e-12
        lam = np.linalg.solve(G, (y - _down(x)).ravel())
        c = K @ R @ lam
        assert np.abs((out - x).ravel() - c).max() < 1e-5  # the correction is K R lambda
        norm = lambda u: float(u @ K @ u)  # ||K u||^2 in the K+ norm
        for s in range(4):
            u = rng.normal(size=h * w)
            v = s * (u - R @ np.linalg.solve(G, A @ K @ u))  # A K v = 0: z = x' + K v is consistent too
            z = out.ravel() + K @ v
            assert np.abs(A @ z - y.ravel()).max() < 1e-9
            before, now = norm(R @ lam + v), norm(v)  # x - z = -K (R lam + v), x' - z = -K v
            assert now <= before
            assert abs(before - now - norm(R @ lam)) < 1e-6 * before


def test_a_smooth_estimate_gets_no_block_steps():
    yy, xx = np.mgrid[0:80, 0:96]
    truth = 0.4 * np.sin(xx / 9) + 0.3 * np.cos(yy / 13)
    estimate = 0.4 * np.sin(xx / 9 + 0.3) + 0.3 * np.cos(yy / 13 - 0.6)
    out = project(estimate, _down(truth))
    assert grid_ratio(out) <= 1.05 * grid_ratio(truth)
    assert grid_ratio(blockwise(estimate, _down(truth))) > 1.3  # what the old back-projection left


def test_a_bicubic_like_estimate_keeps_a_lower_grid_than_the_least_gradient_step():
    """Rough content: an estimate that misses the fine texture of the truth (its block means' residual varies from
    block to block); the smooth basis adds less border gradient than the least-gradient correction."""
    rng = np.random.default_rng(5)
    yy, xx = np.mgrid[0:96, 0:96]
    truth = np.sin(xx / 7) * np.cos(yy / 5) + 0.5 * _convolve(rng.normal(size=(96, 96)), np.ones(3) / 3)
    estimate = _convolve(_replicate(_down(truth), 4), spline_kernel(4))
    smooth, gradient = project(estimate, _down(truth)), least_gradient(estimate, _down(truth))
    assert grid_ratio(smooth) < grid_ratio(gradient) - 0.05, (grid_ratio(smooth), grid_ratio(gradient))
    assert grid_ratio(smooth) < 1.05 * grid_ratio(truth) + 0.15
