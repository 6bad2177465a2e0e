"""Python side of the GPU checks (issue 22), run by gpu/run_checks.sh: for each bundle part, CUDA against the CPU and
a rerun against the first run; a Python loop over the same TorchScript files and shapes as ./ldm bench; and the
CompVis bsr_sr U-Net (the project's own modules, seeded random weights, as ldm_models.convert builds them) with 128²
latent tiles batched by 8 in float32, bfloat16 and float16, eager and TorchScript, in TFLOP/s.

    python3 gpu/py_checks.py --work DIR [--dry-run]      (--dry-run: CPU, tiny shapes, to catch errors)

Prints one line per figure (``figure: name = value``) and writes them to DIR/py_figures.json.
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "models"))
from ldm_models.half import _examples, make_half  # noqa: E402

FIG = {}


def fig(name, value):
    FIG[name] = value
    print(f"figure: {name} = {value}", flush=True)


def sync(dev):
    if dev.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fn, dev, warmup=3, iters=10):
    """Mean seconds per call after ``warmup`` calls (CUDA synchronised around the timed block)."""
    with torch.no_grad():
        for _ in range(warmup):
            fn()
        sync(dev)
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        sync(dev)
    return (time.perf_counter() - t0) / iters


def part_agreement(bundle, tag, dev):
    """Each part on ``dev`` against the CPU (max |diff| / value range) and a rerun on ``dev`` (bit-identical?)."""
    m = json.load(open(os.path.join(bundle, "model.json")))
    ex = _examples(m, torch.Generator().manual_seed(1))
    for name, args in ex.items():
        path = os.path.join(bundle, name)
        with torch.no_grad():
            ref = torch.jit.load(path, map_location="cpu")(*args).float()
            part = torch.jit.load(path, map_location=dev)
            a = tuple(x.to(dev) for x in args)
            first = part(*a).float().cpu()
            second = part(*a).float().cpu()
        rng = max((ref.max() - ref.min()).item(), 1e-12)
        fig(f"{tag}/{name} {dev} vs cpu, max diff / range", float(f"{(first - ref).abs().max().item() / rng:.3g}"))
        fig(f"{tag}/{name} rerun on {dev} bit-identical", bool(torch.equal(first, second)))
        if not torch.equal(first, second):
            fig(f"{tag}/{name} rerun spread / range", float(f"{(first - second).abs().max().item() / rng:.3g}"))


def python_loop(bundle, tag, dev, side_px, batches, iters):
    """ms per denoiser forward of a plain Python loop over the bundle's TorchScript files (the bench's shapes:
    a latent of side_px / f, batch 1 and the tile batches)."""
    m = json.load(open(os.path.join(bundle, "model.json")))
    f = m["autoencoder"]["downsampling_factor"]
    for key, d in m["denoisers"].items():
        part = torch.jit.load(os.path.join(bundle, d["file"]), map_location=dev)
        c_in = sum(i["channels"] for i in d["inputs"])
        side = side_px // f
        for b in batches:
            x = torch.randn(b, c_in, side, side, device=dev)
            t = torch.full((b,), 500, dtype=torch.int64, device=dev)
            args = (x, t)
            if "context" in d:
                args = args + (torch.randn(b, d["context"]["tokens"], d["context"]["dim"], device=dev),)
            s = timed(lambda: part(*args), dev, warmup=3, iters=iters)
            fig(f"{tag}/{key} python loop {dev} {side_px}px batch {b}, ms per forward", round(s * 1e3, 3))


def flops_of(fn):
    """FLOPs of one call, counted by torch.utils.flop_counter (PyTorch 2.1+), or None."""
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:
        return None
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        fn()
    return fc.get_total_flops()


def bsr_sr(dev, work, batch, side, iters, export):
    """CompVis bsr_sr U-Net, seeded random weights; eager and TorchScript; float32, bfloat16, float16."""
    from ldm_models.configs import build_unet, get_config
    cfg = get_config("bsr_sr")
    torch.manual_seed(0)
    unet = build_unet(cfg).eval()
    fig("bsr_sr parameters (M)", round(sum(p.numel() for p in unet.parameters()) / 1e6, 1))
    x = torch.randn(batch, cfg["unet"]["in_channels"], side, side)
    t = torch.randint(0, 1000, (batch,))
    unet = unet.to(dev)
    x, t = x.to(dev), t.to(dev)
    flops = flops_of(lambda: unet(x, t))
    if flops:
        fig(f"bsr_sr GFLOP per forward ({batch}x{side}²)", round(flops / 1e9, 1))
    from ldm_models.export import DenoiserPart
    dtypes = [("float32", torch.float32), ("bfloat16", torch.bfloat16)]
    if dev.startswith("cuda"):
        dtypes += [("float16", torch.float16)]
    for name, dt in dtypes:
        m = build_unet(cfg).eval()
        m.load_state_dict(unet.state_dict())
        m = m.to(dev, dt)
        xd = x.to(dt)
        for mode in ("eager", "torchscript"):
            fn = m if mode == "eager" else torch.jit.script(DenoiserPart(m).eval())
            try:
                s = timed(lambda: fn(xd, t), dev, warmup=3, iters=iters)
            except RuntimeError as e:
                fig(f"bsr_sr {mode} {name} {dev}", "FAILED: " + str(e).splitlines()[-1][:160])
                continue
            fig(f"bsr_sr {mode} {name} {dev} {batch}x{side}², ms per forward", round(s * 1e3, 2))
            if flops:
                fig(f"bsr_sr {mode} {name} {dev} TFLOP/s", round(flops / s / 1e12, 1))
    if export:
        from ldm_models.configs import build_first_stage
        from ldm_models.export import DenoiserSpec, export_bundle
        torch.manual_seed(0)
        out = os.path.join(work, "bsr_sr")
        export_bundle(out, autoencoder=build_first_stage(cfg), scale_factor=cfg["scale_factor"],
                      image_channels=cfg["image_channels"], schedule=cfg["schedule"], overwrite=True,
                      denoisers={"superres": DenoiserSpec(unet.cpu().float(), inputs=cfg["inputs"],
                                                          native_size=cfg["native_size"], prediction=cfg["prediction"])},
                      name="bsr-sr-random", description="CompVis bsr_sr architecture, seeded random weights (GPU checks)",
                      license="MIT", citation="CompVis LDM", data={"training": "none (random)", "held_out": []},
                      provenance={"command": "gpu/py_checks.py"}, atol=1e-3)
        import shutil
        shutil.rmtree(out + "-bf16", ignore_errors=True)
        make_half(out, out + "-bf16", "bfloat16", device=dev, rtol=0.1)
        fig("bsr_sr bundles written", [out, out + "-bf16"])
        # the Python loop over the exported files at the shapes ./ldm bench --size 512 uses (one 128² latent)
        python_loop(out, "bsr_sr", dev, 4 * side, (1, batch), iters)
        python_loop(out + "-bf16", "bsr_sr-bf16", dev, 4 * side, (1, batch), iters)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--skip-bsr-export", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    cuda = torch.cuda.is_available() and not a.dry_run
    dev = "cuda" if cuda else "cpu"
    fig("torch", torch.__version__)
    fig("device", torch.cuda.get_device_name(0) if cuda else "cpu (dry run)" if a.dry_run else "cpu (no CUDA)")
    import make_test_bundle
    tiny = os.path.join(a.work, "tiny")
    if not os.path.exists(os.path.join(tiny, "model.json")):
        make_test_bundle.make(tiny)
    bf16 = os.path.join(a.work, "tiny-bf16")
    if not os.path.exists(os.path.join(bf16, "model.json")):
        make_half(tiny, bf16, "bfloat16", device=dev)
    if cuda:
        fp16 = os.path.join(a.work, "tiny-fp16")
        if not os.path.exists(os.path.join(fp16, "model.json")):
            make_half(tiny, fp16, "float16", device=dev)
    demo = os.path.join(HERE, "..", "models", "demo")
    for bundle, tag in ((demo, "demo"), (tiny, "tiny"), (bf16, "tiny-bf16")):
        part_agreement(bundle, tag, dev)
    small = a.dry_run
    python_loop(demo, "demo", dev, 64 if small else 256, (1, 2) if small else (1, 8), 2 if small else 20)
    for stage, fn in (("bsr_sr", lambda: bsr_sr(dev, a.work, 1 if small else 8, 16 if small else 128,
                                                 2 if small else 10, not a.skip_bsr_export)),):
        try:
            fn()
        except Exception as e:  # a failing stage is a figure, the others still run
            fig(f"{stage} FAILED", f"{type(e).__name__}: {str(e).splitlines()[-1][:200] if str(e) else ''}")
    with open(os.path.join(a.work, "py_figures.json"), "w") as fh:
        json.dump(FIG, fh, indent=1)


if __name__ == "__main__":
    main()
