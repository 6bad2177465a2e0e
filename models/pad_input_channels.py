#!/usr/bin/python3
"""Pad the inputs of an existing bundle's denoisers to whole blocks of 16 channels, as export.py now does.

libtorch 2.7.1's oneDNN, which the plugin runs on the CPU, computes a convolution whose input has more channels than
one of its blocks (16 on AVX-512, 8 on AVX2), not a whole number of blocks, wrongly (ldm_models/export.py
``CHANNEL_BLOCK``; OneDnnPadding.java). A denoiser exported before the exporter padded such inputs (the demo's
inpainting U-Net takes 8 + 8 + 1 = 17, its super-resolution 8 + 1 = 9) gets zero channels appended inside its part
and the matching zero columns in its input convolution: the same function, checked on random inputs against the
part as it was. The manifest's inputs do not change. Run from ``models/``::

    /usr/bin/python3 pad_input_channels.py --bundle demo
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.export import BundleError, ContextDenoiserPart, DenoiserPart, _script_save_check, block_padding, \
    pad_input_convolution, record_edit, sha256_file, tool_command, verify_bundle  # noqa: E402


def pad_part(path: str, entry: dict, atol: float) -> bool:
    """Rewrites the denoiser part at ``path`` (manifest ``entry``) with its input padded; False when it needs none."""
    c_in = sum(int(i["channels"]) for i in entry["inputs"])
    pad = block_padding(c_in)
    if pad == 0 or getattr(torch.jit.load(path, map_location="cpu"), "pad", 0):
        return False
    before = torch.jit.load(path, map_location="cpu").eval()
    unet = torch.jit.load(path, map_location="cpu").unet
    pad_input_convolution(unet, c_in, pad)
    lm = int(entry["latent_multiple"])
    gen = torch.Generator().manual_seed(0)
    example = (torch.randn(2, c_in, 2 * lm, 3 * lm, generator=gen), torch.tensor([3, 700]))
    if "context" in entry:
        example += (torch.randn(2, int(entry["context"]["tokens"]), int(entry["context"]["dim"]), generator=gen),)
    part = ContextDenoiserPart(unet, pad) if "context" in entry else DenoiserPart(unet, pad)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(path), prefix=".pad-") as tmp:
        out = os.path.join(tmp, os.path.basename(path))
        padded = _script_save_check(part, out, example, atol)
        with torch.no_grad():
            diff = float((before(*example) - padded).abs().max())
        if not diff <= atol:
            raise BundleError(f"{path}: the padded part differs from the original by {diff:.3g}")
        os.replace(out, path)
    return True


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", required=True, help="bundle folder whose denoisers are padded")
    p.add_argument("--atol", type=float, default=1e-4, help="largest output difference accepted")
    args = p.parse_args(argv)
    command = tool_command(__file__, argv)
    manifest = verify_bundle(args.bundle)
    padded = []
    for key, entry in manifest["denoisers"].items():
        path = os.path.join(args.bundle, entry["file"])
        if pad_part(path, entry, args.atol):
            entry["sha256"] = sha256_file(path)
            padded.append(key)
    if padded:
        record_edit(args.bundle, manifest, command)
    print(f"{args.bundle}: padded {padded or 'nothing (every denoiser input is a multiple of 16 or at most 8)'}")
    return manifest


if __name__ == "__main__":
    main()
