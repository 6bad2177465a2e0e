"""One-iteration smoke runs of the training, export and evaluation scripts on tiny configurations, so the
scripts cannot rot silently, plus the DDIM sampler of evaluate.py against a closed-form denoiser."""
import json
import math
import os

import numpy as np
import pytest
import torch

import build_demo
import evaluate
import replace_decoder
import train_autoencoder
import train_denoiser


@pytest.fixture(scope="module")
def ae_ckpt(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("ckpt") / "ae.pt")
    result = train_autoencoder.main(["--out", out, "--steps", "2", "--batch", "2", "--crop", "16", "--ch", "32",
                                     "--warmup", "1", "--threads", "1", "--seed", "5", "--eval-size", "32"])
    return out, result


def test_autoencoder_smoke(ae_ckpt):
    path, result = ae_ckpt
    ck = torch.load(path)
    assert ck["step"] == 2 and ck["seed"] == 5
    assert "train_autoencoder.py" in ck["command"] and "--steps 2" in ck["command"], "command line must be recorded"
    assert math.isfinite(ck["scale_factor"]) and ck["scale_factor"] > 0
    model, _ = train_autoencoder.load_autoencoder(path)
    x = torch.zeros(1, 1, 16, 24)
    assert model.decode(model.encode(x).mode()).shape == x.shape


