#!/usr/bin/python3
"""Measure a bundle on the held-out split and write ``<bundle>/EVALUATION.md``.

What ships is what is measured: the encoder, decoder, denoisers and tau are the bundle's TorchScript files,
loaded with ``torch.jit.load``; the manifest supplies the schedule, scale factor and input layouts.

Held-out images (``ldm_models.data.held_out_images``): synthetic seeds spread over 900..999 and fixed crops of
scikit-image ``camera``, ``coins``, ``moon`` -- none of them seen in training.

* autoencoder: PSNR of D(E(x)) against x; reference: the best linear code of the same latent size (each f x f
  patch projected on as many principal components of training patches as the latent has channels).
* super-resolution: input y = area_down4(x) (no noise); 8 samples by DDIM (eta 0) from the superres denoiser,
  decoded, scored one by one and as their mean (the CLI's ``--samples 8``); compared
  with bicubic upsampling of the same y (PSNR, SSIM against x), and the consistency PSNR of area_down4(output)
  against y. Also reported after the pixel-space consistency step (bicubic too, the reference for those rows):
  the smooth correction (a quintic B-spline basis on the 4x4 blocks) that makes area_down4(x') = y exactly
  (``ldm_models.consistency``; Java: task.Consistency).
* inpainting: a random mask per image (``masks.random_mask``, seeded), 8 samples with DDIM (eta 0), decoded
  and pasted into the known pixels with the hard mask, twice: as CompVis ``inpaint.py`` (from noise) and with the
  plugin's defaults (``--inpaint-strength``: from the harmonic first guess; ``--seam blend``: the decoder's
  border error carried into the fill, ``ldm_models.harmonic``, after decoding with the first guess's latents outside
  the masked cells, then once more for the re-encoded composite, each time followed by the band blend); against
  ``skimage.restoration.inpaint_biharmonic``: MAE of the mean of the 8 samples inside the mask; high-frequency
  energy inside the fill relative to its surroundings; gradient magnitude on the mask border relative to
  elsewhere (``ldm_models.metrics``).
* unconditional: not scored; ``--samples`` writes a grid of samples per label (classifier-free guidance).

Run from ``models/``::

    /usr/bin/python3 evaluate.py --bundle demo
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
import time
from typing import Callable, Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models import metrics  # noqa: E402
from ldm_models.autoencoder import patch_components  # noqa: E402
from ldm_models.consistency import project  # noqa: E402
from ldm_models.data import TrainingData, held_out_images  # noqa: E402
from ldm_models.degrade import area_down4, bicubic_up4  # noqa: E402
from ldm_models.harmonic import band_blend, correct_seam, harmonic_fill  # noqa: E402
from ldm_models.masks import random_mask  # noqa: E402
from train_denoiser import alphas_cumprod  # noqa: E402


LINEAR_CODE_SEED = 12345
"""Seed of the training crops (``TrainingData``, never the held-out split) the reference linear code is fitted on."""


class Bundle:
    """The TorchScript parts and manifest of a bundle folder."""

    def __init__(self, path: str, device: str = "cpu"):
        with open(os.path.join(path, "model.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        self.path, self.device = path, device
        load = lambda name: torch.jit.load(os.path.join(path, name), map_location=device).eval()  # noqa: E731
        ae = self.manifest["autoencoder"]
        self.alphas_cumprod = alphas_cumprod(self.manifest["schedule"]).float()
        self.encoder, self.decoder = load(ae["encoder"]["file"]), load(ae["decoder"]["file"])
        self.scale = float(ae["scale_factor"])
        self.denoisers = {k: as_eps_predictor(load(v["file"]), v["prediction"], self.alphas_cumprod, ae["latent_channels"])
                          for k, v in self.manifest["denoisers"].items()}
        self.taus = {k: load(v["context"]["encoder"]["file"]) for k, v in self.manifest["denoisers"].items()
                     if "context" in v}

    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x in the image range -> diffusion latent scale · E(x)."""
        return self.scale * self.encoder(x.to(self.device))

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z / self.scale)


