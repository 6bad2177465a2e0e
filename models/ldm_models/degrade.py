"""x4 degradation for super-resolution training and evaluation.

The low-resolution conditioning of LDM-SR has the latent's size (image size / f with f = 4). Training uses a light
degradation (a simplification of the paper's "BSR-light"): area averaging or antialiased bicubic downsampling by 4,
then additive Gaussian noise. Evaluation uses :func:`area_down4` without noise, the same operator the consistency
metric applies to the output.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F

FACTOR = 4


def _check(x: torch.Tensor) -> None:
    if x.dim() != 4 or x.shape[-1] % FACTOR or x.shape[-2] % FACTOR:
        raise ValueError(f"expected [N, C, H, W] with H and W multiples of {FACTOR}, got {tuple(x.shape)}")


def area_down4(x: torch.Tensor) -> torch.Tensor:
    """Mean over each 4x4 block: [N, C, H, W] -> [N, C, H/4, W/4]."""
    _check(x)
    return F.avg_pool2d(x, FACTOR)


def bicubic_down4(x: torch.Tensor) -> torch.Tensor:
    """Antialiased bicubic downsampling by 4 (PIL-like): [N, C, H, W] -> [N, C, H/4, W/4]."""
    _check(x)
    h, w = x.shape[-2] // FACTOR, x.shape[-1] // FACTOR
    return F.interpolate(x, size=(h, w), mode="bicubic", align_corners=False, antialias=True)


def bicubic_up4(y: torch.Tensor) -> torch.Tensor:
    """Bicubic upsampling by 4, the baseline super-resolution: [N, C, h, w] -> [N, C, 4h, 4w]."""
    return F.interpolate(y, scale_factor=FACTOR, mode="bicubic", align_corners=False)


def degrade_x4(x: torch.Tensor, generator: Optional[torch.Generator] = None, max_noise: float = 0.03,
               p_bicubic: float = 0.5) -> torch.Tensor:
    """Random training degradation of images in [-1, 1]: [N, C, H, W] -> [N, C, H/4, W/4], clipped to [-1, 1].

    Per sample: bicubic (probability ``p_bicubic``) or area downsampling, then Gaussian noise with a standard
    deviation drawn uniformly from [0, ``max_noise``] (in units of the [-1, 1] range).
    """
    _check(x)
    n = x.shape[0]
    u = torch.rand(n, 1, 1, 1, generator=generator, device="cpu").to(x.device)
    use_bicubic = (u < p_bicubic).to(x.dtype)
    y = use_bicubic * bicubic_down4(x) + (1 - use_bicubic) * area_down4(x)
    sigma = torch.rand(n, 1, 1, 1, generator=generator, device="cpu").to(x.device) * max_noise
    noise = torch.randn(y.shape, generator=generator, device="cpu").to(x.device)
    return (y + sigma * noise).clamp(-1, 1)
