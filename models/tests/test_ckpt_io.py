"""Reading checkpoints as users have them: Lightning pickles without Lightning, refusing pickles that run code,
EMA weights by default, safetensors, memory-mapped storages."""
import json
import os
import pickle
import struct
import subprocess
import sys
import types

import pytest
import torch

from ldm_models import convert
from ldm_models.ckpt_io import CheckpointError, StandIn, UnsafePickleError, read_safetensors, read_state_dict
from ldm_models.export import verify_bundle
from ldm_models.sd_keys import read_source

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS)
import make_sd_test_bundle as msb  # noqa: E402


def _fake_lightning_modules():
    """Modules named like Lightning's, made here (Lightning is not installed): classes pickled by reference."""
    pl = types.ModuleType("pytorch_lightning")
    cb = types.ModuleType("pytorch_lightning.callbacks")
    mc = types.ModuleType("pytorch_lightning.callbacks.model_checkpoint")

    class ModelCheckpoint:
        pass

    class AttributeDict(dict):
        pass

    ModelCheckpoint.__module__ = mc.__name__
    ModelCheckpoint.__qualname__ = "ModelCheckpoint"
    AttributeDict.__module__ = "pytorch_lightning.utilities.parsing"
    AttributeDict.__qualname__ = "AttributeDict"
    mc.ModelCheckpoint = ModelCheckpoint
    parsing = types.ModuleType("pytorch_lightning.utilities.parsing")
    parsing.AttributeDict = AttributeDict
    utilities = types.ModuleType("pytorch_lightning.utilities")
    mods = {m.__name__: m for m in (pl, cb, mc, parsing, utilities)}
    return mods, ModelCheckpoint, AttributeDict


def write_lightning_checkpoint(path, state_dict):
    """A checkpoint as Lightning 1.x writes it: the callbacks dict keyed by the callback class, hyper-parameters in
    Lightning's AttributeDict, a callback object."""
    mods, ModelCheckpoint, AttributeDict = _fake_lightning_modules()
    sys.modules.update(mods)
    try:
        cb = ModelCheckpoint()
        cb.best_model_path, cb.monitor = "/logs/last.ckpt", "val/loss_simple_ema"
        hp = AttributeDict(lr=1e-4)
        torch.save({"epoch": 3, "global_step": 12345, "pytorch-lightning_version": "1.4.2", "state_dict": state_dict,
                    "callbacks": {ModelCheckpoint: {"best_model_score": torch.tensor(0.1), "object": cb}},
                    "optimizer_states": [], "lr_schedulers": [], "hyper_parameters": hp}, path)
    finally:
        for name in mods:
            del sys.modules[name]


@pytest.fixture(scope="module")
def tiny_sd1(tmp_path_factory):
    d = tmp_path_factory.mktemp("sd1")
    n_vocab = msb.write_toy_tokenizer(str(d / "tokenizer"))
    cfg = msb.tiny_config("sd1", n_vocab)
    sd = msb.fake_checkpoint_state_dict(cfg, seed=3, ema=True)
    return d, cfg, sd


def test_lightning_checkpoint_converts_without_lightning_and_takes_ema(tiny_sd1):
    d, cfg, sd = tiny_sd1
    ckpt = str(d / "lightning.ckpt")
    write_lightning_checkpoint(ckpt, sd)
    with pytest.raises(ModuleNotFoundError, match="pytorch_lightning"):  # what users hit with plain torch.load
        torch.load(ckpt, map_location="cpu")
    out = str(d / "bundle")
    assert convert.main(["--ckpt", ckpt, "--config", "sd1", "--out", out, "--tokenizer", str(d / "tokenizer")]
                        ) == 2  # full-size sd1 does not fit the tiny file: refused by name
    m = convert.convert(ckpt, cfg, out, tokenizer=str(d / "tokenizer"))
    verify_bundle(out)
    assert m["name"].endswith("-ema") and "EMA" in m["provenance"]["data"]
    w = "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
    got = torch.jit.load(os.path.join(out, "unconditional.pt")).state_dict()["unet." + w]
    assert torch.equal(got, sd["model_ema.diffusion_model" + w.replace(".", "")])
    assert not torch.equal(got, sd["model.diffusion_model." + w])


