"""Write the two tiny TorchScript files of the Java half-precision boundary test
(src/test/resources/half/): the same 3x3 convolution + timestep bias in float32 and, as ldm_models/half.py writes
a bfloat16 bundle part, with bfloat16 weights and arithmetic between float32 inputs and outputs.

    cd models && /usr/bin/python3 make_half_fixture.py ../src/test/resources/half
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.half import half_part  # noqa: E402


class ConvWithTimestep(nn.Module):
    """x [N, 2, h, w] float, t [N] int64 -> conv(x) + t/1000, in the weights' type (like a denoiser part)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.conv(x) + (t.to(x.dtype) / 1000.0)[:, None, None, None]


def main(out: str) -> None:
    torch.manual_seed(0)
    m = ConvWithTimestep().eval()
    os.makedirs(out, exist_ok=True)
    full = os.path.join(out, "conv_float32.pt")
    torch.jit.save(torch.jit.script(m), full)
    torch.jit.save(half_part(full, torch.bfloat16, 2), os.path.join(out, "conv_bfloat16.pt"))


if __name__ == "__main__":
    main(sys.argv[1])
