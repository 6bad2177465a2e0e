"""Half-precision variant of a bundle (issue 22): every TorchScript part cast to float16 or bfloat16, the manifest
declaring ``"dtype"`` (models/README.md). Each part is wrapped so that it still takes and returns float32 (the casts
are inside the TorchScript file): the loaders and the sampling loop stay float32, and DJL, which cannot hold bfloat16
tensors, never sees one.

    cd models && /usr/bin/python3 -m ldm_models.half SRC_BUNDLE OUT_DIR --dtype bfloat16 [--device cpu|cuda]

Parts must have been exported from code that follows its weights' type (the U-Net casts its float32 timestep
sinusoid to the input's type since this change; bundles exported before it fail the check below and must be
exported again). Each part is compared with the float32 original on random inputs of the manifest's shapes; the
largest difference relative to the output's value range is written to the manifest's provenance and must stay
below ``rtol``. float16 convolutions need a GPU in PyTorch 1.13 (CPU has no Half conv2d): check with --device cuda.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
from typing import Dict, List, Tuple

import torch
from torch import nn

from .export import BundleError, sha256_file, verify_bundle, write_manifest

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16}


def _examples(manifest: dict, gen: torch.Generator) -> Dict[str, Tuple[torch.Tensor, ...]]:
    """Random inputs for every part, at the smallest latent the manifest allows times (2, 3)."""
    ae = manifest["autoencoder"]
    f, lc, ch = ae["downsampling_factor"], ae["latent_channels"], manifest["image"]["channels"]
    lm = max(d["latent_multiple"] for d in manifest["denoisers"].values())
    h, w = 2 * lm, 3 * lm
    ex = {ae["encoder"]["file"]: (torch.rand(2, ch, h * f, w * f, generator=gen) * 2 - 1,),
          ae["decoder"]["file"]: (torch.randn(2, lc, h, w, generator=gen),)}
    T = manifest["schedule"]["timesteps"]
    for d in manifest["denoisers"].values():
        c_in = sum(i["channels"] for i in d["inputs"])
        x = torch.randn(2, c_in, h, w, generator=gen)
        t = torch.randint(0, T, (2,), generator=gen, dtype=torch.int64)
        if "context" in d:
            c = d["context"]
            ex[c["encoder"]["file"]] = (torch.randint(0, len(c["labels"]), (2,), generator=gen, dtype=torch.int64),)
            ctx = torch.randn(2, c["tokens"], c["dim"], generator=gen)
            ex[d["file"]] = (x, t, ctx)
        else:
            ex[d["file"]] = (x, t)
    return ex


class _Half1(nn.Module):
    """forward(x) of a half-precision part between float32 tensors (autoencoder parts, tau on int64 labels)."""

    def __init__(self, part: torch.jit.ScriptModule, dtype: torch.dtype):
        super().__init__()
        self.part, self.dtype = part, dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.is_floating_point():
            x = x.to(self.dtype)
        return self.part(x).float()


class _Half2(nn.Module):
    """forward(x, t) of a half-precision denoiser between float32 tensors."""

    def __init__(self, part: torch.jit.ScriptModule, dtype: torch.dtype):
        super().__init__()
        self.part, self.dtype = part, dtype

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.part(x.to(self.dtype), t).float()


class _Half3(nn.Module):
    """forward(x, t, context) of a half-precision denoiser with a context, between float32 tensors."""

    def __init__(self, part: torch.jit.ScriptModule, dtype: torch.dtype):
        super().__init__()
        self.part, self.dtype = part, dtype

    def forward(self, x: torch.Tensor, t: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        return self.part(x.to(self.dtype), t, context.to(self.dtype)).float()


def half_part(path: str, dtype: torch.dtype, arity: int, device: str = "cpu") -> torch.jit.ScriptModule:
    """The TorchScript part at ``path`` with its weights cast to ``dtype``, scripted inside a float32 boundary."""
    part = torch.jit.load(path, map_location=device).to(dtype)
    return torch.jit.script({1: _Half1, 2: _Half2, 3: _Half3}[arity](part, dtype).eval())


def make_half(src: str, out: str, dtype: str = "bfloat16", device: str = "cpu", rtol: float = 0.05) -> dict:
    """Write the ``dtype`` variant of bundle ``src`` to ``out``; returns its manifest.

    :param rtol: largest allowed max|half − float32| / value range of the float32 output, per part.
    """
    if dtype not in DTYPES:
        raise BundleError(f"dtype '{dtype}' is not one of {sorted(DTYPES)}")
    manifest = verify_bundle(src)
    if manifest.get("dtype", "float32") != "float32":
        raise BundleError(f"{src} is already a {manifest['dtype']} bundle: start from the float32 one")
    if os.path.exists(out) and os.listdir(out):
        raise BundleError(f"{out} exists and is not empty: choose another output folder")
    td = DTYPES[dtype]
    gen = torch.Generator().manual_seed(0)
    examples = _examples(manifest, gen)
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".half-", dir=parent)
    errors: Dict[str, float] = {}
    try:
        for name, args in examples.items():
            ref_part = torch.jit.load(os.path.join(src, name), map_location=device)
            part = half_part(os.path.join(src, name), td, len(args), device)
            args = tuple(a.to(device) for a in args)
            with torch.no_grad():
                ref = ref_part(*args).float()
                try:
                    got = part(*args)
                except RuntimeError as e:
                    raise BundleError(f"{name} does not run in {dtype} on {device} ({str(e).splitlines()[-1]}): "
                                      f"export the float32 bundle again with the current models/ldm_models, or use "
                                      f"--device cuda for float16") from e
            if got.dtype != torch.float32:
                raise BundleError(f"{name}: the wrapped part returns {got.dtype}, expected float32")
            value_range = max((ref.max() - ref.min()).item(), 1e-12)
            err = (got.float() - ref).abs().max().item() / value_range
            errors[name] = err
            if not err <= rtol:
                raise BundleError(f"{name}: {dtype} differs from float32 by {err:.3g} of the value range (> {rtol:g})")
            torch.jit.save(part.cpu(), os.path.join(tmp, name))
        manifest = json.loads(json.dumps(manifest))
        manifest["dtype"] = dtype
        manifest["name"] = f"{manifest['name']}-{'fp16' if dtype == 'float16' else 'bf16'}"
        manifest["provenance"]["half_precision"] = {
            "source": os.path.basename(os.path.abspath(src)), "dtype": dtype, "checked_on": device,
            "max_error_of_range": {k: float(f"{v:.3g}") for k, v in errors.items()}}
        for entry in _file_entries_of(manifest):
            entry["sha256"] = sha256_file(os.path.join(tmp, entry["file"]))
        write_manifest(tmp, manifest)
        os.chmod(tmp, 0o755)
        if os.path.exists(out):
            os.rmdir(out)
        os.replace(tmp, out)
        return manifest
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)


def _file_entries_of(manifest: dict) -> List[dict]:
    from .export import _file_entries
    return [e for _, e in _file_entries(manifest)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--dtype", default="bfloat16", choices=sorted(DTYPES))
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--rtol", type=float, default=0.05)
    a = ap.parse_args(argv)
    try:
        m = make_half(a.src, a.out, a.dtype, a.device, a.rtol)
    except BundleError as e:
        print(f"half: {e}", file=sys.stderr)
        return 1
    print(json.dumps(m["provenance"]["half_precision"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
