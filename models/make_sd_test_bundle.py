"""Write small, randomly initialised Stable Diffusion bundles through the converter: a checkpoint in the published
layout (``model.diffusion_model.*``, ``first_stage_model.*``, ``cond_stage_model.*``) of one SD configuration with
tiny widths (same blocks, levels, inputs and text context as the real model), plus a toy CLIP BPE tokenizer
(GPT-2 byte alphabet, a few merges, CLIP's special tokens), converted by ``ldm_models.convert``. Outputs are
meaningless but deterministic (fixed seed); for testing ``./ldm inpaint --prompt`` / ``./ldm superres --prompt``.

    cd models && /usr/bin/python3 make_sd_test_bundle.py --config sd1_inpainting --out ../build/sd-inpaint-tiny
    cd models && /usr/bin/python3 make_sd_test_bundle.py --config sd2_x4_upscaler --out ../build/sd-x4-tiny

Configurations: sd1, sd1_inpainting, sd2, sd2_v, sd2_inpainting, sd2_x4_upscaler (``ldm_models.configs``).
"""
import argparse
import copy
import json
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldm_models.configs import build_first_stage, build_text_encoder, build_unet, get_config  # noqa: E402

SD_CONFIGS = ["sd1", "sd1_inpainting", "sd2", "sd2_v", "sd2_inpainting", "sd2_x4_upscaler"]
TOY_MERGES = [("t", "h"), ("th", "e</w>"), ("a", "n"), ("an", "d</w>"), ("c", "e"), ("l", "l"), ("e", "l"),
              ("n", "u"), ("c", "l"), ("e", "i</w>")]


