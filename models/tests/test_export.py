"""Bundle export: the README contract (signatures, shapes), eager == reloaded, hashes, schema."""
import json
import os
import shutil

import pytest
import torch
import torch.nn as nn

import make_test_bundle
from ldm_models.autoencoder import AutoencoderKL, VQModel
from ldm_models.export import (BundleError, ContextSpec, DenoiserSpec, export_bundle, load_schema,
                               validate_manifest, verify_bundle)
from ldm_models.tau import ClassEmbedder

LABELS = ["a", "b", "none"]
SCHEDULE = {"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205, "timesteps": 1000}
META = dict(name="t", description="test", license="MIT", citation="test", data={"training": "x", "held_out": []},
            provenance={"command": "pytest", "seed": 0})


def _randomize(m, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.05)
    return m.eval()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A bundle with all three denoisers, and the eager modules it was made from."""
    torch.manual_seed(0)
    out = str(tmp_path_factory.mktemp("b") / "tiny")
    ae = _randomize(AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                                       ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[16], dropout=0.0), 3))
    unets = {"inpaint": _randomize(make_test_bundle.tiny_unet(7), 1),
             "superres": _randomize(make_test_bundle.tiny_unet(4), 2),
             "unconditional": _randomize(make_test_bundle.tiny_unet(3, context_dim=32), 3)}
    tau = _randomize(ClassEmbedder(32, len(LABELS)), 4)
    mask = {"name": "mask", "channels": 1, "resize": "nearest", "range": [-1.0, 1.0]}
    specs = {
        "inpaint": DenoiserSpec(unets["inpaint"], [{"name": "noisy_latent", "channels": 3},
                                                   {"name": "masked_image_latent", "channels": 3}, mask], 64),
        "superres": DenoiserSpec(unets["superres"], [{"name": "noisy_latent", "channels": 3},
                                                     {"name": "low_res_image", "channels": 1, "range": [-1.0, 1.0]}], 64),
        "unconditional": DenoiserSpec(unets["unconditional"], [{"name": "noisy_latent", "channels": 3}], 64,
                                      context=ContextSpec(tau, LABELS, "none")),
    }
    manifest = export_bundle(out, autoencoder=ae, denoisers=specs, schedule=SCHEDULE, scale_factor=0.8,
                             image_channels=1, **META)
    return out, manifest, ae, unets, tau


def test_manifest_follows_readme(tiny):
    out, manifest, *_ = tiny
    with open(os.path.join(out, "model.json")) as f:
        assert json.load(f) == manifest
    validate_manifest(manifest)
    assert manifest["autoencoder"]["type"] == "kl" and manifest["autoencoder"]["downsampling_factor"] == 4
    assert manifest["autoencoder"]["latent_channels"] == 3 and manifest["autoencoder"]["scale_factor"] == 0.8
    assert manifest["autoencoder"]["decode_quantizes"] is False
    assert "cosine_s" not in manifest["schedule"]
    ctx = manifest["denoisers"]["unconditional"]["context"]
    assert ctx == {"encoder": ctx["encoder"], "labels": LABELS, "null_label": "none", "tokens": 1, "dim": 32}
    # the U-Net downsamples twice (2^(levels-1) = 2) but GroupNorm with one channel per group fails at 1x1, so
    # the exporter declares the smallest multiple that runs
    assert manifest["denoisers"]["inpaint"]["latent_multiple"] == 4
    assert [i["name"] for i in manifest["denoisers"]["inpaint"]["inputs"]] == ["noisy_latent", "masked_image_latent", "mask"]
    assert manifest["provenance"]["software"].startswith("torch ")
    assert set(os.listdir(out)) == {"model.json", "encoder.pt", "decoder.pt", "inpaint.pt", "superres.pt",
                                    "unconditional.pt", "tau.pt"}


def test_manifest_valid_under_jsonschema(tiny):
    jsonschema = pytest.importorskip("jsonschema")   # the built-in validator covers the same schema
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(tiny[1], schema)


def test_every_part_round_trips_within_1e5_of_eager(tiny):
    out, manifest, ae, unets, tau = tiny
    load = lambda f: torch.jit.load(os.path.join(out, f))  # noqa: E731
    x = torch.rand(1, 1, 24, 40) * 2 - 1          # sizes other than the exporter's own check
    with torch.no_grad():
        z = load("encoder.pt")(x)
        assert z.shape == (1, 3, 6, 10)
        assert (z - ae.encode(x).mode()).abs().max() <= 1e-5
        img = load("decoder.pt")(z)
        assert img.shape == (1, 1, 24, 40)
        assert (img - ae.decode(z)).abs().max() <= 1e-5
        labels = torch.tensor([2, 0])
        c = load("tau.pt")(labels)
        assert c.shape == (2, 1, 32) and (c - tau(labels)).abs().max() <= 1e-5
        t = torch.tensor([999, 0])
        for key, c_in in [("inpaint", 7), ("superres", 4), ("unconditional", 3)]:
            d = manifest["denoisers"][key]
            assert sum(i["channels"] for i in d["inputs"]) == c_in
            xin = torch.randn(2, c_in, 4, 6)
            args = (xin, t, c) if "context" in d else (xin, t)
            eps = load(d["file"])(*args)
            assert eps.shape == (2, 3, 4, 6)
            assert (eps - unets[key](*args)).abs().max() <= 1e-5


def test_parts_bake_in_no_device(tiny):
    out = tiny[0]
    for f in os.listdir(out):
        if f.endswith(".pt"):
            graph = str(torch.jit.load(os.path.join(out, f)).inlined_graph)
            assert '"cpu"' not in graph and "cuda" not in graph, f"{f} has a device constant"


def test_tampered_or_missing_file_fails_verification(tiny, tmp_path):
    out = str(tmp_path / "copy")
    shutil.copytree(tiny[0], out)
    verify_bundle(out)
    with open(os.path.join(out, "superres.pt"), "r+b") as f:
        f.seek(100)
        b = f.read(1)
        f.seek(100)
        f.write(bytes([b[0] ^ 1]))
    with pytest.raises(BundleError, match="superres.pt"):
        verify_bundle(out)
    shutil.copy(os.path.join(tiny[0], "superres.pt"), os.path.join(out, "superres.pt"))
    verify_bundle(out)
    os.remove(os.path.join(out, "tau.pt"))
    with pytest.raises(BundleError, match="tau.pt.*missing"):
        verify_bundle(out)


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["denoisers"]["inpaint"]["inputs"][0].update(name="latent"), "not one of"),
    (lambda m: m["denoisers"]["inpaint"]["inputs"][0].update(channels=4), "noisy_latent has 4 channels"),
    (lambda m: m["denoisers"]["unconditional"]["context"].update(null_label="empty"), "null_label"),
    (lambda m: m["autoencoder"].update(sha256="00"), "unexpected entry"),
    (lambda m: m["schedule"].update(beta_schedule="cosine"), "cosine_s"),
    (lambda m: m["denoisers"].update(foo=m["denoisers"]["inpaint"]), "unexpected entry 'foo'"),
    (lambda m: m["autoencoder"]["encoder"].update(file="../x.pt"), "does not match"),
    (lambda m: m.pop("provenance"), "missing required 'provenance'"),
])
def test_invalid_manifests_are_rejected(tiny, edit, message):
    m = json.loads(json.dumps(tiny[1]))
    edit(m)
    with pytest.raises(BundleError, match=message):
        validate_manifest(m)


class _Unfaithful(nn.Module):
    """Behaves differently once scripted: the exporter must notice."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet
        self.in_channels, self.out_channels, self.latent_multiple = unet.in_channels, unet.out_channels, 2
        self.uses_context = False

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        y = self.unet(x, t)
        if torch.jit.is_scripting():
            y = y + 1e-3
        return y


def test_export_refuses_part_that_differs_from_eager(tmp_path):
    ae = AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 3)
    spec = DenoiserSpec(_Unfaithful(make_test_bundle.tiny_unet(3)), [{"name": "noisy_latent", "channels": 3}], 64)
    with pytest.raises(BundleError, match="differs from eager"):
        export_bundle(str(tmp_path / "bad"), autoencoder=ae, denoisers={"superres": spec}, schedule=SCHEDULE, **META)
    assert not os.path.exists(tmp_path / "bad")


