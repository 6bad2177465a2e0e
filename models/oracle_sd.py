"""Oracle check of the Stable Diffusion configurations against the public reference code (run where it can be
fetched; none of it is part of this repository).

For each SD configuration it builds the reference modules from their public source with the published
configuration files, random weights (seeded; tiny widths by default, the same blocks and levels), writes them as
a checkpoint in the published layout, converts it with ``ldm_models.convert``, and compares the reference outputs
with the bundle's TorchScript parts on the same inputs: the U-Net (with context, and the upscaler's class
label), the autoencoder (encoder mean, decoder) and the text encoder. With ``--write-keys DIR`` it also writes the
full-size parameter names and shapes of the reference modules (built without initialising their weights) as
``DIR/<config>_keys.txt``, the test data of ``tests/test_sd_arch.py``.

    build/ref/sd2: git archive of Stability-AI/stablediffusion (ldm/, configs/)      [SD 2.x, x4 upscaler]
    build/ref/sd1: git archive of CompVis/stable-diffusion (ldm/, configs/)          [SD 1.x]
    build/ref/open_clip: git archive of mlfoundations/open_clip (src/open_clip)      [SD 2.x text encoder]
    build/ref/clip: git archive of openai/CLIP (clip/model.py)                       [SD 1.x text encoder]

    cd models && /usr/bin/python3 oracle_sd.py --ref ../build/ref [--write-keys tests/data] [--configs sd1,...] [--full]

Training-only imports of the reference code are replaced by stand-ins (``pytorch_lightning.LightningModule`` by
``nn.Module``), and ``einops`` (not installed here) by a small ``rearrange``/``repeat`` written below.
Hugging Face ``transformers`` (SD 1.x's CLIPTextModel) is not available: the SD 1.x text encoder is compared with
OpenAI's CLIP text transformer (the same network; its weights renamed to the HF layout as the converter renames
open_clip's), and the SD 1.x text key names are those of ``transformers``' ``CLIPTextModel`` (written from its
module tree, not generated).
"""
import argparse
import contextlib
import math
import os
import re
import sys
import tempfile
import types

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ldm_models.configs import get_config, skip_init  # noqa: E402

# configuration -> (reference tree, yaml file, overrides of unet params)
REFS = {
    "sd1": ("sd1", "configs/stable-diffusion/v1-inference.yaml", {}),
    "sd1_inpainting": ("sd1", "configs/stable-diffusion/v1-inference.yaml", {"in_channels": 9}),
    "sd2": ("sd2", "configs/stable-diffusion/v2-inference.yaml", {}),
    "sd2_v": ("sd2", "configs/stable-diffusion/v2-inference-v.yaml", {}),
    "sd2_inpainting": ("sd2", "configs/stable-diffusion/v2-inpainting-inference.yaml", {}),
    "sd2_x4_upscaler": ("sd2", "configs/stable-diffusion/x4-upscaling.yaml", {}),
}


# ------------------------------------------------------------------------------------------------------------------
# stand-ins for packages the reference code imports
# ------------------------------------------------------------------------------------------------------------------

def _rearrange(x, pattern, **sizes):
    """einops.rearrange / repeat for the patterns the reference code uses (named axes, parenthesised groups,
    "()" and new axes given by size)."""
    lhs, rhs = [s.strip() for s in pattern.split("->")]
    lg, rg = _parse(lhs), _parse(rhs)
    dims = dict(sizes)
    for grp, n in zip(lg, x.shape):
        unknown = [a for a in grp if a not in dims]
        known = math.prod(dims[a] for a in grp if a in dims)
        if len(unknown) == 1:
            dims[unknown[0]] = n // known
    flat = [a for g in lg for a in g]
    x = x.reshape([dims[a] for a in flat])
    order = [a for g in rg for a in g if a in flat]
    x = x.permute([flat.index(a) for a in order])
    new = [a for g in rg for a in g if a not in flat]
    if new:  # repeat: broadcast new axes
        x = x.reshape([dims[a] if a in flat else 1 for g in rg for a in g])
        x = x.expand([dims[a] for g in rg for a in g])
    return x.reshape([math.prod(dims[a] for a in g) for g in rg])


