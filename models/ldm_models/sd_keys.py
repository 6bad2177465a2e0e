"""Where the weights of a checkpoint go: CompVis / Stable Diffusion single files and diffusers folders, split into
the U-Net, first-stage and text-encoder state dicts of this project's modules.

    from ldm_models.sd_keys import read_source
    src = read_source("v1-5-pruned.ckpt")         # or a .safetensors file, or a diffusers folder
    src.unet, src.first_stage, src.text           # {name: tensor} in ldm_models' parameter names
    src.ignored                                   # checkpoint keys not used (listed to the user)

Key layouts (parameter names of the public code):

* CompVis / SD single files: ``model.diffusion_model.*`` (U-Net), ``first_stage_model.*`` (autoencoder; its
  ``loss.*`` is dropped), ``model_ema.<U-Net name without dots>`` (LitEma copies, used by default),
  ``cond_stage_model.transformer.text_model.*`` (SD 1.x: Hugging Face CLIPTextModel) or
  ``cond_stage_model.model.*`` (SD 2.x: open_clip; renamed here, see :func:`open_clip_to_hf`).
* diffusers folders: ``unet/``, ``vae/``, ``text_encoder/`` (``config.json`` + ``diffusion_pytorch_model`` or
  ``model``/``pytorch_model`` ``.safetensors``/``.bin``), ``tokenizer/`` (``vocab.json``, ``merges.txt``),
  ``scheduler/scheduler_config.json`` (``prediction_type``); diffusers' block names are mapped back onto the
  CompVis ones (:func:`diffusers_unet_to_compvis`, :func:`diffusers_vae_to_compvis`).
"""
import json
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch

from .ckpt_io import CheckpointError, read_safetensors, read_state_dict, read_checkpoint_object

UNET_PREFIX = "model.diffusion_model."
FIRST_STAGE_PREFIX = "first_stage_model."
EMA_PREFIX = "model_ema."
HF_TEXT_PREFIX = "cond_stage_model.transformer."
OPEN_CLIP_PREFIX = "cond_stage_model.model."


@dataclass
class Source:
    """The weights of one checkpoint, split by part, in ldm_models' parameter names."""
    path: str
    unet: Dict[str, torch.Tensor]
    first_stage: Dict[str, torch.Tensor]
    text: Dict[str, torch.Tensor] = field(default_factory=dict)
    text_layout: Optional[str] = None         # "hf" or "open_clip" (as found in the file)
    text_source_layers: Optional[int] = None  # transformer layers the file holds
    ema: bool = False                         # the U-Net weights are LitEma's
    ignored: List[str] = field(default_factory=list)
    global_step: Optional[int] = None
    tokenizer_dir: Optional[str] = None
    prediction: Optional[str] = None          # from a diffusers scheduler config
    kind: str = "checkpoint"                  # "checkpoint", "safetensors", "diffusers"
    buffers: Dict[str, torch.Tensor] = field(default_factory=dict)  # top-level entries (betas, scale_factor, ...)


def ema_key(unet_name: str) -> str:
    """CompVis LitEma: the EMA buffer of ``diffusion_model.<name>`` is named without dots."""
    return EMA_PREFIX + ("diffusion_model." + unet_name).replace(".", "")


# --------------------------------------------------------------------------------------------------
# open_clip (SD 2.x) -> Hugging Face CLIPTextModel names
# --------------------------------------------------------------------------------------------------

def open_clip_to_hf(sd: Dict[str, torch.Tensor], layers: Optional[int] = None):
    """open_clip text-tower weights (``cond_stage_model.model.`` removed) -> (HF-layout dict, unused keys).

    ``in_proj_weight`` [3W, W] is split into q, k, v; layers from ``layers`` on (the unused last layer of a
    penultimate-layer encoder), ``text_projection`` and ``logit_scale`` are returned as unused."""
    out, unused = {}, []
    fixed = {"token_embedding.weight": "text_model.embeddings.token_embedding.weight",
             "positional_embedding": "text_model.embeddings.position_embedding.weight",
             "ln_final.weight": "text_model.final_layer_norm.weight",
             "ln_final.bias": "text_model.final_layer_norm.bias"}
    sub = {"ln_1": "layer_norm1", "ln_2": "layer_norm2", "attn.out_proj": "self_attn.out_proj",
           "mlp.c_fc": "mlp.fc1", "mlp.c_proj": "mlp.fc2"}
    for k, v in sd.items():
        if k in fixed:
            out[fixed[k]] = v
            continue
        m = re.fullmatch(r"transformer\.resblocks\.(\d+)\.(.+)\.(weight|bias|in_proj_weight|in_proj_bias)", k)
        if not m:
            unused.append(k)
            continue
        i, mod, what = int(m.group(1)), m.group(2), m.group(3)
        if layers is not None and i >= layers:
            unused.append(k)
            continue
        base = f"text_model.encoder.layers.{i}."
        if mod == "attn" and what in ("in_proj_weight", "in_proj_bias"):
            kind = "weight" if what == "in_proj_weight" else "bias"
            q, kk, vv = v.chunk(3, dim=0)
            out[base + f"self_attn.q_proj.{kind}"] = q
            out[base + f"self_attn.k_proj.{kind}"] = kk
            out[base + f"self_attn.v_proj.{kind}"] = vv
        elif mod in sub:
            out[base + f"{sub[mod]}.{what}"] = v
        else:
            unused.append(k)
    return out, unused