def test_export_checks_channel_layout(tmp_path):
    ae = AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 3)
    spec = DenoiserSpec(make_test_bundle.tiny_unet(7), [{"name": "noisy_latent", "channels": 3}], 64)
    with pytest.raises(BundleError, match="sum to 3 channels, the U-Net takes 7"):
        export_bundle(str(tmp_path / "bad"), autoencoder=ae, denoisers={"inpaint": spec}, schedule=SCHEDULE, **META)


def test_vq_bundle_decoder_quantizes(tmp_path):
    torch.manual_seed(0)
    vq = _randomize(VQModel(dict(double_z=False, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                                 ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 16, 3))
    spec = DenoiserSpec(make_test_bundle.tiny_unet(3), [{"name": "noisy_latent", "channels": 3}], 64)
    m = export_bundle(str(tmp_path / "vq"), autoencoder=vq, denoisers={"superres": spec}, schedule=SCHEDULE, **META)
    assert m["autoencoder"]["type"] == "vq" and m["autoencoder"]["decode_quantizes"] is True
    dec = torch.jit.load(str(tmp_path / "vq" / "decoder.pt"))
    z = torch.randn(1, 3, 4, 4)
    with torch.no_grad():
        assert torch.allclose(dec(z), vq.decode(z), atol=1e-5)
        assert torch.allclose(dec(z), dec(vq.quantize(z)[0]), atol=1e-5), "decoding must quantize first"


def test_patch_shortcut_autoencoder_round_trips_and_each_part_holds_its_own_half(tmp_path):
    ae = _randomize(AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                                       ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 3,
                                  patch_shortcut=True))
    spec = DenoiserSpec(make_test_bundle.tiny_unet(3), [{"name": "noisy_latent", "channels": 3}], 64)
    export_bundle(str(tmp_path / "ps"), autoencoder=ae, denoisers={"superres": spec}, schedule=SCHEDULE, **META)
    enc, dec = (torch.jit.load(str(tmp_path / "ps" / f)) for f in ("encoder.pt", "decoder.pt"))
    x = torch.rand(1, 1, 24, 40) * 2 - 1
    with torch.no_grad():
        assert (enc(x) - ae.encode(x).mode()).abs().max() <= 1e-5
        z = enc(x)
        assert (dec(z) - ae.decode(z)).abs().max() <= 1e-5
    assert {n for n, _ in enc.named_parameters()} == {"patch_encoder.proj.weight", "patch_encoder.proj.bias",
                                                      "quant_conv.weight", "quant_conv.bias"} | {
        "encoder." + n for n, _ in ae.encoder.named_parameters()}
    assert not any(n.startswith("encoder.") or n.startswith("patch_encoder") for n, _ in dec.named_parameters())


