"""The real-image training pack keeps what a model needs to learn users' data (issue #18)."""
import gzip
import json

import numpy as np
from scipy import ndimage

import build_real_pack as pack
import real_images


def natural_crop(seed=0):
    rng = np.random.default_rng(seed)
    x = ndimage.gaussian_filter(rng.standard_normal((128, 128)), 4)
    return (x - x.min()) / (x.max() - x.min()) * 200 + 20  # 0..255 scale


def test_32_bit_outliers_keep_the_faint_content():
    # bright outliers up to 1000x the range: the percentile map may squash the bulk of the image near -1 (as the
    # plugin does to such a file), but the pack's 16-bit levels keep its structure: it still matches the source
    rng = np.random.default_rng(1)
    src = natural_crop()
    for _ in range(20):
        x = pack.normalise(rng, src, "32-bit-outliers")
        assert x.min() >= -1 and x.max() <= 1
        stored = pack.quantise(x).astype(np.float64) / 32767.5 - 1
        bulk = stored < np.percentile(stored, 90)
        assert np.corrcoef(stored[bulk], src[bulk])[0, 1] > 0.95


def test_16_bit_keeps_the_noise_the_camera_adds():
    rng = np.random.default_rng(2)
    flat = np.full((128, 128), 100.0)
    x = pack.normalise(rng, flat, "16-bit")
    assert x.std() > 0.05  # Poisson-Gaussian noise, stretched by the percentiles, not a flat crop


def test_pack_round_trip_into_a_pool(tmp_path):
    rng = np.random.default_rng(3)
    images = [pack.normalise(rng, natural_crop(s), "8-bit") for s in range(4)]
    masks = np.zeros((2, 128, 128), bool)
    masks[:, 10:50, 20:90] = True
    path = tmp_path / "pack.npz"
    np.savez_compressed(path, images=pack.quantise(np.stack(images)), labels=np.zeros(4, np.int8),
                        masks=np.packbits(masks, axis=-1), meta=np.array(json.dumps({"sources": []})))
    pack.pack_to_pool(str(path), str(tmp_path / "pool.npz"))
    with np.load(tmp_path / "pool.npz") as f:
        assert np.abs(f["images"].astype(np.float32) - np.stack(images)).max() < 2e-3  # float16 of the pool
        assert np.array_equal(f["masks"].astype(bool), masks)


def test_travel_budget_counts_what_travels_and_not_what_git_ignores(tmp_path):
    import subprocess
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "weights.bin").write_bytes(b"\0" * (20 << 20))  # untracked, not ignored: travels
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "pack.npz").write_bytes(b"\0" * (30 << 20))  # ignored: only what is carried travels
    budget = pack.travel_budget_mib(str(tmp_path))
    assert abs(budget - (pack.TRAVEL_MIB - 20 - 1)) < 0.01


def test_fits_reader(tmp_path):
    # a 2-block FITS file: primary header (BITPIX -32, 8 x 6) and big-endian float data
    data = np.arange(48, dtype=">f4").reshape(6, 8)
    cards = ["SIMPLE  =                    T", "BITPIX  =                  -32", "NAXIS   =                    2",
             "NAXIS1  =                    8", "NAXIS2  =                    6", "BZERO   =                   10", "END"]
    header = "".join(c.ljust(80) for c in cards).ljust(2880).encode("ascii")
    body = data.tobytes().ljust(2880, b"\0")
    (tmp_path / "x.fits").write_bytes(header + body)
    assert np.array_equal(real_images.read_fits(str(tmp_path / "x.fits")), data.astype(np.float64) + 10)
    (tmp_path / "x.fits.gz").write_bytes(gzip.compress(header + body))
    assert np.array_equal(real_images.read_fits(str(tmp_path / "x.fits.gz")), data.astype(np.float64) + 10)


def test_raw_reader_with_a_height_width_header(tmp_path):
    depth = np.arange(12, dtype="<u2").reshape(3, 4) * 1000
    (tmp_path / "d.bin").write_bytes(np.array([3, 4], "<u4").tobytes() + depth.tobytes())
    got = real_images.read_raw("", str(tmp_path / "d.bin"), "hw:<u2")
    assert got.dtype == np.uint16 and np.array_equal(got, depth)


def test_lists_keep_reserved_packages_out_and_training_apart():
    assert not set(real_images.PACKAGES) & set(real_images.RESERVED)
    eval_files = {(e.package, e.path) for e in real_images.EVALUATION}
    assert len(real_images.EVALUATION) >= 30 and len({e.kind for e in real_images.EVALUATION}) >= 6
    for t in real_images.TRAINING:
        assert t.package not in real_images.RESERVED
        assert (t.package, t.pattern) not in eval_files
    assert all(len(e.sha256) == 64 for e in real_images.EVALUATION)
    # the other sets: pinned files of packages neither evaluated nor trained on, ids unique across the sets
    for name, other in real_images.SETS.items():
        if name == "evaluation":
            continue
        assert all(len(e.sha256) == 64 for e in other)
        assert not {e.package for e in other} & ({e.package for e in real_images.EVALUATION}
                                                 | {t.package for t in real_images.TRAINING})
    ids = [e.id for s in real_images.SETS.values() for e in s]
    assert len(ids) == len(set(ids))