def test_autoencoder_is_reproducible_by_seed(ae_ckpt, tmp_path):
    path, _ = ae_ckpt
    out = str(tmp_path / "again.pt")
    train_autoencoder.main(["--out", out, "--steps", "2", "--batch", "2", "--crop", "16", "--ch", "32",
                            "--warmup", "1", "--threads", "1", "--seed", "5", "--eval-size", "32"])
    a, b = torch.load(path)["state_dict"], torch.load(out)["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a), "same seed and arguments must give the same weights"


def test_patch_shortcut_run_starts_at_the_linear_code(ae_ckpt, tmp_path):
    out = str(tmp_path / "ps.pt")
    result = train_autoencoder.main(["--out", out, "--steps", "1", "--batch", "2", "--crop", "16", "--ch", "32",
                                     "--embed-dim", "8", "--patch-shortcut", "--lr", "1e-6", "--warmup", "1",
                                     "--threads", "1", "--seed", "5", "--eval-size", "32"])
    model, ckpt = train_autoencoder.load_autoencoder(out)
    assert ckpt["config"]["patch_shortcut"] is True and model.patch_decoder is not None
    # one step: the plain autoencoder reconstructs nothing yet, the shortcut one already codes its patches
    assert result["held_out_psnr"] > ae_ckpt[1]["held_out_psnr"] + 10


def test_patch_pca_start_is_the_best_linear_code_of_the_latent_size():
    g = torch.Generator().manual_seed(0)
    x = torch.nn.functional.avg_pool2d(torch.randn(8, 1, 35, 35, generator=g), 4, 1)  # correlated pixels
    ae = train_autoencoder.build_autoencoder({"ddconfig": train_autoencoder.ddconfig(train_autoencoder.parse_args(
        ["--out", "x", "--ch", "32", "--num-res-blocks", "1"])), "embed_dim": 3, "patch_shortcut": True})
    train_autoencoder.init_patch_pca(ae, x)
    patches = torch.nn.functional.pixel_unshuffle(x, 4).permute(0, 2, 3, 1).reshape(-1, 16).double()
    singular = torch.linalg.svd(patches - patches.mean(0), full_matrices=False)[1]
    with torch.no_grad():
        post = ae.encode(x)
        err = (ae.decode(post.mode()) - x).double().pow(2).sum()
    # Eckart-Young: the rank-3 code's squared error is the sum of the discarded squared singular values
    assert float(err) == pytest.approx(float(singular[3:].pow(2).sum()), rel=1e-4)
    assert float(post.std.max()) < 1e-3
    with pytest.raises(ValueError, match="--patch-shortcut starts a new autoencoder"):
        train_autoencoder.main(["--out", "x.pt", "--patch-shortcut", "--init", "y.npz"])


@pytest.mark.parametrize("task", train_denoiser.TASKS)
def test_denoiser_smoke(ae_ckpt, tmp_path, task):
    out = str(tmp_path / f"{task}.pt")
    train_denoiser.main(["--task", task, "--autoencoder", ae_ckpt[0], "--out", out, "--steps", "1", "--batch", "2",
                         "--crop", "16", "--threads", "1", "--log-every", "1"])
    unet, tau, ck = train_denoiser.load_denoiser(out)
    cfg = ck["config"]
    assert cfg["task"] == task and "--task " + task in ck["command"]
    assert cfg["inputs"][0]["name"] == "noisy_latent"
    c_in = sum(i["channels"] for i in cfg["inputs"])
    x, t = torch.randn(2, c_in, 4, 8), torch.tensor([0, 999])
    context = tau(torch.tensor([0, 4])) if tau is not None else None
    assert unet(x, t, context).shape == (2, cfg["latent_channels"], 4, 8)
    assert (tau is not None) == (task == "unconditional")


def test_linear_schedule_matches_compvis():
    ac = train_denoiser.alphas_cumprod({"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205,
                                        "timesteps": 1000})
    betas = 1 - ac[1:] / ac[:-1]
    assert float(1 - ac[0]) == pytest.approx(0.0015)
    assert float(betas[-1]) == pytest.approx(0.0205, rel=1e-9)
    assert float(betas[499]) == pytest.approx(np.linspace(0.0015 ** 0.5, 0.0205 ** 0.5, 1000)[500] ** 2)


@pytest.mark.parametrize("prediction", ["v", "eps"])
def test_x0_loss_weight_gives_the_error_of_the_implied_clean_latent(prediction):
    g = torch.Generator().manual_seed(0)
    z0, eps, err = (torch.randn(5, 2, 3, 3, generator=g) for _ in range(3))
    a = torch.linspace(0.01, 0.99, 5).view(5, 1, 1, 1)
    zt = a.sqrt() * z0 + (1 - a).sqrt() * eps
    target = eps if prediction == "eps" else a.sqrt() * eps - (1 - a).sqrt() * z0
    pred = target + err
    if prediction == "eps":
        x0_hat = (zt - (1 - a).sqrt() * pred) / a.sqrt()
    else:
        x0_hat = a.sqrt() * zt - (1 - a).sqrt() * pred
    args = train_denoiser.parse_args(["--task", "superres", "--autoencoder", "a", "--out", "o",
                                      "--prediction", prediction, "--loss-weight", "x0"])
    weighted = train_denoiser.loss_weight(args, a) * (pred - target) ** 2
    assert torch.allclose(weighted, (x0_hat - z0) ** 2, atol=1e-5)


def test_ddim_on_a_point_mass_follows_the_closed_form():
    """Data z0 = c: the exact eps is (x − sqrt(ā)·c)/sqrt(1 − ā), and DDIM (eta 0) keeps it constant, so the
    result must be sqrt(ā_0)·c + sqrt(1 − ā_0)·eps_T (CompVis ends at ā_prev = ā[0], not at ā = 1)."""
    ac = train_denoiser.alphas_cumprod({"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205,
                                        "timesteps": 1000}).float()
    c = 0.7

    def eps(x, t):
        a = ac[t].view(-1, 1, 1, 1)
        return (x - a.sqrt() * c) / (1 - a).sqrt()
    z = evaluate.ddim_sample(eps, (2, 3, 4, 4), ac, 20, torch.Generator().manual_seed(0))
    x_T = torch.randn((2, 3, 4, 4), generator=torch.Generator().manual_seed(0))
    t_first = 951  # range(0, 1000, 50) + 1, last entry
    eps_T = (x_T - ac[t_first].sqrt() * c) / (1 - ac[t_first]).sqrt()
    expected = ac[0].sqrt() * c + (1 - ac[0]).sqrt() * eps_T
    assert torch.allclose(z, expected, atol=1e-4), f"max error {float((z - expected).abs().max()):.2e}"


def test_back_projection_makes_the_output_consistent():
    x, y = torch.rand(1, 1, 16, 16), torch.rand(1, 1, 4, 4)
    from ldm_models.degrade import area_down4
    assert torch.allclose(area_down4(evaluate.back_project(x, y)), y, atol=1e-6)


def test_export_and_evaluate_smoke(ae_ckpt, tmp_path):
    den = str(tmp_path / "superres.pt")
    train_denoiser.main(["--task", "superres", "--autoencoder", ae_ckpt[0], "--out", den, "--steps", "1",
                         "--batch", "2", "--crop", "16", "--threads", "1"])
    bundle = str(tmp_path / "bundle")
    manifest = build_demo.main(["--autoencoder", ae_ckpt[0], "--denoiser", den, "--out", bundle])
    assert manifest["autoencoder"]["scale_factor"] == pytest.approx(ae_ckpt[1]["scale_factor"])
    assert manifest["data"]["held_out"][0].startswith("skimage:")
    assert "train_denoiser.py" in manifest["provenance"]["command"]
    evaluate.main(["--bundle", bundle, "--size", "32", "--n-synthetic", "1", "--steps", "2", "--threads", "1"])
    report = open(os.path.join(bundle, "EVALUATION.md")).read()
    assert "evaluate.py --bundle" in report and "Super-resolution" in report
    with open(os.path.join(bundle, "model.json")) as f:
        assert json.load(f)["denoisers"]["superres"]["native_size"] == 16


def test_decoder_only_fine_tuning_trains_the_linear_patch_decoder_and_keeps_the_patch_encoder(tmp_path):
    # The demo autoencoder's output is almost all its linear patch path (one 4x4 block per latent cell, the source
    # of the 4-px grid, issue #18): a decoder fine-tune must be free to change it, and must not move the latents.
    ae = str(tmp_path / "ae.pt")
    train_autoencoder.main(["--out", ae, "--steps", "2", "--batch", "2", "--crop", "16", "--patch-shortcut",
                            "--warmup", "1", "--threads", "1", "--eval-size", "32"])
    dec = str(tmp_path / "dec.pt")
    train_autoencoder.main(["--init", ae, "--decoder-only", "--out", dec, "--steps", "2", "--batch", "2", "--crop",
                            "16", "--warmup", "1", "--lr", "1e-2", "--threads", "1", "--eval-size", "32",
                            "--grid-weight", "2", "--latent-noise", "0.1"])
    before, _ = train_autoencoder.load_autoencoder(ae)
    after, _ = train_autoencoder.load_autoencoder(dec)
    b, a = before.state_dict(), after.state_dict()
    frozen = [k for k in b if k.startswith(("encoder.", "quant_conv.", "patch_encoder."))]
    assert any(k.startswith("patch_encoder.") for k in frozen)
    assert all(torch.equal(b[k], a[k]) for k in frozen), "the encoder (and with it the latents) must not move"
    assert not torch.equal(b["patch_decoder.proj.weight"], a["patch_decoder.proj.weight"]), \
        "the linear patch decoder is part of the decoder and must train"
    x = torch.rand(1, 1, 16, 16) * 2 - 1
    with torch.no_grad():
        assert torch.equal(before.encode(x).mode(), after.encode(x).mode())


def test_replace_decoder_swaps_only_the_decoder_of_a_bundle_and_refuses_one_whose_latents_moved(ae_ckpt, tmp_path):
    from ldm_models.export import BundleError, verify_bundle
    den = str(tmp_path / "inpaint.pt")
    train_denoiser.main(["--task", "inpaint", "--autoencoder", ae_ckpt[0], "--out", den, "--steps", "1",
                         "--batch", "2", "--crop", "16", "--threads", "1"])
    bundle = str(tmp_path / "bundle")
    build_demo.main(["--autoencoder", ae_ckpt[0], "--denoiser", den, "--out", bundle])
    files = {f: open(os.path.join(bundle, f), "rb").read() for f in os.listdir(bundle) if f.endswith(".pt")}
    dec = str(tmp_path / "decoder.pt")
    train_autoencoder.main(["--init", ae_ckpt[0], "--decoder-only", "--out", dec, "--steps", "2", "--batch", "2",
                            "--crop", "16", "--warmup", "1", "--lr", "1e-2", "--threads", "1", "--eval-size", "32"])
    replace_decoder.main(["--bundle", bundle, "--autoencoder", dec])
    manifest = verify_bundle(bundle)  # every SHA-256 in model.json matches its file
    changed = [f for f, b in files.items() if open(os.path.join(bundle, f), "rb").read() != b]
    assert changed == ["decoder.pt"], changed
    model, _ = train_autoencoder.load_autoencoder(dec)
    z = torch.randn(1, manifest["autoencoder"]["latent_channels"], 4, 6)
    with torch.no_grad():
        torch.testing.assert_close(torch.jit.load(os.path.join(bundle, "decoder.pt"))(z), model.decode(z))
    assert manifest["provenance"]["training"][-1]["part"] == "decoder"
    other = str(tmp_path / "other.pt")  # a whole autoencoder trained again: its encoder (latents) differ
    train_autoencoder.main(["--init", ae_ckpt[0], "--out", other, "--steps", "2", "--batch", "2", "--crop", "16",
                            "--warmup", "1", "--lr", "1e-2", "--threads", "1", "--eval-size", "32"])
    with pytest.raises(BundleError, match="latents moved|scale factor"):
        replace_decoder.main(["--bundle", bundle, "--autoencoder", other])


def test_decoder_only_fine_tuning_keeps_the_latents_its_denoisers_were_trained_on(ae_ckpt, tmp_path):
    den = str(tmp_path / "inpaint.pt")
    train_denoiser.main(["--task", "inpaint", "--autoencoder", ae_ckpt[0], "--out", den, "--steps", "1",
                         "--batch", "2", "--crop", "16", "--threads", "1"])
    dec = str(tmp_path / "decoder.pt")
    train_autoencoder.main(["--init", ae_ckpt[0], "--decoder-only", "--out", dec, "--steps", "2", "--batch", "2",
                            "--crop", "16", "--warmup", "1", "--lr", "1e-2", "--threads", "1", "--eval-size", "32"])
    before, ck0 = train_autoencoder.load_autoencoder(ae_ckpt[0])
    after, ck1 = train_autoencoder.load_autoencoder(dec)
    b, a = before.state_dict(), after.state_dict()
    frozen = [k for k in b if k.startswith(("encoder.", "quant_conv."))]
    assert frozen and all(torch.equal(b[k], a[k]) for k in frozen), "the encoder must not move"
    assert any(not torch.equal(b[k], a[k]) for k in b if k.startswith("decoder.")), "the decoder must train"
    assert ck1["scale_factor"] == ck0["scale_factor"], "the latents' scale is the encoder's"
    assert ck1["config"]["encoder_sha256"] == ck1["config"]["init"]["sha256"]
    # the denoiser trained on the original autoencoder's latents is accepted with the new decoder
    bundle = str(tmp_path / "bundle")
    build_demo.main(["--autoencoder", dec, "--denoiser", den, "--out", bundle])
    evaluate.main(["--bundle", bundle, "--size", "32", "--n-synthetic", "1", "--steps", "2", "--threads", "1",
                   "--samples-per-mask", "2"])
    report = open(os.path.join(bundle, "EVALUATION.md")).read()
    assert "CompVis: from noise, hard paste" in report and "plugin: strength 0.3, seam blend" in report
    with pytest.raises(ValueError, match="--init"):
        train_autoencoder.main(["--decoder-only", "--out", str(tmp_path / "x.pt"), "--steps", "1"])
