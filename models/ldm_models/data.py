"""Training and held-out data for the greyscale demo LDM.

Two sources:

* a synthetic microscopy generator (:func:`synthetic_image`): nuclei (textured blobs), filaments (smooth curves),
  puncta (diffraction-limited spots), membranes (cell outlines of a Voronoi tessellation), phase-contrast-like cells
  with halos and bright-field histology-like tissue; each rendered as photon counts, blurred by a Gaussian PSF,
  given an uneven background, Poisson shot noise and Gaussian read noise, and quantised to 8 or 16 bit.
  Fully determined by its integer seed.
* the real images that scikit-image 0.19 ships with its wheel / Debian package (:data:`SKIMAGE_IMAGES`),
  converted to greyscale.

Value mapping (the manifest's ``image.range`` is [-1, 1]), implemented by :func:`to_model_range`:

* uint8 images:           x = v / 255
* uint16 and float images: x = clip((v - p0.1) / (p99.9 - p0.1), 0, 1) with the image's 0.1 / 99.9 percentiles
  (16-bit microscopy rarely fills the dtype range, so the dtype range would leave the data near 0)
* bool images:             x = v
* then                     x_model = 2 · x − 1

Held-out split (never used for training, see :data:`HELD_OUT`): scikit-image ``camera``, ``coins``, ``moon``
and synthetic seeds 900..999. Training draws synthetic seeds from every other non-negative integer.
"""
from __future__ import annotations

import math
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from scipy import ndimage

DOMAINS: Tuple[str, ...] = ("fluorescence", "phase", "histology", "natural")
"""Domain labels of the unconditional model (its label embedder also has the null label ``"none"``)."""
NULL_LABEL = "none"
LABELS: Tuple[str, ...] = DOMAINS + (NULL_LABEL,)

SYNTHETIC_KINDS: Tuple[str, ...] = ("nuclei", "filaments", "puncta", "membranes", "mixed", "phase", "histology")
_KIND_DOMAIN = {"nuclei": "fluorescence", "filaments": "fluorescence", "puncta": "fluorescence",
                "membranes": "fluorescence", "mixed": "fluorescence", "phase": "phase", "histology": "histology"}

# scikit-image images that load offline from the Debian / wheel install of skimage 0.19, with their domain.
SKIMAGE_IMAGES: Dict[str, str] = {
    "cell": "phase", "immunohistochemistry": "histology", "retina": "histology", "microaneurysms": "histology",
    "hubble_deep_field": "natural", "astronaut": "natural", "brick": "natural", "grass": "natural",
    "gravel": "natural", "clock": "natural", "page": "natural", "text": "natural", "chelsea": "natural",
    "coffee": "natural", "rocket": "natural", "stereo_motorcycle": "natural", "cat": "natural",
    "camera": "natural", "coins": "natural", "moon": "natural",
}
HELD_OUT_SKIMAGE: Tuple[str, ...] = ("camera", "coins", "moon")
HELD_OUT_SEEDS = range(900, 1000)
HELD_OUT: List[str] = ["skimage:" + n for n in HELD_OUT_SKIMAGE] + ["synthetic:seed=900..999"]
TRAINING_SKIMAGE: Tuple[str, ...] = tuple(n for n in SKIMAGE_IMAGES if n not in HELD_OUT_SKIMAGE)


def data_description() -> Dict[str, object]:
    """The manifest's ``data`` field: what training saw and what it never saw."""
    return {
        "training": "synthetic microscopy (ldm_models.data.synthetic_image, kinds " + ", ".join(SYNTHETIC_KINDS)
                    + "; seeds >= 0 except 900..999) and scikit-image 0.19 images "
                    + ", ".join("skimage:" + n for n in TRAINING_SKIMAGE)
                    + "; greyscale, random crops with flips/rotations; uint8 v/255, uint16 0.1-99.9 percentile"
                    + " stretch, then 2x-1",
        "held_out": list(HELD_OUT),
    }


# --------------------------------------------------------------------------------------------------------------
# value mapping
# --------------------------------------------------------------------------------------------------------------

