"""The k x k patch decoder and its least-squares fit (tools/fit_patch_decoder.py; issue #18, the 4-px grid)."""
import os
import sys

import pytest
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
from fit_patch_decoder import neighbourhoods, normal_equations, solve  # noqa: E402
from ldm_models.autoencoder import PatchDecoder  # noqa: E402
from ldm_models.metrics import grid_ratio  # noqa: E402


def test_a_k_by_k_patch_decoder_reads_the_neighbouring_cells_and_a_1_by_1_one_does_not():
    z = torch.randn(1, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    moved = z.clone()
    moved[0, :, 2, 3] += 1.0  # one cell changes
    for k, reach in ((1, 0), (3, 1), (5, 2)):
        dec = PatchDecoder(3, 1, 4, k)
        torch.nn.init.normal_(dec.proj.weight)
        with torch.no_grad():
            d = (dec(moved) - dec(z)).abs()[0, 0]
        changed = (F.max_pool2d(d[None, None], 4)[0, 0] > 0).nonzero().tolist()
        assert changed and all(abs(r - 2) <= reach and abs(c - 3) <= reach for r, c in changed), (k, changed)
        assert [2 + reach, 3 + reach] in changed and [2 - reach, 3 - reach] in changed
    with pytest.raises(ValueError):
        PatchDecoder(3, 1, 4, 2)


def test_neighbourhoods_are_in_the_order_of_a_convolution_weight():
    z = torch.randn(2, 3, 5, 7, generator=torch.Generator().manual_seed(1))
    dec = PatchDecoder(3, 1, 4, 3)
    with torch.no_grad():
        w = dec.proj.weight.reshape(16, -1)
        by_hand = neighbourhoods(z, 3) @ w.T + dec.proj.bias
        assert torch.allclose(by_hand, F.pixel_unshuffle(dec(z), 4).permute(0, 2, 3, 1).reshape(-1, 16), atol=1e-5)


def _blocky_problem():
    """Latents of smooth random images (a 1 x 1 linear code of each 4 x 4 block) and the blocks themselves."""
    g = torch.Generator().manual_seed(2)
    x = F.interpolate(torch.randn(24, 1, 6, 6, generator=g), size=(32, 32), mode="bicubic", align_corners=False)
    t = F.pixel_unshuffle(x, 4)  # [N, 16, 8, 8]
    z = t[:, :3] + t[:, 5:8] * 0.5  # a lossy code: 3 numbers per 16-pixel block
    return z, t, x


def test_the_fit_without_border_term_is_ordinary_least_squares():
    z, t, _ = _blocky_problem()
    eq = normal_equations(z, t, 3, 4)
    w = solve(eq, 3, 3, 4, 0.0, 0.0)
    a = torch.cat([neighbourhoods(z, 3), torch.ones(z.shape[0] * 64, 1)], 1).double()
    ref = torch.linalg.lstsq(a, t.permute(0, 2, 3, 1).reshape(-1, 16).double()).solution.T
    assert torch.allclose(w, ref, atol=1e-6)


def test_the_border_term_pulls_the_block_steps_down_at_some_cost_in_error():
    z, t, x = _blocky_problem()
    eq = normal_equations(z, t, 3, 4)
    decoded = {}
    for lam in (0.0, 1.0):
        w = solve(eq, 3, 3, 4, 0.0, lam, step_target=0.0)
        dec = PatchDecoder(3, 1, 4, 3)
        with torch.no_grad():
            dec.proj.weight.copy_(w[:, :-1].reshape(16, 3, 3, 3).float())
            dec.proj.bias.copy_(w[:, -1].float())
            decoded[lam] = dec(z)
    err = {k: float(((v - x) ** 2).mean()) for k, v in decoded.items()}
    grid = {k: sum(grid_ratio(r[0].numpy()) for r in v) / len(v) for k, v in decoded.items()}
    assert grid[1.0] < 0.8 * grid[0.0], grid
    assert err[1.0] > err[0.0], err
