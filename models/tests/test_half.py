"""Half-precision variant of a bundle (issue 22): ldm_models/half.py on the tiny test bundle."""
import json
import os

import pytest
import torch

import make_test_bundle
from ldm_models.export import BundleError, verify_bundle
from ldm_models.half import make_half


# The tiny bundle's random weights compound bfloat16's rounding: its encoder differs from float32 by 0.03-0.05 of
# the output's range on most CPUs and by 0.07 on an AMD EPYC without native bfloat16 (session 37), above make_half's
# default bound for trained bundles (0.05). A wrong cast differs by the whole range.
TINY_RTOL = 0.15


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("half") / "tiny")
    make_test_bundle.make(out)
    return out


def test_bfloat16_variant_round_trips_within_its_precision(tiny, tmp_path):
    out = str(tmp_path / "bf16")
    m = make_half(tiny, out, "bfloat16", rtol=TINY_RTOL)
    assert m["dtype"] == "bfloat16" and verify_bundle(out)["dtype"] == "bfloat16"
    ref = json.load(open(os.path.join(tiny, "model.json")))
    assert m["denoisers"].keys() == ref["denoisers"].keys()
    # every part takes and returns float32 (DJL cannot hold bfloat16) and agrees with float32 within TINY_RTOL of the
    # output's range: bfloat16 keeps 8 significant bits (0.4 % per rounding), random tiny weights compound a few
    # (0.02-0.04 for the denoisers)
    gen = torch.Generator().manual_seed(7)
    for key, d in ref["denoisers"].items():
        if "context" in d:
            continue
        c_in = sum(i["channels"] for i in d["inputs"])
        x = torch.randn(1, c_in, 8, 12, generator=gen)
        t = torch.tensor([321])
        full = torch.jit.load(os.path.join(tiny, d["file"]))(x, t)
        half = torch.jit.load(os.path.join(out, d["file"]))(x, t)
        assert half.dtype == torch.float32
        err = ((half - full).abs().max() / (full.max() - full.min())).item()
        assert 0 < err < TINY_RTOL, f"{key}: bfloat16 differs by {err:.3g} of the range"
    z = torch.randn(1, 3, 8, 8, generator=gen)
    assert torch.jit.load(os.path.join(out, "decoder.pt"))(z).dtype == torch.float32
    for name, err in m["provenance"]["half_precision"]["max_error_of_range"].items():
        assert err < TINY_RTOL, name


def test_half_of_a_half_bundle_and_unknown_types_are_refused(tiny, tmp_path):
    make_half(tiny, str(tmp_path / "bf16"), "bfloat16", rtol=TINY_RTOL)
    with pytest.raises(BundleError, match="already a bfloat16 bundle"):
        make_half(str(tmp_path / "bf16"), str(tmp_path / "again"), "float16")
    with pytest.raises(BundleError, match="not one of"):
        make_half(tiny, str(tmp_path / "int8"), "int8")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="float16 convolutions need CUDA in this PyTorch")
def test_float16_variant_on_cuda(tiny, tmp_path):
    m = make_half(tiny, str(tmp_path / "fp16"), "float16", device="cuda")
    assert m["dtype"] == "float16"
