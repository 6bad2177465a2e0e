"""A pre-rendered pool of training images (and inpainting masks) kept on the training device.

:class:`~ldm_models.data.TrainingData` renders every crop on the CPU in Python (about 4 ms each): fine for the
small batches of CPU training, but it would leave a GPU idle. :func:`build_pool` renders ``n`` images once, in
parallel worker processes, with that same stream (so the held-out split stays out), and :class:`PoolBatches`
then draws random crops with the 8 symmetries of the square on the device. The pool is written to an ``.npz``
file so that several training processes share one rendering.
"""
from __future__ import annotations

import multiprocessing
from typing import List, Optional, Tuple

import numpy as np
import torch

from .data import LABELS, TRAINING_SKIMAGE, TrainingData, skimage_image
from .masks import random_mask


def loadable_skimage() -> List[str]:
    """The training scikit-image images that load here (newer scikit-image downloads some on first use, which an
    offline machine cannot), each loaded once so that forked workers share the cache."""
    names = []
    for name in TRAINING_SKIMAGE:
        try:
            skimage_image(name)
            names.append(name)
        except Exception as e:  # noqa: BLE001 -- any failure means: train without this image
            print(f"warning: scikit-image '{name}' does not load ({type(e).__name__}: {e}); training without it",
                  flush=True)
    return names


def _render(job: Tuple[int, int, int, int, Tuple[str, ...]]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    seed, count, size, mask_size, names = job
    data = TrainingData(seed=seed, size=size, skimage_names=names)
    rng = np.random.default_rng([seed, 1])
    images, domains = data.batch(count)
    masks = np.stack([random_mask(rng, mask_size, mask_size) for _ in range(count)]) if mask_size else None
    labels = np.array([LABELS.index(d) for d in domains], np.int8)
    return images[:, 0].astype(np.float16), labels, (masks.astype(np.uint8) if masks is not None else None)


def build_pool(path: str, n: int, size: int, seed: int, mask_size: int = 0, workers: int = 0) -> None:
    """Render ``n`` training images of ``size`` px (and ``n`` masks of ``mask_size`` px if > 0) into ``path``.

    Worker ``k`` renders the stream ``TrainingData(seed · 10000 + k)``; the result depends on ``workers``
    only through how the ``n`` images are split into chunks, which is fixed at 64 per chunk.
    """
    chunk = 64
    names = tuple(loadable_skimage())
    jobs = [(seed * 10000 + k, min(chunk, n - k * chunk), size, mask_size, names)
            for k in range((n + chunk - 1) // chunk)]
    workers = workers or multiprocessing.cpu_count()
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as p:
            parts = p.map(_render, jobs)
    else:
        parts = [_render(j) for j in jobs]
    arrays = {"images": np.concatenate([p[0] for p in parts]), "labels": np.concatenate([p[1] for p in parts])}
    if mask_size:
        arrays["masks"] = np.concatenate([p[2] for p in parts])
    np.savez(path, **arrays)


def _symmetries(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Each [.., s, s] sample turned by a random multiple of 90 degrees and flipped with probability 1/2."""
    n = x.shape[0]
    k = torch.randint(0, 4, (n,), generator=gen).to(x.device)
    flip = (torch.rand(n, generator=gen) < 0.5).to(x.device)
    out = x.clone()
    for r in range(1, 4):
        sel = k == r
        if bool(sel.any()):
            out[sel] = torch.rot90(x[sel], r, dims=(-2, -1))
    out[flip] = out[flip].flip(-1)
    return out


class PoolBatches:
    """Random crops of a pool file on ``device``: ``batch(n)`` -> (float32 [n, 1, crop, crop], domain labels),
    ``mask_batch(n)`` -> float32 [n, 1, s, s] in {0, 1} (s: the pool's mask size)."""

    def __init__(self, path: str, crop: int, device: str, seed: int):
        with np.load(path) as f:
            self.images = torch.from_numpy(f["images"]).to(device)
            self.labels = f["labels"].astype(np.int64)
            self.masks = torch.from_numpy(f["masks"]).to(device) if "masks" in f.files else None
        size = self.images.shape[-1]
        if crop > size:
            raise ValueError(f"crop {crop} is larger than the pool's images ({size} px): rebuild the pool")
        self.crop, self.device = crop, device
        self.gen = torch.Generator().manual_seed(seed)

    def batch(self, n: int) -> Tuple[torch.Tensor, List[str]]:
        idx = torch.randint(0, self.images.shape[0], (n,), generator=self.gen)
        span = self.images.shape[-1] - self.crop + 1
        oy, ox = (torch.randint(0, span, (n,), generator=self.gen) for _ in range(2))
        ar = torch.arange(self.crop)
        ys, xs = (oy[:, None] + ar).to(self.device), (ox[:, None] + ar).to(self.device)
        x = self.images[idx.to(self.device)[:, None, None], ys[:, :, None], xs[:, None, :]].float()
        x = _symmetries(x, self.gen)[:, None]
        return x, [LABELS[i] for i in self.labels[idx.numpy()]]

    def mask_batch(self, n: int) -> torch.Tensor:
        if self.masks is None:
            raise ValueError("the pool has no masks: build it with mask_size > 0")
        idx = torch.randint(0, self.masks.shape[0], (n,), generator=self.gen).to(self.device)
        return _symmetries(self.masks[idx].float(), self.gen)[:, None]


def open_data(pool: Optional[str], crop: int, device: str, seed: int):
    """``PoolBatches`` of ``pool`` if given, else the CPU stream ``TrainingData`` (both have ``batch(n)``)."""
    return PoolBatches(pool, crop, device, seed) if pool else TrainingData(seed=seed, size=crop)