def bytes_to_unicode() -> dict:
    """GPT-2 / CLIP byte alphabet: printable Latin-1 bytes map to themselves, the other bytes to code points
    from 256 on, in byte order."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    out, extra = {}, 0
    for b in range(256):
        if b in keep:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + extra)
            extra += 1
    return out


def write_toy_tokenizer(folder: str) -> int:
    """vocab.json / merges.txt in CLIP's layout (bytes, bytes + "</w>", merged tokens, <|startoftext|>,
    <|endoftext|>), small enough for tiny test models. Returns the vocabulary size."""
    os.makedirs(folder, exist_ok=True)
    chars = list(bytes_to_unicode().values())
    tokens = chars + [c + "</w>" for c in chars] + ["".join(m) for m in TOY_MERGES]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({t: i for i, t in enumerate(tokens)}, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in TOY_MERGES))
    return len(tokens)


def tiny_config(name: str, vocab_size: int = 532) -> dict:
    """``name``'s configuration with tiny widths: U-Net 32 base channels, context and text width 32, 2 text layers
    (SD 2.x: the penultimate of 3), autoencoder 32 base channels; blocks, levels, inputs and options as published."""
    cfg = get_config(name)
    u = cfg["unet"]
    u.update(model_channels=32, context_dim=32)
    if u.get("num_head_channels", -1) != -1:
        u["num_head_channels"] = 16
    else:
        u["num_heads"] = 2
    cfg["text"].update(width=32, heads=2, layers=2, vocab_size=vocab_size)
    cfg["first_stage"]["ddconfig"].update(ch=32)
    cfg["name"] = name + "-tiny"
    cfg["description"] = "TINY RANDOM TEST MODEL (untrained; outputs meaningless), layout of: " + cfg["description"]
    return cfg


def _randomize(module: torch.nn.Module, std: float = 0.05) -> torch.nn.Module:
    """zero_module leaves residual outputs at zero; give every weight small random values so all paths act."""
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for p in module.parameters():
            if p.dim() > 1 and p.abs().max() == 0:
                p.copy_(torch.randn(p.shape, generator=g) * std)
    return module


def hf_to_open_clip(text_sd: dict, extra_layer: dict) -> dict:
    """HF CLIPTextModel names -> open_clip names (the inverse of ``sd_keys.open_clip_to_hf``, written separately),
    with one more transformer layer (SD 2.x's unused last layer), text_projection and logit_scale as published."""
    out = {"token_embedding.weight": text_sd["text_model.embeddings.token_embedding.weight"],
           "positional_embedding": text_sd["text_model.embeddings.position_embedding.weight"],
           "ln_final.weight": text_sd["text_model.final_layer_norm.weight"],
           "ln_final.bias": text_sd["text_model.final_layer_norm.bias"]}
    layers = {}
    for k, v in list(text_sd.items()) + list(extra_layer.items()):
        if not k.startswith("text_model.encoder.layers."):
            continue
        i, rest = k[len("text_model.encoder.layers."):].split(".", 1)
        layers.setdefault(int(i), {})[rest] = v
    for i, p in layers.items():
        b = f"transformer.resblocks.{i}."
        for kind in ("weight", "bias"):
            out[b + f"attn.in_proj_{kind}"] = torch.cat([p[f"self_attn.{x}_proj.{kind}"] for x in "qkv"])
            out[b + f"attn.out_proj.{kind}"] = p[f"self_attn.out_proj.{kind}"]
            out[b + f"ln_1.{kind}"] = p[f"layer_norm1.{kind}"]
            out[b + f"ln_2.{kind}"] = p[f"layer_norm2.{kind}"]
            out[b + f"mlp.c_fc.{kind}"] = p[f"mlp.fc1.{kind}"]
            out[b + f"mlp.c_proj.{kind}"] = p[f"mlp.fc2.{kind}"]
    w = text_sd["text_model.final_layer_norm.weight"].shape[0]
    out["text_projection"] = torch.randn(w, w) * 0.02
    out["logit_scale"] = torch.tensor(4.6052)
    return out


def fake_checkpoint_state_dict(cfg: dict, seed: int = 0, ema: bool = False) -> dict:
    """A state dict in the published single-file layout of ``cfg``, random weights (seeded)."""
    torch.manual_seed(seed)
    unet, ae, text = _randomize(build_unet(cfg)), build_first_stage(cfg), _randomize(build_text_encoder(cfg))
    sd = {"model.diffusion_model." + k: v for k, v in unet.state_dict().items()}
    sd.update({"first_stage_model." + k: v for k, v in ae.state_dict().items()})
    if ema:
        for k, v in unet.state_dict().items():
            sd["model_ema." + ("diffusion_model." + k).replace(".", "")] = v + 0.01 * torch.randn(v.shape)
        sd["model_ema.decay"], sd["model_ema.num_updates"] = torch.tensor(0.9999), torch.tensor(1000)
    t = text.state_dict()
    if cfg["text"]["layout"] == "hf":
        sd.update({"cond_stage_model.transformer." + k: v for k, v in t.items()})
        n = cfg["text"]["max_tokens"]  # older transformers saved the position ids buffer
        sd["cond_stage_model.transformer.text_model.embeddings.position_ids"] = torch.arange(n)[None]
    else:
        extra_cfg = copy.deepcopy(cfg)
        extra_cfg["text"]["layers"] += 1
        last = build_text_encoder(extra_cfg).state_dict()
        i = cfg["text"]["layers"]
        extra = {k: v for k, v in last.items() if k.startswith(f"text_model.encoder.layers.{i}.")}
        sd.update({"cond_stage_model.model." + k: v for k, v in hf_to_open_clip(t, extra).items()})
    from ldm_models.convert import make_beta_schedule
    sd["betas"] = torch.tensor(make_beta_schedule(cfg["schedule"]), dtype=torch.float32)
    sd["scale_factor"] = torch.tensor(cfg["scale_factor"])
    return sd


def make(out: str, config: str, seed: int = 0, command: str = "", **convert_kwargs) -> dict:
    """Write a tiny random checkpoint of ``config`` and convert it into the bundle ``out``; return the manifest."""
    from ldm_models import convert
    with tempfile.TemporaryDirectory() as tmp:
        n_vocab = write_toy_tokenizer(os.path.join(tmp, "tokenizer"))
        cfg = tiny_config(config, n_vocab)
        ckpt = os.path.join(tmp, f"{config}-tiny.ckpt")
        torch.save({"state_dict": fake_checkpoint_state_dict(cfg, seed), "global_step": 0}, ckpt)
        return convert.convert(ckpt, cfg, out, overwrite=True, tokenizer=os.path.join(tmp, "tokenizer"),
                               command=command or f"make_sd_test_bundle.py --config {config} --out {out} "
                                                  f"--seed {seed}",
                               license="MIT (random test weights)", **convert_kwargs)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True, choices=SD_CONFIGS)
    ap.add_argument("--out", required=True, help="bundle folder to write (replaced if it exists)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    make(args.out, args.config, args.seed,
         command=" ".join(["make_sd_test_bundle.py"] + (argv if argv is not None else sys.argv[1:])))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