def test_make_test_bundle_writes_a_valid_bundle(tmp_path):
    make_test_bundle.main(["--out", str(tmp_path / "tiny")])
    m = verify_bundle(str(tmp_path / "tiny"))
    assert set(m["denoisers"]) == {"inpaint", "superres", "unconditional"} and m["image"]["channels"] == 1


def test_export_leaves_callers_modules_untouched(tmp_path):
    ae = AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 3).train()
    unet = make_test_bundle.tiny_unet(3).train()
    before = {k: v.clone() for k, v in unet.state_dict().items()}
    export_bundle(str(tmp_path / "b"), autoencoder=ae, schedule=SCHEDULE, **META,
                  denoisers={"superres": DenoiserSpec(unet, [{"name": "noisy_latent", "channels": 3}], 64)})
    assert unet.training and ae.training, "export must not switch the caller's modules to eval mode"
    assert all(torch.equal(before[k], v) for k, v in unet.state_dict().items())


def test_export_never_replaces_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    ae = AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 3)
    spec = DenoiserSpec(make_test_bundle.tiny_unet(3), [{"name": "noisy_latent", "channels": 3}], 64)
    for overwrite in (False, True):
        with pytest.raises(BundleError, match="not empty"):
            export_bundle(str(tmp_path), autoencoder=ae, denoisers={"superres": spec}, schedule=SCHEDULE,
                          overwrite=overwrite, **META)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_overwriting_a_bundle_keeps_its_samples_folder(tmp_path):
    ae = AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 3)
    spec = DenoiserSpec(make_test_bundle.tiny_unet(3), [{"name": "noisy_latent", "channels": 3}], 64)
    out = tmp_path / "b"
    export_bundle(str(out), autoencoder=ae, denoisers={"superres": spec}, schedule=SCHEDULE, **META)
    (out / "samples").mkdir()
    (out / "samples" / "cells.tif").write_bytes(b"pixels")
    (out / "EVALUATION.md").write_text("old figures")
    export_bundle(str(out), autoencoder=ae, denoisers={"superres": spec}, schedule=SCHEDULE, overwrite=True, **META)
    assert (out / "samples" / "cells.tif").read_bytes() == b"pixels", "the demo's sample image must survive"
    assert not (out / "EVALUATION.md").exists(), "figures of the replaced weights must not survive"


