#!/usr/bin/python3
"""Train the demo bundle's autoencoder and its three denoisers within one wall-clock budget.

Stages, each a process of its own with its log:

1. render a pool of training images and inpainting masks (``ldm_models.pool``, all CPU cores);
2. ``train_autoencoder.py`` on crops of the pool, for ``--ae-share`` of the remaining time;
3. ``train_denoiser.py`` for inpaint, superres and unconditional at the same time on the frozen autoencoder, until
   the budget is spent.

Checkpoints go to ``--out`` as portable ``.npz`` files (``ldm_models.checkpoint``) every ``--save-every`` seconds,
so a run cut short still leaves usable weights. Export them with ``build_demo.py``. On a GPU machine
(``train_demo.sh`` has the two runs that made the demo bundle: the autoencoder, then the denoisers on it)::

    python3 train_demo.py --device cuda --minutes 8 --out ../build/checkpoints

and on the CPU (much smaller figures; hours rather than minutes for a usable model)::

    /usr/bin/python3 train_demo.py --device cpu --minutes 120 --out ../build/checkpoints --batch-scale 0.125
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ldm_models.checkpoint import load_checkpoint  # noqa: E402
from ldm_models.pool import build_pool  # noqa: E402

POOL_SIZE = 128
"""Side of the pool images: the inpainting crop; the other stages crop 64 px from them."""
DENOISERS = {  # task: (crop, batch at --batch-scale 1)
    "inpaint": (128, 64),
    "superres": (64, 128),
    "unconditional": (64, 128),
}
UNET = ["--model-channels", "32", "--channel-mult", "1,2,2", "--num-res-blocks", "2"]
AUTOENCODER = ["--crop", "64", "--ch", "32", "--ch-mult", "1,2,2", "--num-res-blocks", "2"]


def crop_and_batch(init: str, task: str, crop: int, batch: int) -> tuple:
    """(crop, batch) of ``task``'s run: a denoiser continued from ``init``/<task>.npz keeps the crop it was trained
    on (its bundle's native_size, which a new crop would change); the batch then scales by the inverse square of the
    crop, which keeps the pixels per step."""
    if not init:
        return crop, batch
    native = load_checkpoint(os.path.join(init, f"{task}.npz"))["config"]["native_size"]
    return native, max(1, round(batch * (crop / native) ** 2))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="folder for the checkpoints and logs")
    p.add_argument("--device", default="cpu")
    p.add_argument("--minutes", type=float, required=True, help="wall-clock budget of the whole run")
    p.add_argument("--ae-share", type=float, default=0.4, help="share of the training time for the autoencoder")
    p.add_argument("--pool-images", type=int, default=24000)
    p.add_argument("--batch-scale", type=float, default=1.0, help="multiplies every batch size (CPU: 0.125)")
    p.add_argument("--workers", type=int, default=0, help="processes rendering the pool (0: all cores)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads per training process")
    p.add_argument("--save-every", type=float, default=40.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--autoencoder", default=None, help="use this trained autoencoder instead of training one")
    p.add_argument("--init", default=None,
                   help="folder with <task>.npz of an earlier run on the same autoencoder: continue from them")
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of the denoisers")
    p.add_argument("--tasks", default=",".join(DENOISERS), help="the denoisers to train (comma-separated)")
    p.add_argument("--embed-dim", type=int, default=8, help="latent channels of a new autoencoder")
    p.add_argument("--patch-shortcut", action="store_true",
                   help="a new autoencoder gets the linear patch path, started as the patches' principal components "
                        "(train_autoencoder.py --patch-shortcut)")
    p.add_argument("--autoencoder-only", action="store_true", help="stop after the autoencoder (--ae-share 1)")
    p.add_argument("--finetune-decoder", action="store_true",
                   help="with --autoencoder: also train its decoder on (encoder frozen, latents unchanged) while "
                        "the denoisers train, into <out>/autoencoder.npz")
    p.add_argument("--pool", default=None,
                   help="train on this pool file (ldm_models.pool format, e.g. from build_real_pack.py) instead of "
                        "rendering one")
    p.add_argument("--decoder-args", default="",
                   help="extra train_autoencoder.py options of --finetune-decoder, e.g. '--grid-weight 2 "
                        "--latent-noise 0.1'")
    p.add_argument("--python", default=sys.executable)
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.minutes < 1:
        sys.exit(f"--minutes {args.minutes}: give the run at least 1 minute (20 s of it go to the final saves)")
    unknown = set(args.tasks.split(",")) - set(DENOISERS)
    if unknown:
        sys.exit(f"--tasks {args.tasks}: unknown {sorted(unknown)}; the denoisers are {', '.join(DENOISERS)}")
    if args.finetune_decoder and not args.autoencoder:
        sys.exit("--finetune-decoder continues the decoder of a trained autoencoder: give it with --autoencoder")
    t_end = time.time() + 60 * args.minutes - 20  # 20 s for the final saves
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ldm-pool-")
    pool = args.pool or os.path.join(work, "pool.npz")
    t0 = time.time()
    try:
        train(args, pool, t_end, t0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def train(args: argparse.Namespace, pool: str, t_end: float, t0: float) -> None:
    if not args.pool:
        build_pool(pool, args.pool_images, POOL_SIZE, args.seed, mask_size=DENOISERS["inpaint"][0],
                   workers=args.workers)
        print(f"pool of {args.pool_images} images rendered in {time.time() - t0:.0f}s", flush=True)

    def run(script: str, extra: list, log: str = None) -> subprocess.Popen:
        cmd = [args.python, os.path.join(HERE, script), "--device", args.device, "--seed", str(args.seed),
               "--pool", pool, "--threads", str(args.threads), "--save-every", str(args.save_every)] + extra
        print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        out = open(os.path.join(args.out, log), "w") if log else None
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT if out else None, cwd=HERE)

    def batch(n: int) -> str:
        return str(max(2, int(round(n * args.batch_scale))))

    ae_path = args.autoencoder or os.path.join(args.out, "autoencoder.npz")
    if not args.autoencoder:
        ae_minutes = (1.0 if args.autoencoder_only else args.ae_share) * (t_end - time.time()) / 60
        ae = run("train_autoencoder.py", AUTOENCODER + ["--embed-dim", str(args.embed_dim),
            "--out", ae_path, "--batch", batch(64), "--steps", "10000000", "--max-minutes", f"{ae_minutes:.2f}",
            "--warmup", "200", "--log-every", "200"] + (["--patch-shortcut"] if args.patch_shortcut else []))
        if ae.wait() != 0:
            sys.exit(f"autoencoder training failed (exit {ae.returncode})")
        if args.autoencoder_only:
            return
    dn_minutes = (t_end - time.time()) / 60
    jobs = {task: run("train_denoiser.py", UNET + [
        "--task", task, "--autoencoder", ae_path, "--out", os.path.join(args.out, f"{task}.npz"),
        "--crop", str(crop), "--batch", batch(b), "--steps", "10000000", "--max-minutes", f"{dn_minutes:.2f}",
        "--lr", str(args.lr), "--lr-decay", "cosine", "--warmup", "200", "--ema-decay", "0.999", "--log-every", "200"]
        + (["--init", os.path.join(args.init, f"{task}.npz")] if args.init else []),
        log=f"{task}.log") for task, (crop, b) in ((t, crop_and_batch(args.init, t, *cb)) for t, cb in DENOISERS.items())
        if task in args.tasks.split(",")}
    if args.finetune_decoder:
        jobs["autoencoder"] = run("train_autoencoder.py", [
            "--init", args.autoencoder, "--decoder-only", "--crop", "64", "--out",
            os.path.join(args.out, "autoencoder.npz"), "--batch", batch(64), "--steps", "10000000",
            "--max-minutes", f"{dn_minutes:.2f}", "--lr", str(args.lr), "--warmup", "200", "--log-every", "200"]
            + shlex.split(args.decoder_args), log="autoencoder.log")
    failed = [t for t, j in jobs.items() if j.wait() != 0]
    for task in jobs:
        with open(os.path.join(args.out, f"{task}.log")) as f:
            print(f"--- {task}: " + "".join(f.readlines()[-3:]), end="", flush=True)
    if failed:
        sys.exit(f"denoiser training failed: {failed} (see their logs in {args.out})")
    print(f"done in {(time.time() - t0) / 60:.1f} min -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