def _parse(side):
    out, cur = [], None
    for tok in re.findall(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*", side):
        if tok == "(":
            cur = []
        elif tok == ")":
            out.append(cur)
            cur = None
        elif cur is not None:
            cur.append(tok)
        else:
            out.append([tok])
    return out


def install_stand_ins():
    einops = types.ModuleType("einops")
    einops.rearrange = _rearrange
    einops.repeat = _rearrange
    sys.modules["einops"] = einops
    pl = types.ModuleType("pytorch_lightning")
    pl.LightningModule = nn.Module
    sys.modules["pytorch_lightning"] = pl
    import torch.nn.functional as F
    if not hasattr(F, "scaled_dot_product_attention"):  # PyTorch >= 2.0's function, used by newer open_clip
        def sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
            s = q @ k.transpose(-2, -1) * (scale if scale is not None else q.shape[-1] ** -0.5)
            if is_causal:
                n, m = q.shape[-2], k.shape[-2]
                s = s + torch.full((n, m), float("-inf"), dtype=s.dtype).triu(1)
            if attn_mask is not None:
                s = s.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else s + attn_mask
            return torch.softmax(s, dim=-1) @ v
        F.scaled_dot_product_attention = sdpa
    if "omegaconf" not in sys.modules:  # openaimodel checks type(context_dim) == ListConfig
        try:
            import omegaconf  # noqa: F401
        except ImportError:
            for n in ("omegaconf", "omegaconf.listconfig"):
                sys.modules[n] = types.ModuleType(n)
            sys.modules["omegaconf.listconfig"].ListConfig = type("ListConfig", (list,), {})
    for n in ("taming", "taming.modules", "taming.modules.vqvae", "taming.modules.vqvae.quantize"):
        sys.modules.setdefault(n, types.ModuleType(n))  # SD 1.x autoencoder.py imports it for its VQ model only
    sys.modules["taming.modules.vqvae.quantize"].VectorQuantizer2 = nn.Module
    if "torchvision" not in sys.modules:  # open_clip.utils imports FrozenBatchNorm2d (image towers only)
        try:
            import torchvision  # noqa: F401
        except ImportError:
            for n in ("torchvision", "torchvision.ops", "torchvision.ops.misc"):
                sys.modules[n] = types.ModuleType(n)
            sys.modules["torchvision.ops.misc"].FrozenBatchNorm2d = nn.Module


@contextlib.contextmanager
def reference_tree(root):
    """Import the reference ``ldm`` package from ``root`` (SD 1.x and 2.x both call theirs ``ldm``)."""
    for name in [n for n in sys.modules if n == "ldm" or n.startswith("ldm.")]:
        del sys.modules[name]
    sys.path.insert(0, root)
    try:
        yield
    finally:
        sys.path.remove(root)
        for name in [n for n in sys.modules if n == "ldm" or n.startswith("ldm.") or n == "open_clip"
                     or n.startswith("open_clip.")]:
            del sys.modules[name]


def import_open_clip(src_dir):
    """open_clip's text transformer without running its package __init__ (which imports optional packages)."""
    pkg = types.ModuleType("open_clip")
    pkg.__path__ = [src_dir]
    sys.modules["open_clip"] = pkg
    import importlib
    return importlib.import_module("open_clip.transformer")


# ------------------------------------------------------------------------------------------------------------------
# building the reference modules
# ------------------------------------------------------------------------------------------------------------------

def load_yaml(path):
    import yaml
    with open(path) as f:
        return yaml.safe_load(f)["model"]["params"]


def ref_unet_params(ref_root, name, tiny):
    tree, yml, over = REFS[name]
    p = dict(load_yaml(os.path.join(ref_root, tree, yml))["unet_config"]["params"])
    p.update(over, use_checkpoint=False, use_fp16=False)
    if tiny:
        ours = tiny_cfg(name)["unet"]
        for k in ("model_channels", "context_dim", "num_head_channels", "num_heads"):
            if k in ours and k in p:
                p[k] = ours[k]
    return p


def ref_first_stage_params(ref_root, name, tiny):
    tree, yml, _ = REFS[name]
    p = dict(load_yaml(os.path.join(ref_root, tree, yml))["first_stage_config"]["params"])
    p["ddconfig"] = dict(p["ddconfig"], **({"ch": 32} if tiny else {}))
    p["lossconfig"] = {"target": "torch.nn.Identity"}
    p.pop("monitor", None)
    return p


def tiny_cfg(name):
    import make_sd_test_bundle as msb
    return msb.tiny_config(name, 49408)


def text_params(name, tiny):
    t = (tiny_cfg(name) if tiny else get_config(name))["text"]
    return t


def build_reference(ref_root, name, tiny):
    """(unet, first_stage, text tower, text layout) built from the public code; the text tower is open_clip's
    TextTransformer (SD 2.x) or OpenAI CLIP's Transformer with embeddings (SD 1.x)."""
    tree = REFS[name][0]
    with reference_tree(os.path.join(ref_root, tree)):
        from ldm.modules.diffusionmodules.openaimodel import UNetModel
        from ldm.models.autoencoder import AutoencoderKL
        unet = UNetModel(**ref_unet_params(ref_root, name, tiny))
        ae = AutoencoderKL(**ref_first_stage_params(ref_root, name, tiny))
    t = text_params(name, tiny)
    if t["layout"] == "open_clip":
        tr = import_open_clip(os.path.join(ref_root, "open_clip", "src", "open_clip"))
        text = tr.TextTransformer(context_length=t["max_tokens"], vocab_size=t["vocab_size"], width=t["width"],
                                  heads=t["heads"], layers=t["source_layers"] if not tiny else t["layers"] + 1,
                                  output_dim=t["width"], act_layer=nn.GELU)
        for n in [n for n in sys.modules if n == "open_clip" or n.startswith("open_clip.")]:
            del sys.modules[n]
    else:
        text = OpenAITextTower(os.path.join(ref_root, "clip"), t, tiny)
    return unet, ae, text


class OpenAITextTower(nn.Module):
    """OpenAI CLIP's text side (clip/model.py: token_embedding, positional_embedding, Transformer with QuickGELU,
    ln_final, causal mask), the network SD 1.x's CLIPTextModel reimplements."""

    def __init__(self, clip_root, t, tiny):
        super().__init__()
        sys.path.insert(0, clip_root)
        try:
            import importlib.util
            spec = importlib.util.spec_from_file_location("openai_clip_model", os.path.join(clip_root, "clip", "model.py"))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
        finally:
            sys.path.remove(clip_root)
        n = t["max_tokens"]
        self.token_embedding = nn.Embedding(t["vocab_size"], t["width"])
        self.positional_embedding = nn.Parameter(torch.randn(n, t["width"]) * 0.01)
        mask = torch.full((n, n), float("-inf")).triu(1)
        self.transformer = mod.Transformer(t["width"], t["layers"], t["heads"], attn_mask=mask)
        self.ln_final = mod.LayerNorm(t["width"])

    def forward(self, tokens):
        x = self.token_embedding(tokens) + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_final(x)


def randomize(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            fan = p[0].numel() if p.dim() > 1 else 1
            p.copy_(torch.randn(p.shape, generator=g) * (1.0 / math.sqrt(fan) if p.dim() > 1 else 0.1)
                    + (1.0 if p.dim() == 1 and ("norm" in name or "ln" in name) and name.endswith("weight") else 0))
    return module


def reference_text_forward(text, tokens, layout, layers_used):
    """SD's use of the text tower: SD 1.x the last layer's output after ln_final (FrozenCLIPEmbedder:
    last_hidden_state); SD 2.x the penultimate layer's output after ln_final (FrozenOpenCLIPEmbedder)."""
    if layout != "open_clip":
        return text(tokens)
    x = text.token_embedding(tokens) + text.positional_embedding
    blocks = text.transformer.resblocks
    batch_first = getattr(text.transformer, "batch_first", True)
    x = x if batch_first else x.permute(1, 0, 2)
    for i, r in enumerate(blocks):
        if i == layers_used:
            break
        x = r(x, attn_mask=text.attn_mask)
    x = x if batch_first else x.permute(1, 0, 2)
    return text.ln_final(x)


def published_state_dict(unet, ae, text, layout):
    sd = {"model.diffusion_model." + k: v for k, v in unet.state_dict().items()}
    sd.update({"first_stage_model." + k: v for k, v in ae.state_dict().items()})
    t = text.state_dict()
    if layout == "open_clip":
        sd.update({"cond_stage_model.model." + k: v for k, v in t.items()})
        sd.setdefault("cond_stage_model.model.logit_scale", torch.tensor(4.6052))  # on open_clip's CLIP model
    else:
        sd.update({"cond_stage_model.transformer." + k: v for k, v in openai_to_hf(t).items()})
    return sd


def openai_to_hf(t):
    """OpenAI CLIP text names -> Hugging Face CLIPTextModel names (transformers' CLIP conversion)."""
    from ldm_models.sd_keys import open_clip_to_hf
    out, unused = open_clip_to_hf(t)
    return out


def hf_text_keys(t):
    """transformers CLIPTextModel (text_model.*) parameter names and shapes, from its module tree (modeling_clip:
    CLIPTextEmbeddings, CLIPEncoderLayer with CLIPAttention k/v/q/out_proj, CLIPMLP fc1/fc2, final_layer_norm);
    ``position_ids`` is the buffer older versions saved."""
    w, n = t["width"], t["max_tokens"]
    keys = {"text_model.embeddings.position_ids": (1, n),
            "text_model.embeddings.token_embedding.weight": (t["vocab_size"], w),
            "text_model.embeddings.position_embedding.weight": (n, w)}
    for i in range(t["source_layers"]):
        b = f"text_model.encoder.layers.{i}."
        for p in ("k_proj", "v_proj", "q_proj", "out_proj"):
            keys[b + f"self_attn.{p}.weight"], keys[b + f"self_attn.{p}.bias"] = (w, w), (w,)
        keys[b + "layer_norm1.weight"], keys[b + "layer_norm1.bias"] = (w,), (w,)
        keys[b + "mlp.fc1.weight"], keys[b + "mlp.fc1.bias"] = (4 * w, w), (4 * w,)
        keys[b + "mlp.fc2.weight"], keys[b + "mlp.fc2.bias"] = (w, 4 * w), (w,)
        keys[b + "layer_norm2.weight"], keys[b + "layer_norm2.bias"] = (w,), (w,)
    keys["text_model.final_layer_norm.weight"], keys["text_model.final_layer_norm.bias"] = (w,), (w,)
    return keys


def write_keys(ref_root, name, out_dir):
    """Full-size names and shapes of the reference modules (weights left uninitialised: no memory is touched)."""
    with skip_init():
        unet, ae, text = build_reference(ref_root, name, tiny=False)
    t = text_params(name, False)
    keys = {"model.diffusion_model." + k: tuple(v.shape) for k, v in unet.state_dict().items()}
    keys.update({"first_stage_model." + k: tuple(v.shape) for k, v in ae.state_dict().items()})
    if t["layout"] == "open_clip":
        keys.update({"cond_stage_model.model." + k: tuple(v.shape) for k, v in text.state_dict().items()})
        keys["cond_stage_model.model.logit_scale"] = ()
    else:
        keys.update({"cond_stage_model.transformer." + k: v for k, v in hf_text_keys(t).items()})
    path = os.path.join(out_dir, f"{name}_keys.txt")
    with open(path, "w") as f:
        for k, s in keys.items():
            f.write(f"{k}\t{','.join(str(x) for x in s)}\n")
    n_unet = sum(math.prod(s) for k, s in keys.items() if k.startswith("model.diffusion_model."))
    print(f"{name}: wrote {path} ({len(keys)} keys, U-Net {n_unet:,} parameters)")


def rel(a, b):
    return ((a - b).abs().max() / b.abs().max()).item()


def compare(ref_root, name, seed=0, tiny=True):
    """Convert random reference modules (tiny widths, or full size) and compare outputs; returns {part: relative
    max difference}."""
    import make_sd_test_bundle as msb
    from ldm_models import convert
    torch.manual_seed(seed)
    unet, ae, text = build_reference(ref_root, name, tiny=tiny)
    for i, m in enumerate((unet, ae, text)):
        randomize(m, seed + i).eval()
    cfg = tiny_cfg(name) if tiny else get_config(name)
    t = cfg["text"]
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        tok = os.path.join(tmp, "tokenizer")
        n_vocab = msb.write_toy_tokenizer(tok)
        ckpt = os.path.join(tmp, "ref.ckpt")
        torch.save({"state_dict": published_state_dict(unet, ae, text, t["layout"])}, ckpt)
        out = os.path.join(tmp, "bundle")
        m = convert.convert(ckpt, cfg, out, tokenizer=tok, license="test")
        key = cfg["denoiser"]
        g = torch.Generator().manual_seed(seed + 10)
        with torch.no_grad():
            ids = torch.randint(0, min(n_vocab, t["vocab_size"]), (2, t["max_tokens"]), generator=g)
            ctx_ref = reference_text_forward(text, ids, t["layout"], t["layers"])
            ctx = torch.jit.load(os.path.join(out, "text_encoder.pt"))(ids)
            res["text encoder"] = rel(ctx, ctx_ref)
            c_in = cfg["unet"]["in_channels"]
            x = torch.randn(2, c_in, 16, 24, generator=g)
            ts = torch.tensor([3, 870])
            y = torch.zeros(2, dtype=torch.int64) if "num_classes" in cfg["unet"] else None
            u_ref = unet(x, ts, context=ctx_ref, y=y) if y is not None else unet(x, ts, context=ctx_ref)
            u = torch.jit.load(os.path.join(out, m["denoisers"][key]["file"]))(x, ts, ctx_ref)
            res["U-Net"] = rel(u, u_ref)
            f = m["autoencoder"]["downsampling_factor"]
            img = torch.rand(2, 3, 16 * f // 2, 24 * f // 2, generator=g) * 2 - 1
            mean_ref = ae.encode(img).mode()
            res["encoder (mean)"] = rel(torch.jit.load(os.path.join(out, "encoder.pt"))(img), mean_ref)
            z = torch.randn(2, 4, 8, 12, generator=g)
            res["decoder"] = rel(torch.jit.load(os.path.join(out, "decoder.pt"))(z), ae.decode(z))
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", required=True, help="folder with sd1/, sd2/, open_clip/, clip/ reference trees")
    ap.add_argument("--configs", default=",".join(REFS))
    ap.add_argument("--write-keys", help="write full-size <config>_keys.txt here")
    ap.add_argument("--tolerance", type=float, default=1e-5)
    ap.add_argument("--full", action="store_true", help="compare at full width (about 12 GB of memory for SD)")
    args = ap.parse_args(argv)
    install_stand_ins()
    worst = 0.0
    for name in args.configs.split(","):
        if args.write_keys:
            write_keys(args.ref, name, args.write_keys)
        res = compare(args.ref, name, tiny=not args.full)
        worst = max([worst] + list(res.values()))
        print(f"{name}: " + ", ".join(f"{k} {v:.1e}" for k, v in res.items()), flush=True)
    print(f"largest relative difference {worst:.1e} (tolerance {args.tolerance:g})")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