def test_an_input_of_17_channels_is_padded_to_32_inside_the_part_with_the_same_output(tmp_path):
    """libtorch 2.7.1's oneDNN computes convolutions of 17-31, 33-47, ... input channels wrongly on the CPU
    (src/main/java/org/ldmfiji/model/OneDnnPadding.java): such a denoiser input (the demo's inpainting takes
    8 + 8 + 1 = 17) gets zero channels inside its part, and the input convolution zero weights for them. A bundle
    exported before is padded by pad_input_channels.py the same way. Both compute what the U-Net computes."""
    import pad_input_channels
    from ldm_models.export import DenoiserPart, block_padding, sha256_file
    assert [block_padding(c) for c in (4, 8, 9, 16, 17, 24, 32, 33, 320)] == [0, 0, 7, 0, 15, 8, 0, 15, 0]
    ae = AutoencoderKL(dict(double_z=True, z_channels=3, resolution=32, in_channels=1, out_ch=1, ch=32,
                            ch_mult=[1, 2, 2], num_res_blocks=1, attn_resolutions=[], dropout=0.0), 3)
    unet = _randomize(make_test_bundle.tiny_unet(17), 6)
    inputs = [{"name": "noisy_latent", "channels": 3}, {"name": "low_res_image", "channels": 14}]
    out = str(tmp_path / "b")
    export_bundle(out, autoencoder=ae, schedule=SCHEDULE, **META,
                  denoisers={"superres": DenoiserSpec(unet, inputs, 64)})
    path = os.path.join(out, "superres.pt")
    x, t = torch.randn(2, 17, 8, 12), torch.tensor([4, 800])
    with torch.no_grad():
        want = unet(x, t)
        part = torch.jit.load(path)
        assert part.pad == 15 and dict(part.named_parameters())["unet.input_blocks.0.0.weight"].shape[1] == 32
        assert float((part(x, t) - want).abs().max()) < 1e-5
    assert unet.input_blocks[0][0].weight.shape[1] == 17, "the caller's U-Net stays as given"
    weight = unet.input_blocks[0][0].weight
    export_bundle(str(tmp_path / "c"), autoencoder=ae, schedule=SCHEDULE, **META, copy_modules=False,
                  denoisers={"superres": DenoiserSpec(unet, inputs, 64)})
    assert unet.input_blocks[0][0].weight is weight, "the converter's own U-Net (padded in place) is put back"
    assert torch.jit.load(os.path.join(str(tmp_path / "c"), "superres.pt")).pad == 15

    # a bundle of the unpadded layout, as exported before: padded in place by pad_input_channels.py
    torch.jit.save(torch.jit.script(DenoiserPart(unet)), path)
    manifest = json.load(open(os.path.join(out, "model.json")))
    manifest["denoisers"]["superres"]["sha256"] = sha256_file(path)
    json.dump(manifest, open(os.path.join(out, "model.json"), "w"))
    pad_input_channels.main(["--bundle", out])
    verify_bundle(out)
    with torch.no_grad():
        part = torch.jit.load(path)
        assert part.pad == 15 and float((part(x, t) - want).abs().max()) < 1e-5
