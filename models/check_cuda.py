#!/usr/bin/python3
"""Run every TorchScript part of a bundle on the CPU and on a CUDA GPU and compare the outputs.

The exporter promises that nothing device-specific is baked into the files; this is the check on real hardware
(run it where ``torch.cuda.is_available()``; the files may come from an older PyTorch, e.g. Debian's 1.13)::

    python3 check_cuda.py --bundle demo

Inputs are seeded random tensors shaped from the manifest at twice the native size, and every denoiser is also
run with its context from the tau encoder when it has one. Exit status 1 if any part differs by more than
``--tolerance`` (max |cpu − cuda| relative to max |cpu|), or if there is no GPU.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch


def compare(name: str, part_cpu, part_gpu, inputs: list, tolerance: float) -> bool:
    with torch.no_grad():
        ref = part_cpu(*inputs)
        got = part_gpu(*[i.cuda() for i in inputs])
    if got.device.type != "cuda":
        print(f"FAIL {name}: output on {got.device}, not on the GPU")
        return False
    err = float((ref - got.cpu()).abs().max()) / max(float(ref.abs().max()), 1e-12)
    ok = err <= tolerance
    print(f"{'ok  ' if ok else 'FAIL'} {name}: output {tuple(got.shape)}, relative max difference {err:.2e}")
    return ok


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", required=True)
    p.add_argument("--tolerance", type=float, default=1e-4, help="relative (float32 on both; summation orders differ)")
    args = p.parse_args(argv)
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 1
    # PyTorch lets cuDNN use TF32 (10-bit mantissa) by default; the Java pipeline's float32 is what we compare
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
    with open(os.path.join(args.bundle, "model.json"), encoding="utf-8") as f:
        m = json.load(f)

    def load(file: str):
        path = os.path.join(args.bundle, file)
        return torch.jit.load(path, map_location="cpu").eval(), torch.jit.load(path, map_location="cuda").eval()

    g = torch.Generator().manual_seed(0)
    ae, f, c = m["autoencoder"], m["autoencoder"]["downsampling_factor"], m["autoencoder"]["latent_channels"]
    side = 2 * max(d["native_size"] for d in m["denoisers"].values())
    ok = compare("encoder", *load(ae["encoder"]["file"]),
                 [torch.rand(1, m["image"]["channels"], side, side, generator=g) * 2 - 1], args.tolerance)
    ok &= compare("decoder", *load(ae["decoder"]["file"]),
                  [torch.randn(1, c, side // f, side // f, generator=g)], args.tolerance)
    for task, d in m["denoisers"].items():
        s = 2 * d["native_size"] // f
        x = torch.randn(2, sum(i["channels"] for i in d["inputs"]), s, s, generator=g)
        t = torch.tensor([10, 900])
        inputs = [x, t]
        if "context" in d:
            tau = load(d["context"]["encoder"]["file"])
            labels = torch.tensor([0, len(d["context"]["labels"]) - 1])
            ok &= compare(f"{task} tau", *tau, [labels], args.tolerance)
            inputs.append(tau[0](labels))
        ok &= compare(task, *load(d["file"]), inputs, args.tolerance)
    print("all parts agree on CPU and CUDA" if ok else "some parts differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