def _count_layers(names, pattern: str) -> int:
    idx = {int(m.group(1)) for n in names for m in [re.match(pattern, n)] if m}
    return max(idx) + 1 if idx else 0


# --------------------------------------------------------------------------------------------------
# CompVis / SD single files
# --------------------------------------------------------------------------------------------------

def split_compvis(sd: Dict[str, torch.Tensor], path: str, ema: Optional[bool] = None, text_layers=None) -> Source:
    """Split a CompVis-layout state dict. ``ema``: None = the EMA weights when the file has them for every U-Net
    parameter, True = required, False = the raw weights."""
    unet = {k[len(UNET_PREFIX):]: v for k, v in sd.items() if k.startswith(UNET_PREFIX)}
    first = {k[len(FIRST_STAGE_PREFIX):]: v for k, v in sd.items()
             if k.startswith(FIRST_STAGE_PREFIX) and not k.startswith(FIRST_STAGE_PREFIX + "loss.")}
    used = {UNET_PREFIX + k for k in unet} | {FIRST_STAGE_PREFIX + k for k in first}
    has_ema = bool(unet) and all(ema_key(n) in sd for n in unet)
    if ema and not has_ema:
        missing = [n for n in unet if ema_key(n) not in sd]
        example = ema_key(missing[0]) if missing else EMA_PREFIX + "*"
        raise CheckpointError(f"--ema: {path} has no EMA weights for {len(missing) or 'the'} U-Net parameters "
                              f"(e.g. {example}); convert without --ema")
    use_ema = has_ema if ema is None else bool(ema)
    if use_ema:
        used -= {UNET_PREFIX + k for k in unet}
        used |= {ema_key(n) for n in unet}
        unet = {n: sd[ema_key(n)] for n in unet}
    src = Source(path=path, unet=unet, first_stage=first, ema=use_ema,
                 buffers={k: v for k, v in sd.items() if "." not in k})
    # HF CLIPTextModel keys; files saved with transformers < 4.18 lack the "text_model." level
    hf = {k[len(HF_TEXT_PREFIX):]: v for k, v in sd.items() if k.startswith(HF_TEXT_PREFIX)}
    hf_old = bool(hf) and not any(k.startswith("text_model.") for k in hf)
    if hf_old:
        hf = {"text_model." + k: v for k, v in hf.items()}
    oc = {k[len(OPEN_CLIP_PREFIX):]: v for k, v in sd.items() if k.startswith(OPEN_CLIP_PREFIX)}
    if hf:
        src.text_layout = "hf"
        src.text_source_layers = _count_layers(hf, r"text_model\.encoder\.layers\.(\d+)\.")
        src.text = {k: v for k, v in hf.items() if not k.endswith("position_ids")}
        used |= {HF_TEXT_PREFIX + (k[len("text_model."):] if hf_old else k) for k in src.text}
    elif oc:
        src.text_layout = "open_clip"
        src.text_source_layers = _count_layers(oc, r"transformer\.resblocks\.(\d+)\.")
        src.text, unused = open_clip_to_hf(oc, src.text_source_layers - 1 if text_layers is None else text_layers)
        used |= {OPEN_CLIP_PREFIX + k for k in oc} - {OPEN_CLIP_PREFIX + k for k in unused}
    src.ignored = [k for k in sd if k not in used]
    return src


# --------------------------------------------------------------------------------------------------
# diffusers folders
# --------------------------------------------------------------------------------------------------