def test_ema_default_raw_option_and_required_ema(tiny_sd1, tmp_path):
    d, cfg, sd = tiny_sd1
    ckpt = str(tmp_path / "a.ckpt")
    write_lightning_checkpoint(ckpt, sd)
    w = "out.2.weight"
    assert torch.equal(read_source(ckpt).unet[w], sd["model_ema.diffusion_modelout2weight"])
    assert torch.equal(read_source(ckpt, ema=False).unet[w], sd["model.diffusion_model." + w])
    no_ema = {k: v for k, v in sd.items() if not k.startswith("model_ema.")}
    write_lightning_checkpoint(ckpt, no_ema)
    src = read_source(ckpt)
    assert not src.ema and torch.equal(src.unet[w], sd["model.diffusion_model." + w])
    with pytest.raises(CheckpointError, match="no EMA weights"):
        read_source(ckpt, ema=True)


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("zip_format", [True, False])
def test_pickle_that_runs_code_is_refused(tmp_path, capsys, zip_format):
    marker = tmp_path / "ran"
    ckpt = str(tmp_path / "evil.ckpt")
    torch.save({"state_dict": {"model.diffusion_model.x": torch.zeros(2)}, "payload": _RunsCode(marker)}, ckpt,
               _use_new_zipfile_serialization=zip_format)
    with pytest.raises(UnsafePickleError, match=r"refused: its pickle calls (os|posix)\.system"):
        read_state_dict(ckpt)
    assert convert.main(["--ckpt", ckpt, "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err.strip()
    assert "refused" in err and len(err.splitlines()) == 1
    assert not marker.exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("zip_format", [True, False])
def test_other_classes_become_inert_stand_ins(tmp_path, zip_format):
    mods, ModelCheckpoint, _ = _fake_lightning_modules()
    ckpt = str(tmp_path / "x.ckpt")
    sys.modules.update(mods)
    try:
        b = torch.arange(10.0)
        torch.save({"state_dict": {"a": torch.arange(6.0).reshape(2, 3), "b": b[2:5], "h": b.half()},
                    "cb": ModelCheckpoint()}, ckpt, _use_new_zipfile_serialization=zip_format)
    finally:
        for name in mods:
            del sys.modules[name]
    from ldm_models.ckpt_io import read_checkpoint_object
    obj = read_checkpoint_object(ckpt)
    assert isinstance(obj["cb"], StandIn) and "ModelCheckpoint" in repr(obj["cb"])
    assert torch.equal(obj["state_dict"]["a"], torch.arange(6.0).reshape(2, 3))
    assert torch.equal(obj["state_dict"]["b"], torch.arange(2.0, 5.0))  # a view into a shared storage
    assert obj["state_dict"]["h"].dtype == torch.float16 and torch.equal(obj["state_dict"]["h"].float(), b)


def write_safetensors(path, tensors, metadata=None):
    """The safetensors layout written by hand: u64 header length, JSON header, raw little-endian bytes."""
    header, blobs, offset = {}, [], 0
    names = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64", torch.bfloat16: "BF16"}
    for k, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def test_safetensors_read_and_bad_header_refused(tmp_path):
    g = torch.Generator().manual_seed(0)
    ts = {"a": torch.randn(3, 4, generator=g), "b.h": torch.randn(5, generator=g).half(),
          "c": torch.arange(7), "d": torch.randn(2, 2, generator=g).bfloat16(), "e": torch.zeros(0, 3)}
    p = str(tmp_path / "x.safetensors")
    write_safetensors(p, ts, {"format": "pt"})
    got, meta = read_safetensors(p)
    assert meta == {"format": "pt"} and set(got) == set(ts)
    for k in ts:
        assert got[k].dtype == ts[k].dtype and torch.equal(got[k], ts[k])
    assert torch.equal(read_state_dict(p)[0]["a"], ts["a"])
    with open(p, "r+b") as f:  # data_offsets pointing past the end of the file
        f.write(struct.pack("<Q", 10 ** 12))
    with pytest.raises(CheckpointError, match="header length"):
        read_safetensors(p)


def test_storages_are_memory_mapped_not_read(tmp_path):
    """Reading a 256 MiB checkpoint adds far less than 256 MiB of resident memory (no second copy)."""
    ckpt = str(tmp_path / "big.ckpt")
    torch.save({"state_dict": {"w": torch.ones(64, 1024, 1024)}}, ckpt)
    code = ("import sys; sys.path.insert(0, %r)\n"
            "import torch, resource, os\n"
            "from ldm_models.ckpt_io import read_state_dict\n"
            "def rss(): return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') >> 20\n"
            "a = rss(); sd, _ = read_state_dict(%r); w = sd['w']\n"
            "assert w.shape == (64, 1024, 1024) and w[63, 1023, 1023].item() == 1.0\n"
            "print(rss() - a)\n") % (MODELS, ckpt)
    grown = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
    assert grown < 32, f"reading grew resident memory by {grown} MiB"


def test_text_encoder_keys_of_old_transformers_versions_are_found(tiny_sd1):
    """SD 1.x files saved with transformers < 4.18 have cond_stage_model.transformer.embeddings.* (no text_model)."""
    _, _, sd = tiny_sd1
    old = {(k.replace("cond_stage_model.transformer.text_model.", "cond_stage_model.transformer.")): v
           for k, v in sd.items()}
    new_src, old_src = read_source_from(sd), read_source_from(old)
    assert sorted(old_src.text) == sorted(new_src.text)
    assert all(torch.equal(old_src.text[k], new_src.text[k]) for k in new_src.text)
    assert [k.replace("transformer.text_model.", "transformer.") for k in new_src.ignored] == old_src.ignored


def read_source_from(sd):
    from ldm_models.sd_keys import split_compvis
    return split_compvis(sd, "x.ckpt")