def as_eps_predictor(net, prediction: str, alphas_cumprod: torch.Tensor, latent_channels: int):
    """The denoiser as an eps predictor: a v-predicting net's output v becomes eps = σ·z_t + α·v (Salimans & Ho
    2022, with z_t the first ``latent_channels`` input channels, α = sqrt(ā_t), σ = sqrt(1 − ā_t))."""
    if prediction == "eps":
        return net

    def eps(x: torch.Tensor, t: torch.Tensor, *context: torch.Tensor) -> torch.Tensor:
        a = alphas_cumprod[t].view(-1, 1, 1, 1)
        return (1 - a).sqrt() * x[:, :latent_channels] + a.sqrt() * net(x, t, *context)
    return eps


@torch.no_grad()
def ddim_sample(eps_model: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], shape, alphas_cumprod: torch.Tensor,
                steps: int, generator: torch.Generator, eta: float = 0.0, start: Optional[torch.Tensor] = None,
                t_start: int = 0) -> torch.Tensor:
    """DDIM (Song et al. 2021, eq. 12) with CompVis's uniform timesteps range(0, T, T // S) + 1.

    x0 = (x − sqrt(1 − ā)·eps)/sqrt(ā); x_prev = sqrt(ā_prev)·x0 + sqrt(1 − ā_prev − σ²)·eps + σ·z,
    σ = eta·sqrt((1 − ā_prev)/(1 − ā))·sqrt(1 − ā/ā_prev); for the last step ā_prev = ā[0].
    """
    T = alphas_cumprod.shape[0]
    ts = list(range(0, T, T // steps))
    ts = [t + 1 for t in ts]
    x = torch.randn(shape, generator=generator)
    if start is not None:  # SDEdit (Meng et al. 2022): diffuse a first guess to t_start (DDPM eq. 4), denoise from there
        ts = [t for t in ts if t <= t_start]
        a = float(alphas_cumprod[ts[-1]])
        x = math.sqrt(a) * start + math.sqrt(1 - a) * x
    for i in reversed(range(len(ts))):
        t = ts[i]
        a = float(alphas_cumprod[t])
        a_prev = float(alphas_cumprod[ts[i - 1]]) if i > 0 else float(alphas_cumprod[0])
        eps = eps_model(x, torch.full((shape[0],), t, dtype=torch.long))
        x0 = (x - math.sqrt(1 - a) * eps) / math.sqrt(a)
        sigma = eta * math.sqrt((1 - a_prev) / (1 - a)) * math.sqrt(1 - a / a_prev)
        noise = torch.randn(shape, generator=generator) if sigma > 0 else 0.0
        x = math.sqrt(a_prev) * x0 + math.sqrt(max(1 - a_prev - sigma ** 2, 0.0)) * eps + sigma * noise
    return x


def back_project(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The image whose 4x4 block means equal y reached from x by the correction of least gradient energy
    (``ldm_models.consistency.project``; Java: task.Consistency)."""
    return torch.from_numpy(project(x.double().numpy(), y.double().numpy(), 4)).to(x.dtype)


def eval_autoencoder(b: Bundle, images) -> Dict[str, float]:
    """Reconstruction PSNR of the bundle's autoencoder, and of the reference linear code: the best linear code
    with as many values per f x f patch as the latent has channels (principal components of training patches,
    ``patch_components``), which any autoencoder of this latent size can match."""
    f, c = b.manifest["autoencoder"]["downsampling_factor"], b.manifest["autoencoder"]["latent_channels"]
    crops = torch.as_tensor(TrainingData(seed=LINEAR_CODE_SEED, size=64).batch(256)[0])
    mean, components = patch_components(crops, f, c)
    vals: Dict[str, List[float]] = {"all": [], "synthetic": [], "skimage": [], "linear_code": []}
    for name, img in images:
        x = torch.from_numpy(img)[None, None]
        r = b.decode(b.encode(x)).clamp(-1, 1)[0, 0].numpy()
        p = metrics.psnr(r, img)
        vals["all"].append(p)
        vals["synthetic" if name.startswith("synthetic") else "skimage"].append(p)
        code = torch.einsum("kc,nchw->nkhw", components, F.pixel_unshuffle(x, f) - mean[None, :, None, None])
        lin = F.pixel_shuffle(torch.einsum("kc,nkhw->nchw", components, code) + mean[None, :, None, None], f)
        vals["linear_code"].append(metrics.psnr(lin.clamp(-1, 1)[0, 0].numpy(), img))
    return {k: float(np.mean(v)) for k, v in vals.items()}


def eval_superres(b: Bundle, images, steps: int, seed: int, n_samples: int, sdedit_t: int = 0) -> Dict[str, float]:
    """Per image, ``n_samples`` samples (one batch): ``<tag>`` metrics are the mean over single samples,
    ``<tag>_mean`` those of the samples' mean (the CLI's ``--samples N`` output, an estimate of the posterior mean),
    ``<tag>_bp`` and ``<tag>_bp_mean`` the same after back-projection."""
    net = b.denoisers["superres"]
    zc = b.manifest["autoencoder"]["latent_channels"]
    rows = []
    for k, (name, img) in enumerate(images):
        x = torch.from_numpy(img)[None, None]
        y = area_down4(x)
        yn = y.repeat(n_samples, 1, 1, 1)
        shape = (n_samples, zc) + tuple(y.shape[-2:])
        g = torch.Generator().manual_seed(seed + k)
        out = b.decode(ddim_sample(lambda zt, t: net(torch.cat([zt, yn], 1), t), shape, b.alphas_cumprod, steps,
                                   g)).clamp(-1, 1)
        bic = bicubic_up4(y).clamp(-1, 1)
        outputs = [("ldm", out), ("bicubic", bic), ("bicubic_bp", back_project(bic, y).clamp(-1, 1))]
        if sdedit_t:
            start = b.encode(bic).repeat(n_samples, 1, 1, 1)
            z = ddim_sample(lambda zt, t: net(torch.cat([zt, yn], 1), t), shape, b.alphas_cumprod, steps, g,
                            start=start, t_start=sdedit_t)
            outputs.append(("sdedit", b.decode(z).clamp(-1, 1)))
        row, variants = {}, {}
        for tag, o in outputs:
            variants[tag] = o
            if not tag.startswith("bicubic"):  # the samples, not the references
                mean = o.mean(0, keepdim=True)
                variants.update({f"{tag}_mean": mean, f"{tag}_bp": back_project(o, y).clamp(-1, 1),
                                 f"{tag}_bp_mean": back_project(mean, y).clamp(-1, 1)})
        for vt, v in variants.items():
            per = [(metrics.psnr(s[0].numpy(), img), metrics.ssim(s[0].numpy(), img),
                    metrics.psnr(area_down4(s[None])[0, 0].numpy(), y[0, 0].numpy())) for s in v]
            row[f"{vt}_psnr"], row[f"{vt}_ssim"], row[f"{vt}_consistency"] = (float(np.mean(c)) for c in zip(*per))
        rows.append(row)
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


SEAMS = {  # Java: task.Seam
    "blend": "as harmonize, and after each correction the fill's low frequencies blended toward the harmonic "
             "continuation of the surroundings in a 4 px band along the border (band_blend)",
    "hard": "the decoded fill pasted as it is",
    "correct": "the decoder's error on the known pixels carried harmonically into the fill",
    "harmonize": "the latent cells without a masked pixel taken from the encoded first guess before decoding, the "
                 "decoder's error on the known pixels carried harmonically into the fill, and the composite encoded, "
                 "decoded and corrected once more",
}


def eval_inpaint(b: Bundle, images, steps: int, seed: int, n_samples: int, strength: float, seam: str
                 ) -> Dict[str, float]:
    """Per image: CompVis's inpainting (from noise, hard paste) as ``compvis_*`` and the plugin's defaults
    (``strength``, ``seam``) as ``ldm_*``, each with ``n_samples`` samples, and the biharmonic baseline."""
    from skimage.restoration import inpaint_biharmonic
    net = b.denoisers["inpaint"]
    zc = b.manifest["autoencoder"]["latent_channels"]
    T = b.alphas_cumprod.shape[0]
    variants = {"compvis": (1.0, "hard"), "ldm": (strength, seam)}
    rows = []
    for k, (name, img) in enumerate(images):
        rng = np.random.default_rng(10_000 + k)
        m_np = random_mask(rng, *img.shape)
        known = ~m_np.astype(bool)
        x = torch.from_numpy(img)[None, None]
        m = torch.from_numpy(m_np)[None, None]
        mv = next(i for i in b.manifest["denoisers"]["inpaint"]["inputs"] if i["name"] == "masked_image_latent")
        c_img = b.encode((1 - m) * x + m * mv.get("masked_value", b.manifest["image"]["range"][0]))
        m_lat = F.interpolate(m, size=c_img.shape[-2:], mode="nearest") * 2 - 1
        cond = torch.cat([c_img, m_lat], 1).repeat(n_samples, 1, 1, 1)
        row = {"mask_cover": float(m_np.mean())}
        for tag, (st, sm) in variants.items():
            g = torch.Generator().manual_seed(seed + k)
            harmonize = sm in ("harmonize", "blend")
            smooth = guess = None
            if st < 1 or harmonize:  # the harmonic continuation of the surroundings (Inpainting.firstGuess)
                smooth = harmonic_fill(img, ~known)
                guess = b.encode(torch.from_numpy(smooth.astype(np.float32))[None, None])

            def corrected(decoded):  # Java: Inpainting.correctSeams
                out = np.stack([correct_seam(img, d, ~known) for d in decoded])
                return np.stack([band_blend(d, smooth, ~known) for d in out]) if sm == "blend" else out
            z = ddim_sample(lambda zt, t: net(torch.cat([zt, cond], 1), t), (n_samples, zc) + tuple(c_img.shape[-2:]),
                            b.alphas_cumprod, steps, g, start=None if st == 1 else guess.repeat(n_samples, 1, 1, 1),
                            t_start=int(round(st * T)))
            if harmonize:  # Java: Inpainting.fillWindow, Seam.harmonizes(): latent cells without a masked pixel
                cells = F.max_pool2d(m, b.manifest["autoencoder"]["downsampling_factor"]) > 0
                z = torch.where(cells, z, guess)  # ... from the first guess
            dec = b.decode(z).clamp(-1, 1)[:, 0].numpy().astype(np.float64)
            if sm != "hard":
                dec = corrected(dec)
            pasted = np.where(known, img, dec)  # CompVis inpaint.py: hard paste in pixel space
            if harmonize:  # ... then the composite encoded and decoded once more, and corrected again
                dec = b.decode(b.encode(torch.from_numpy(pasted.astype(np.float32))[:, None]))
                pasted = np.where(known, img, corrected(dec.clamp(-1, 1)[:, 0].numpy().astype(np.float64)))
            row.update({
                f"{tag}_mae_mean8": metrics.masked_mae(pasted.mean(0), img, m_np),
                f"{tag}_mae_single": float(np.mean([metrics.masked_mae(p, img, m_np) for p in pasted])),
                f"{tag}_hf_ratio": float(np.nanmean([metrics.hf_energy_ratio(p, m_np) for p in pasted])),
                f"{tag}_border_ratio": float(np.nanmean([metrics.border_gradient_ratio(p, m_np) for p in pasted])),
            })
        bih = inpaint_biharmonic(((img + 1) / 2).astype(np.float64), m_np.astype(bool)) * 2 - 1
        row.update({
            "biharmonic_mae": metrics.masked_mae(bih, img, m_np),
            "biharmonic_hf_ratio": metrics.hf_energy_ratio(bih, m_np),
            "truth_hf_ratio": metrics.hf_energy_ratio(img, m_np),
            "biharmonic_border_ratio": metrics.border_gradient_ratio(bih, m_np),
            "truth_border_ratio": metrics.border_gradient_ratio(img, m_np),
        })
        rows.append(row)
    return {k: float(np.nanmean([r[k] for r in rows])) for k in rows[0]}


def unconditional_samples(b: Bundle, path: str, steps: int, seed: int, size: int, guidance: float) -> None:
    """A PNG grid: one row per label (without the null label), 4 samples each, classifier-free guidance
    eps = eps_null + w·(eps_label − eps_null) (Ho & Salimans 2022)."""
    from skimage.io import imsave
    spec = b.manifest["denoisers"]["unconditional"]
    net, tau = b.denoisers["unconditional"], b.taus["unconditional"]
    labels = [l for l in spec["context"]["labels"] if l != spec["context"]["null_label"]]
    null = spec["context"]["labels"].index(spec["context"]["null_label"])
    zc = b.manifest["autoencoder"]["latent_channels"]
    f = b.manifest["autoencoder"]["downsampling_factor"]
    rows = []
    for li, label in enumerate(labels):
        idx = spec["context"]["labels"].index(label)
        c = tau(torch.tensor([idx] * 4 + [null] * 4))

        def eps(zt, t):
            e = net(torch.cat([zt, zt]), torch.cat([t, t]), c)
            return e[4:] + guidance * (e[:4] - e[4:])
        z = ddim_sample(eps, (4, zc, size // f, size // f), b.alphas_cumprod, steps,
                        torch.Generator().manual_seed(seed + li))
        rows.append(np.hstack(list(b.decode(z).clamp(-1, 1)[:, 0].numpy())))
    imsave(path, ((np.vstack(rows) + 1) * 127.5).round().astype(np.uint8), check_contrast=False)


def fmt(v: float) -> str:
    return f"{v:.2f}"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", required=True)
    p.add_argument("--size", type=int, default=128, help="held-out image side in pixels")
    p.add_argument("--n-synthetic", type=int, default=16, help="held-out synthetic images (seeds 900..999)")
    p.add_argument("--steps", type=int, default=50, help="DDIM steps")
    p.add_argument("--samples-per-mask", type=int, default=8)
    p.add_argument("--sr-samples", type=int, default=8, help="super-resolution samples per image (one batch)")
    p.add_argument("--inpaint-strength", type=float, default=0.3,
                   help="the plugin's default (Inpainting.DEFAULT_STRENGTH): start from the harmonic first guess "
                        "diffused to strength·T; 1 = from noise")
    p.add_argument("--seam", default="blend", choices=list(SEAMS),
                   help="the plugin's default: blend")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--guidance", type=float, default=2.0, help="classifier-free guidance weight for --samples")
    p.add_argument("--sdedit-t", type=int, default=100,
                   help="also report super-resolution started from the bicubic guess's latent diffused to this "
                        "timestep (SDEdit); 0 = off")
    p.add_argument("--samples", action="store_true", help="also write unconditional_samples.png per label")
    p.add_argument("--out", default=None, help="report file (default <bundle>/EVALUATION.md)")
    args = p.parse_args(argv)
    command = "python3 " + " ".join(shlex.quote(a) for a in [os.path.basename(__file__)] + list(
        sys.argv[1:] if argv is None else argv))
    torch.set_num_threads(args.threads)
    b = Bundle(args.bundle)
    images = held_out_images(size=args.size, n_synthetic=args.n_synthetic)
    t0 = time.time()
    results: Dict[str, Dict[str, float]] = {"autoencoder": eval_autoencoder(b, images)}
    timing = {"autoencoder": time.time() - t0}
    if "superres" in b.denoisers:
        t = time.time()
        results["superres"] = eval_superres(b, images, args.steps, args.seed, args.sr_samples, args.sdedit_t)
        timing["superres"] = time.time() - t
    if "inpaint" in b.denoisers:
        t = time.time()
        results["inpaint"] = eval_inpaint(b, images, args.steps, args.seed, args.samples_per_mask,
                                         args.inpaint_strength, args.seam)
        timing["inpaint"] = time.time() - t
    if args.samples and "unconditional" in b.denoisers:
        unconditional_samples(b, os.path.join(args.bundle, "unconditional_samples.png"), args.steps, args.seed,
                              b.manifest["denoisers"]["unconditional"]["native_size"], args.guidance)
    total = time.time() - t0
    print(json.dumps(results, indent=2))
    write_report(args, command, b, images, results, timing, total)


def write_report(args, command, b, images, results, timing, total) -> None:
    ae = results["autoencoder"]
    goal = lambda ok: "met" if ok else "**missed**"  # noqa: E731
    lines = [
        f"# Evaluation of bundle `{b.manifest['name']}`", "",
        "Reproduce (from `models/`, CPU):", "", "```", command, "```", "",
        f"Held-out images: {len(images)} of {args.size}x{args.size} px "
        f"({args.n_synthetic} synthetic, seeds spread over 900..999; {len(images) - args.n_synthetic} fixed crops "
        "of scikit-image camera, coins, moon); none used in training. Values in [-1, 1]; PSNR peak-to-peak 2.",
        f"Sampler: DDIM, {args.steps} steps, eta 0, seed {args.seed}. Parts: the bundle's TorchScript files. "
        f"Run time {total:.0f} s on {torch.get_num_threads()} CPU threads "
        f"(autoencoder {timing['autoencoder']:.0f} s"
        + "".join(f", {k} {v:.0f} s" for k, v in timing.items() if k != "autoencoder") + ").", "",
        "## Autoencoder", "",
        "| metric | value | goal | |", "|---|---|---|---|",
        f"| reconstruction PSNR, all (dB) | {fmt(ae['all'])} | >= 33 | {goal(ae['all'] >= 33)} |",
        f"| reconstruction PSNR, synthetic (dB) | {fmt(ae['synthetic'])} | | |",
        f"| reconstruction PSNR, scikit-image (dB) | {fmt(ae['skimage'])} | | |",
        f"| reference: the best linear code of the same size, all (dB) | {fmt(ae['linear_code'])} | | |", "",
        "Reference: each f x f patch projected on the leading principal components of training patches, as many "
        "as the latent has channels (`ldm_models.autoencoder.patch_components`; the Eckart-Young optimum among "
        "linear codes of that size).", "",
    ]
    if "superres" in results:
        s = results["superres"]
        n = args.sr_samples
        sr_rows = [("LDM, one sample", "ldm"), ("LDM, one sample + back-projection", "ldm_bp"),
                   (f"LDM, mean of {n} samples", "ldm_mean"), (f"LDM, mean of {n} samples + back-projection", "ldm_bp_mean")]
        if args.sdedit_t:
            sr_rows += [(f"LDM from bicubic (SDEdit t0={args.sdedit_t}), one sample + back-projection", "sdedit_bp"),
                        (f"LDM from bicubic (SDEdit t0={args.sdedit_t}), mean of {n} + back-projection", "sdedit_bp_mean")]
        target = s["bicubic_psnr"] + 1
        lines += [
            "## Super-resolution x4", "",
            "Input: the 4x4 block mean (area downsampling) of the held-out image, no noise. "
            f"{n} samples per image; 'one sample' figures are averaged over them, 'mean of {n}' scores their "
            f"pixel-wise mean (what `./ldm superres --samples {n}` writes: an estimate of the posterior mean). "
            "Back-projection: the correction of least gradient energy that makes area_down4(x) = y exactly "
            "(ldm_models.consistency; the plugin's consistency step), "
            "clipped to [-1, 1].", "",
            "| method | PSNR (dB) | SSIM | consistency PSNR (dB) | PSNR goal (>= bicubic + 1 dB) |", "|---|---|---|---|---|",
            f"| bicubic | {fmt(s['bicubic_psnr'])} | {s['bicubic_ssim']:.3f} | {fmt(s['bicubic_consistency'])} | |",
            f"| bicubic + back-projection (reference for the back-projected rows) | {fmt(s['bicubic_bp_psnr'])} | "
            f"{s['bicubic_bp_ssim']:.3f} | {fmt(s['bicubic_bp_consistency'])} | |"] + [
            f"| {label} | {fmt(s[k + '_psnr'])} | {s[k + '_ssim']:.3f} | {fmt(s[k + '_consistency'])} | "
            f"{goal(s[k + '_psnr'] >= target)} |" for label, k in sr_rows] + ["",
            f"- Goal PSNR >= bicubic + 1 dB ({fmt(target)}): see the last column.",
            f"- Goal consistency >= 35 dB: LDM {goal(s['ldm_consistency'] >= 35)}, "
            f"LDM + back-projection {goal(s['ldm_bp_consistency'] >= 35)}.", "",
        ]
    if "inpaint" in results:
        r = results["inpaint"]
        n = args.samples_per_mask
        lines += [
            "## Inpainting", "",
            f"One seeded random mask per image (strokes, boxes or blobs; mean cover {100 * r['mask_cover']:.0f} %), "
            f"{n} samples each, pasted into the known pixels with the hard mask. Two ways: CompVis's `inpaint.py` "
            f"(sampling from noise, decoded fill pasted as it is) and the plugin's defaults (strength "
            f"{args.inpaint_strength}: DDIM from the harmonic continuation of the surroundings diffused to "
            f"t0 = {args.inpaint_strength:g}·T; seam {args.seam}: {SEAMS[args.seam]}; see Inpainting.java). "
            "Baseline: `skimage.restoration.inpaint_biharmonic`. MAE inside the mask in [-1, 1] units. "
            "HF ratio: RMS of (image - Gaussian blur sigma 1.5) inside the fill over that in an 8 px ring around it. "
            "Border ratio: mean gradient magnitude on the mask border over that in the 8 px neighbourhood (the "
            "ground truth's own values show the level of an invisible seam).", "",
            "| method | MAE of the mean of the samples | MAE, one sample | HF ratio | border gradient ratio |",
            "|---|---|---|---|---|",
            f"| CompVis: from noise, hard paste | {r['compvis_mae_mean8']:.4f} | {r['compvis_mae_single']:.4f} | "
            f"{r['compvis_hf_ratio']:.2f} | {r['compvis_border_ratio']:.2f} |",
            f"| plugin: strength {args.inpaint_strength:g}, seam {args.seam} | {r['ldm_mae_mean8']:.4f} | "
            f"{r['ldm_mae_single']:.4f} | {r['ldm_hf_ratio']:.2f} | {r['ldm_border_ratio']:.2f} |",
            f"| biharmonic | {r['biharmonic_mae']:.4f} | | {r['biharmonic_hf_ratio']:.2f} | "
            f"{r['biharmonic_border_ratio']:.2f} |",
            f"| ground truth | 0 | | {r['truth_hf_ratio']:.2f} | {r['truth_border_ratio']:.2f} |", "",
            "Goals, for the plugin's defaults:",
            f"- MAE of the mean <= biharmonic: {goal(r['ldm_mae_mean8'] <= r['biharmonic_mae'])}.",
            f"- HF ratio in [0.7, 1.3]: {goal(0.7 <= r['ldm_hf_ratio'] <= 1.3)}.",
            f"- border gradient ratio <= 1.2: {goal(r['ldm_border_ratio'] <= 1.2)}.", "",
        ]
    if args.samples and "unconditional" in b.denoisers:
        lines += ["## Unconditional (label-conditioned) samples", "",
                  f"`unconditional_samples.png`: one row per label ({', '.join(l for l in b.manifest['denoisers']['unconditional']['context']['labels'] if l != 'none')}), "
                  f"classifier-free guidance weight {args.guidance}. Not scored.", ""]
    lines += ["Raw numbers:", "", "```json", json.dumps(results, indent=2), "```", ""]
    out = args.out or os.path.join(args.bundle, "EVALUATION.md")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