_RES = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1", "norm2": "out_layers.0",
        "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}


def diffusers_unet_to_compvis(key: str, num_res_blocks: int, has_up_attention) -> str:
    """A diffusers ``UNet2DConditionModel`` parameter name -> the CompVis ``UNetModel`` name (or the key unchanged
    when it has no counterpart). ``has_up_attention(i)``: whether up block i has attentions (the upsampler is then
    the third layer of its last output block)."""
    nr = num_res_blocks
    fixed = {"time_embedding.linear_1": "time_embed.0", "time_embedding.linear_2": "time_embed.2",
             "conv_in": "input_blocks.0.0", "conv_norm_out": "out.0", "conv_out": "out.2",
             "class_embedding": "label_emb"}
    for a, b in fixed.items():
        if key.startswith(a + "."):
            return b + key[len(a):]

    def res(rest):
        m = re.match(r"(\w+)\.(.*)", rest)
        return f"{_RES.get(m.group(1), m.group(1))}.{m.group(2)}"

    m = re.match(r"down_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.*)", key)
    if m:
        i, kind, j, rest = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        blk = 1 + i * (nr + 1) + j
        return f"input_blocks.{blk}.0.{res(rest)}" if kind == "resnets" else f"input_blocks.{blk}.1.{rest}"
    m = re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)", key)
    if m:
        return f"input_blocks.{(int(m.group(1)) + 1) * (nr + 1)}.0.op.{m.group(2)}"
    m = re.match(r"mid_block\.(resnets|attentions)\.(\d+)\.(.*)", key)
    if m:
        kind, j, rest = m.group(1), int(m.group(2)), m.group(3)
        return f"middle_block.{2 * j}.{res(rest)}" if kind == "resnets" else f"middle_block.1.{rest}"
    m = re.match(r"up_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.*)", key)
    if m:
        i, kind, j, rest = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        blk = i * (nr + 1) + j
        return f"output_blocks.{blk}.0.{res(rest)}" if kind == "resnets" else f"output_blocks.{blk}.1.{rest}"
    m = re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*)", key)
    if m:
        i = int(m.group(1))
        return f"output_blocks.{i * (nr + 1) + nr}.{2 if has_up_attention(i) else 1}.conv.{m.group(2)}"
    return key


def diffusers_vae_to_compvis(key: str, levels: int) -> str:
    """A diffusers ``AutoencoderKL`` parameter name -> the CompVis first-stage name (attention q/k/v/out stay
    Linear-shaped here; :func:`read_diffusers` reshapes them to 1x1 convolutions)."""
    for side in ("encoder", "decoder"):
        if not key.startswith(side + "."):
            continue
        rest = key[len(side) + 1:]
        rest = re.sub(r"^conv_norm_out\.", "norm_out.", rest)
        m = re.match(r"(down|up)_blocks\.(\d+)\.resnets\.(\d+)\.(.*)", rest)
        if m:
            i = int(m.group(2)) if m.group(1) == "down" else levels - 1 - int(m.group(2))
            inner = m.group(4).replace("conv_shortcut.", "nin_shortcut.")
            return f"{side}.{m.group(1)}.{i}.block.{m.group(3)}.{inner}"
        m = re.match(r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)", rest)
        if m:
            return f"{side}.down.{m.group(1)}.downsample.conv.{m.group(2)}"
        m = re.match(r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*)", rest)
        if m:
            return f"{side}.up.{levels - 1 - int(m.group(1))}.upsample.conv.{m.group(2)}"
        m = re.match(r"mid_block\.resnets\.(\d+)\.(.*)", rest)
        if m:
            return f"{side}.mid.block_{int(m.group(1)) + 1}.{m.group(2).replace('conv_shortcut.', 'nin_shortcut.')}"
        m = re.match(r"mid_block\.attentions\.0\.(.*)", rest)
        if m:
            names = {"group_norm": "norm", "to_q": "q", "query": "q", "to_k": "k", "key": "k", "to_v": "v",
                     "value": "v", "to_out.0": "proj_out", "proj_attn": "proj_out"}
            for a, b in names.items():
                if m.group(1).startswith(a + "."):
                    return f"{side}.mid.attn_1.{b}{m.group(1)[len(a):]}"
        return f"{side}.{rest}"
    return key


