"""Write the tiny TorchScript file of the Java oneDNN padding test (src/test/resources/onednn/): one 3x3
convolution from 17 input channels, the count of the demo inpainting U-Net's first convolution (8 noisy-latent
+ 8 masked-image-latent + 1 mask channels), which oneDNN computes in its 16-channel blocked layout with 15 padding
channels (OneDnnPadding.java).

    cd models && /usr/bin/python3 make_padding_fixture.py ../src/test/resources/onednn
"""
import os
import sys

import torch
from torch import nn


def main(out: str) -> None:
    torch.manual_seed(0)
    os.makedirs(out, exist_ok=True)
    torch.jit.save(torch.jit.script(nn.Conv2d(17, 8, 3, padding=1).eval()), os.path.join(out, "conv17.pt"))


if __name__ == "__main__":
    main(sys.argv[1])