def to_unit(img: np.ndarray) -> np.ndarray:
    """Map a greyscale image to float32 [0, 1] (see the module docstring for the rule per dtype)."""
    if img.dtype == np.bool_:
        return img.astype(np.float32)
    if img.dtype == np.uint8:
        return img.astype(np.float32) / 255.0
    v = img.astype(np.float64)
    lo, hi = np.percentile(v, [0.1, 99.9])
    if hi <= lo:
        return np.zeros(v.shape, np.float32)
    return np.clip((v - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)


def to_model_range(img: np.ndarray) -> np.ndarray:
    """Map a greyscale image to float32 [-1, 1]: ``2 · to_unit(img) − 1``."""
    return to_unit(img) * 2.0 - 1.0


def from_model_range(x: np.ndarray) -> np.ndarray:
    """Inverse of the last step of :func:`to_model_range`: [-1, 1] -> [0, 1] (clipped)."""
    return np.clip((np.asarray(x, np.float32) + 1.0) * 0.5, 0.0, 1.0)


# --------------------------------------------------------------------------------------------------------------
# scikit-image images
# --------------------------------------------------------------------------------------------------------------

_SKIMAGE_CACHE: Dict[str, np.ndarray] = {}


def skimage_image(name: str) -> np.ndarray:
    """A scikit-image sample image as greyscale (uint8 or the original dtype), cached.

    Colour images are converted with ITU-R 601 luma weights; the alpha channel is dropped.
    """
    if name not in SKIMAGE_IMAGES:
        raise ValueError(f"unknown scikit-image image '{name}'; known: {sorted(SKIMAGE_IMAGES)}")
    if name not in _SKIMAGE_CACHE:
        import skimage.data
        img = getattr(skimage.data, name)()
        if isinstance(img, tuple):  # stereo_motorcycle returns (left, right, disparity)
            img = img[0]
        if img.ndim == 3:
            rgb = img[..., :3].astype(np.float64)
            img = np.clip(rgb @ np.array([0.299, 0.587, 0.114]) + 0.5, 0, 255).astype(np.uint8)
        if name == "retina":  # 1411 px with a large black border: area-downsample by 2 to fundus-detail scale
            h, w = (img.shape[0] // 2) * 2, (img.shape[1] // 2) * 2
            img = img[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)).astype(np.uint8)
        _SKIMAGE_CACHE[name] = img
    return _SKIMAGE_CACHE[name]


# --------------------------------------------------------------------------------------------------------------
# synthetic microscopy
# --------------------------------------------------------------------------------------------------------------

def _smooth_noise(rng: np.random.Generator, size: int, sigma: float) -> np.ndarray:
    """Gaussian-filtered white noise scaled to [0, 1]."""
    n = ndimage.gaussian_filter(rng.standard_normal((size, size)), sigma, mode="wrap")
    return (n - n.min()) / max(n.max() - n.min(), 1e-12)


def _ellipses(rng: np.random.Generator, size: int, count: int, r_range: Tuple[float, float]
              ) -> Tuple[np.ndarray, np.ndarray]:
    """Label image of up to ``count`` random ellipses (later ones on top) and its soft-edged union mask."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    labels = np.zeros((size, size), np.int32)
    for i in range(count):
        cy, cx = rng.uniform(-0.05, 1.05, 2) * size
        a = rng.uniform(*r_range)
        b = a * rng.uniform(0.6, 1.0)
        th = rng.uniform(0, math.pi)
        c, s = math.cos(th), math.sin(th)
        u = ((xx - cx) * c + (yy - cy) * s) / a
        v = (-(xx - cx) * s + (yy - cy) * c) / b
        labels[u * u + v * v <= 1.0] = i + 1
    return labels, (labels > 0).astype(np.float32)


def _nuclei(rng, size):
    labels, _ = _ellipses(rng, size, int(rng.integers(3, 14)), (size * 0.05, size * 0.16))
    bright = np.concatenate([[0.0], rng.uniform(0.3, 1.0, labels.max())])
    texture = 0.6 + 0.4 * _smooth_noise(rng, size, rng.uniform(1.0, 2.5))
    return bright[labels] * texture


def _filaments(rng, size):
    out = np.zeros((size, size), np.float32)
    for _ in range(int(rng.integers(4, 25))):
        pos = rng.uniform(0, size, 2)
        ang = rng.uniform(0, 2 * math.pi)
        curv = rng.uniform(0.02, 0.15)
        w = rng.uniform(0.3, 1.0)
        for _ in range(int(rng.integers(size // 2, size * 2))):
            ang += rng.normal(0, curv)
            pos = pos + 0.7 * np.array([math.sin(ang), math.cos(ang)])
            y, x = int(pos[0]), int(pos[1])
            if 0 <= y < size and 0 <= x < size:
                out[y, x] = max(out[y, x], w)
    return out


def _puncta(rng, size):
    out = np.zeros((size, size), np.float32)
    n = int(rng.integers(10, 12 + size * size // 150))
    ys, xs = rng.integers(0, size, n), rng.integers(0, size, n)
    out[ys, xs] = rng.uniform(0.3, 1.0, n) * 6.0
    return out


def _voronoi(rng, size, count):
    """Distances to the nearest and second-nearest seed of a random Voronoi tessellation, and the nearest index."""
    seeds = rng.uniform(0, size, (count, 2))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    d = np.sqrt((yy[None] - seeds[:, 0, None, None]) ** 2 + (xx[None] - seeds[:, 1, None, None]) ** 2)
    order = np.argsort(d, axis=0)
    d_sorted = np.take_along_axis(d, order[:2], axis=0)
    return d_sorted[0], d_sorted[1], order[0]


def _membranes(rng, size):
    d1, d2, _ = _voronoi(rng, size, int(rng.integers(4, 20)))
    width = rng.uniform(0.6, 2.0)
    return np.exp(-((d2 - d1) / width) ** 2) * (0.5 + 0.5 * _smooth_noise(rng, size, 3.0))


def _mixed(rng, size):
    parts = [_nuclei, _filaments, _puncta, _membranes]
    idx = rng.choice(len(parts), 2, replace=False)
    return sum(rng.uniform(0.4, 1.0) * parts[i](rng, size) for i in idx)


def _phase(rng, size):
    """Phase-contrast-like cells: grey background, dark cell bodies with a bright halo outside their edge."""
    labels, mask = _ellipses(rng, size, int(rng.integers(3, 12)), (size * 0.06, size * 0.2))
    body = ndimage.gaussian_filter(mask, 1.0)
    halo = ndimage.gaussian_filter(mask, 3.0) - ndimage.gaussian_filter(mask, 1.0)
    texture = _smooth_noise(rng, size, 1.5)
    return 0.5 - 0.3 * body * (0.6 + 0.4 * texture) + 1.2 * np.clip(-halo, 0, None) + 0.2 * np.clip(halo, 0, None)


def _histology(rng, size):
    """Bright-field tissue-like image: bright background, mid-grey stroma texture, dark nuclei."""
    stroma = _smooth_noise(rng, size, rng.uniform(2.0, 6.0))
    tissue = (stroma > rng.uniform(0.3, 0.5)).astype(np.float32)
    labels, nuc = _ellipses(rng, size, int(rng.integers(8, 40)), (size * 0.02, size * 0.06))
    fine = _smooth_noise(rng, size, 0.8)
    return 1.0 - 0.35 * tissue * (0.7 + 0.3 * fine) - 0.5 * nuc * (0.7 + 0.3 * fine)


_RENDER = {"nuclei": _nuclei, "filaments": _filaments, "puncta": _puncta, "membranes": _membranes,
           "mixed": _mixed, "phase": _phase, "histology": _histology}


def synthetic_image(seed: int, size: int = 128, kind: Optional[str] = None) -> Tuple[np.ndarray, str]:
    """A synthetic microscopy image, fully determined by ``seed`` (and ``size``, ``kind``).

    :param seed: non-negative integer; 900..999 are the held-out seeds.
    :param size: side in pixels.
    :param kind: one of :data:`SYNTHETIC_KINDS`, or None to draw it from the seed.
    :return: (raw image as uint8 or uint16 [size x size], domain label)
    """
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    rng = np.random.default_rng([seed, size])
    if kind is None:
        kind = SYNTHETIC_KINDS[int(rng.integers(len(SYNTHETIC_KINDS)))]
    elif kind not in _RENDER:
        raise ValueError(f"unknown synthetic kind '{kind}'; known: {SYNTHETIC_KINDS}")
    signal = _RENDER[kind](rng, size).astype(np.float64)
    fluorescent = _KIND_DOMAIN[kind] == "fluorescence"
    # PSF: Gaussian approximation of the Airy disc, sigma in pixels.
    signal = ndimage.gaussian_filter(signal, rng.uniform(0.6, 2.0))
    # Uneven background / illumination: a random plane plus a broad Gaussian bump.
    yy, xx = np.mgrid[0:size, 0:size] / size
    gy, gx = rng.uniform(-1, 1, 2)
    cy, cx = rng.uniform(0, 1, 2)
    illum = 1.0 + 0.3 * (gy * (yy - 0.5) + gx * (xx - 0.5)) \
        + 0.3 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / rng.uniform(0.05, 0.5))
    if fluorescent:
        peak = 10 ** rng.uniform(1.3, 3.3)  # expected photons at the brightest structure: 20..2000
        background = peak * rng.uniform(0.01, 0.2) * illum
        expected = peak * signal / max(signal.max(), 1e-9) + background
    else:  # transmitted light: illumination multiplies the specimen's transmission
        peak = 10 ** rng.uniform(2.0, 3.5)
        expected = peak * illum * np.clip(signal, 0, None) / max(signal.max(), 1e-9)
    # Poisson-Gaussian noise: shot noise on the photon counts plus camera read noise.
    counts = rng.poisson(np.clip(expected, 0, None)).astype(np.float64)
    counts += rng.normal(0.0, rng.uniform(0.5, 3.0), counts.shape)
    if rng.random() < 0.5:  # 16-bit camera: gain and offset, most of the dtype range unused
        gain, offset = rng.uniform(1.0, 8.0), rng.uniform(90, 500)
        raw = np.clip(np.round(counts * gain + offset), 0, 65535).astype(np.uint16)
    else:  # 8-bit: scaled so the peak lands at 150..255, saturation allowed
        scale = rng.uniform(150, 280) / max(np.percentile(counts, 99.9), 1.0)
        raw = np.clip(np.round(counts * scale), 0, 255).astype(np.uint8)
    return raw, _KIND_DOMAIN[kind]


# --------------------------------------------------------------------------------------------------------------
# training batches and the held-out set
# --------------------------------------------------------------------------------------------------------------

def _augment(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Random rot90 and flip (the 8 symmetries of the square)."""
    x = np.rot90(x, int(rng.integers(4)))
    if rng.random() < 0.5:
        x = x[:, ::-1]
    return np.ascontiguousarray(x)


def random_crop(rng: np.random.Generator, img: np.ndarray, size: int) -> np.ndarray:
    """A random ``size`` x ``size`` crop (reflect-padded when the image is smaller)."""
    h, w = img.shape
    if h < size or w < size:
        img = np.pad(img, ((0, max(0, size - h)), (0, max(0, size - w))), mode="reflect")
        h, w = img.shape
    y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
    return img[y:y + size, x:x + size]


class TrainingData:
    """Endless stream of training crops in [-1, 1], deterministic from ``seed``; never touches the held-out split.

    :param seed: stream seed (the training script's ``--seed``).
    :param size: crop side in pixels.
    :param synthetic_fraction: probability that a sample is synthetic (else a scikit-image crop).
    :param skimage_names: the scikit-image images to crop from (default: all of :data:`TRAINING_SKIMAGE`).
    """

    def __init__(self, seed: int, size: int, synthetic_fraction: float = 0.6,
                 skimage_names: Optional[Sequence[str]] = None):
        self.rng = np.random.default_rng(seed)
        self.size = size
        self.synthetic_fraction = synthetic_fraction
        self.skimage_names = list(TRAINING_SKIMAGE if skimage_names is None else skimage_names)
        if set(self.skimage_names) & set(HELD_OUT_SKIMAGE):
            raise ValueError(f"held-out images {HELD_OUT_SKIMAGE} must not be used for training")

    def training_seed(self) -> int:
        """A synthetic seed outside the held-out range."""
        while True:
            s = int(self.rng.integers(0, 2 ** 31 - 1))
            if s not in HELD_OUT_SEEDS:
                return s

    def sample(self) -> Tuple[np.ndarray, str]:
        """One crop [size x size] float32 in [-1, 1] and its domain label."""
        if self.rng.random() < self.synthetic_fraction:
            raw, domain = synthetic_image(self.training_seed(), self.size)
            img = to_model_range(raw)
        else:
            name = self.skimage_names[int(self.rng.integers(len(self.skimage_names)))]
            domain = SKIMAGE_IMAGES[name]
            img = to_model_range(random_crop(self.rng, skimage_image(name), self.size))
        return _augment(self.rng, img), domain

    def batch(self, n: int) -> Tuple[np.ndarray, List[str]]:
        """``n`` crops as [n x 1 x size x size] float32 and their domain labels."""
        xs, ds = zip(*(self.sample() for _ in range(n)))
        return np.stack(xs)[:, None].astype(np.float32), list(ds)

    def __iter__(self) -> Iterator[Tuple[np.ndarray, str]]:
        while True:
            yield self.sample()


def held_out_images(size: int = 128, n_synthetic: int = 16, crops_per_skimage: int = 2
                    ) -> List[Tuple[str, np.ndarray]]:
    """Deterministic held-out evaluation images, ``[(id, float32 [size x size] in [-1, 1])]``.

    Synthetic seeds 900, 900 + k, ... (``n_synthetic`` of them, spread over 900..999) and ``crops_per_skimage``
    fixed crops (along the diagonal) of each held-out scikit-image image.
    """
    out: List[Tuple[str, np.ndarray]] = []
    for s in np.linspace(900, 999, n_synthetic).round().astype(int):
        raw, _ = synthetic_image(int(s), size)
        out.append((f"synthetic:seed={s}", to_model_range(raw)))
    import skimage.data
    for name in HELD_OUT_SKIMAGE:
        img = getattr(skimage.data, name)()
        h, w = img.shape[:2]
        for k in range(crops_per_skimage):
            f = (k + 1) / (crops_per_skimage + 1)
            y, x = int((h - size) * f), int((w - size) * f)
            out.append((f"skimage:{name}[{y}:{y + size},{x}:{x + size}]",
                        to_model_range(img[y:y + size, x:x + size])))
    return out


def label_index(domain: str) -> int:
    """Index of a label in :data:`LABELS` (the order the manifest lists them in)."""
    return LABELS.index(domain)