def _weights_file(folder: str, stems) -> Optional[str]:
    for stem in stems:
        for ext in (".safetensors", ".bin", ".fp16.safetensors", ".fp16.bin"):
            p = os.path.join(folder, stem + ext)
            if os.path.isfile(p):
                return p
    return None


def _read_weights(path: str) -> Dict[str, torch.Tensor]:
    if path.endswith(".safetensors"):
        return read_safetensors(path)[0]
    obj = read_checkpoint_object(path)
    if not isinstance(obj, dict):
        raise CheckpointError(f"{path} holds no state dict")
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}


def _read_config(folder: str) -> dict:
    p = os.path.join(folder, "config.json")
    if not os.path.isfile(p):
        raise CheckpointError(f"{folder} has no config.json: not a diffusers model folder")
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def read_diffusers(folder: str) -> Source:
    """A diffusers pipeline folder (``unet/``, ``vae/``, ``text_encoder/``, ``tokenizer/``, ``scheduler/``)."""
    parts = {}
    for sub, stems in (("unet", ["diffusion_pytorch_model"]), ("vae", ["diffusion_pytorch_model"]),
                       ("text_encoder", ["model", "pytorch_model"])):
        d = os.path.join(folder, sub)
        if not os.path.isdir(d):
            if sub == "text_encoder":
                continue
            raise CheckpointError(f"{folder} has no {sub}/ folder: a diffusers folder holds unet/, vae/, "
                                  f"text_encoder/ and tokenizer/")
        w = _weights_file(d, stems)
        if w is None:
            raise CheckpointError(f"{d} has no weights file ({stems[0]}.safetensors or .bin)")
        parts[sub] = (_read_config(d), _read_weights(w))
    ucfg, usd = parts["unet"]
    nr = int(ucfg.get("layers_per_block", 2))
    up_types = ucfg.get("up_block_types", [])

    def has_up_attention(i):
        return i < len(up_types) and "CrossAttn" in up_types[i] or any(
            k.startswith(f"up_blocks.{i}.attentions.") for k in usd)

    unet = {diffusers_unet_to_compvis(k, nr, has_up_attention): v for k, v in usd.items()}
    vcfg, vsd = parts["vae"]
    levels = len(vcfg.get("block_out_channels", [])) or 1 + _count_layers(vsd, r"encoder\.down_blocks\.(\d+)\.")
    first = {}
    for k, v in vsd.items():
        name = diffusers_vae_to_compvis(k, levels)
        if ".mid.attn_1." in name and name.endswith("weight") and v.dim() == 2:
            v = v.reshape(*v.shape, 1, 1)  # diffusers' Linear q/k/v/out -> CompVis 1x1 convolutions
        first[name] = v
    src = Source(path=folder, unet=unet, first_stage=first, kind="diffusers")
    if "text_encoder" in parts:
        tcfg, tsd = parts["text_encoder"]
        src.text = {k: v for k, v in tsd.items() if not k.endswith("position_ids")}
        src.ignored += [f"text_encoder/{k}" for k in tsd if k.endswith("position_ids")]
        src.text_layout = "hf"
        src.text_source_layers = int(tcfg.get("num_hidden_layers", _count_layers(
            tsd, r"text_model\.encoder\.layers\.(\d+)\.")))
    tok = os.path.join(folder, "tokenizer")
    if os.path.isfile(os.path.join(tok, "vocab.json")) and os.path.isfile(os.path.join(tok, "merges.txt")):
        src.tokenizer_dir = tok
    sched = os.path.join(folder, "scheduler", "scheduler_config.json")
    if os.path.isfile(sched):
        with open(sched, encoding="utf-8") as f:
            pt = json.load(f).get("prediction_type")
        src.prediction = {"epsilon": "eps", "v_prediction": "v"}.get(pt)
    return src


def read_source(path: str, ema: Optional[bool] = None) -> Source:
    """The weights of a CompVis/SD ``.ckpt``, a ``.safetensors`` file or a diffusers folder."""
    if os.path.isdir(path):
        if ema:
            raise CheckpointError(f"--ema: {path} is a diffusers folder, which holds one set of weights; "
                                  f"convert without --ema")
        return read_diffusers(path)
    sd, meta = read_state_dict(path)
    src = split_compvis(sd, path, ema)
    src.global_step = meta.get("global_step")
    with open(path, "rb") as f:
        head = f.read(9)
    src.kind = "checkpoint" if head[:4] == b"PK\x03\x04" else ("safetensors" if head[8:9] == b"{" else "checkpoint")
    return src
