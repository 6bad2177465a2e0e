#!/usr/bin/python3
"""Put a fine-tuned decoder into an existing bundle, leaving every other part as it is (issue #18).

A decoder fine-tuned with ``train_autoencoder.py --decoder-only`` (or ``train_real.py --decoder-only``) keeps the
encoder, its latents and the scale factor, so the bundle's denoisers stay valid: only ``decoder.pt`` and its
SHA-256 in ``model.json`` change, and the fine-tune is appended to the manifest's provenance. The encoder of the
checkpoint must reproduce the bundle's ``encoder.pt`` (else the latents moved and the denoisers would not fit).
Run from ``models/``::

    /usr/bin/python3 replace_decoder.py --bundle demo --autoencoder ../build/degrid/checkpoints/autoencoder.npz
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.export import BundleError, DecoderPart, _script_save_check, record_edit, sha256_file, \
    tool_command, verify_bundle  # noqa: E402
from train_autoencoder import load_autoencoder  # noqa: E402


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", required=True, help="bundle folder whose decoder.pt is replaced")
    p.add_argument("--autoencoder", required=True, help="checkpoint of train_autoencoder.py --decoder-only")
    p.add_argument("--atol", type=float, default=1e-4, help="largest encoder difference accepted (latent units)")
    args = p.parse_args(argv)
    command = tool_command(__file__, argv)
    manifest = verify_bundle(args.bundle)
    ae_entry = manifest["autoencoder"]
    model, ck = load_autoencoder(args.autoencoder)
    if abs(ck["scale_factor"] - ae_entry["scale_factor"]) > 1e-6 * ae_entry["scale_factor"]:
        raise BundleError(f"{args.autoencoder} has scale factor {ck['scale_factor']}, the bundle "
                          f"{ae_entry['scale_factor']}: only a decoder fine-tuned on the bundle's encoder fits")
    encoder = torch.jit.load(os.path.join(args.bundle, ae_entry["encoder"]["file"]), map_location="cpu")
    x = torch.rand(2, manifest["image"]["channels"], 32, 48, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        moved = float((encoder(x) - model.encode(x).mode()).abs().max())
    if not moved <= args.atol:
        raise BundleError(f"the encoder of {args.autoencoder} differs from {args.bundle}'s encoder.pt by {moved:.3g}: "
                          "the latents moved; fine-tune with --decoder-only from this bundle's autoencoder")
    z = torch.randn(2, ae_entry["latent_channels"], 8, 12, generator=torch.Generator().manual_seed(1))
    path = os.path.join(args.bundle, ae_entry["decoder"]["file"])
    with tempfile.TemporaryDirectory(dir=args.bundle, prefix=".decoder-") as tmp:
        out = os.path.join(tmp, "decoder.pt")
        _script_save_check(DecoderPart(model).eval(), out, (z,), 1e-4)
        os.replace(out, path)
    ae_entry["decoder"]["sha256"] = sha256_file(path)
    psnr = float(ck.get("held_out_psnr", float("nan")))
    prov = manifest.setdefault("provenance", {})
    prov.setdefault("training", []).append({
        "part": "decoder", "command": ck["command"], "seed": ck["seed"], "steps": ck["step"],
        "seconds": round(ck.get("train_seconds", 0)), "device": ck.get("device", "cpu"), "date": ck.get("date", ""),
        "held_out_psnr_db": round(psnr, 2) if psnr == psnr else None, "init": ck["config"].get("init")})
    record_edit(args.bundle, manifest, command)
    print(f"{path}: new decoder ({ck['step']} fine-tuning steps), model.json updated")
    return manifest


if __name__ == "__main__":
    main()
