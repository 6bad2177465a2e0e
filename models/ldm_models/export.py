"""Write and verify model bundles: TorchScript parts plus ``model.json`` (spec: models/README.md).

    from ldm_models.export import export_bundle, verify_bundle, DenoiserSpec, ContextSpec

    manifest = export_bundle(
        "build/demo", autoencoder=ae, scale_factor=0.9, image_channels=1,
        schedule={"beta_schedule": "linear", "linear_start": 0.0015, "linear_end": 0.0205, "timesteps": 1000},
        denoisers={
            "inpaint": DenoiserSpec(unet_inpaint, inputs=[{"name": "noisy_latent", "channels": 3}, ...],
                                    native_size=128),
            "unconditional": DenoiserSpec(unet_uncond, inputs=[{"name": "noisy_latent", "channels": 3}],
                                          native_size=128, context=ContextSpec(tau, labels=[...], null_label="none")),
        },
        name="demo", description="...", license="MIT", citation="...",
        data={"training": "...", "held_out": [...]},
        provenance={"command": "...", "seed": 0, "date": "2026-11-26", "software": "torch 1.13.0"})
    verify_bundle("build/demo")          # schema + sha256 of every file; raises BundleError naming the problem

Every part is copied to the CPU in float32 (the caller's modules are not changed), scripted in eval mode (``torch.jit.script``), saved, loaded back and compared with the
eager module on random inputs (max abs difference <= ``atol``, default 1e-5) on CPU; a bundle that fails
is not written. Parts hold only the weights they use (the encoder file has no decoder weights).
"""
import copy
import datetime
import hashlib
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from .autoencoder import AutoencoderKL, VQModel

FORMAT_VERSION = 1
MANIFEST = "model.json"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "model.schema.json")
DENOISER_FILES = {"inpaint": "inpaint.pt", "superres": "superres.pt", "unconditional": "unconditional.pt"}


class BundleError(Exception):
    """A bundle (or the request to write one) is invalid; the message names the problem."""


# --------------------------------------------------------------------------------------------------
# TorchScript parts (the forward signatures of models/README.md)
# --------------------------------------------------------------------------------------------------

class KLEncoderPart(nn.Module):
    """x [N, C, H, W] -> posterior mean [N, embed_dim, H/f, W/f] (first half of ``AutoencoderKL.moments``)."""

    def __init__(self, ae: AutoencoderKL):
        super().__init__()
        self.encoder = ae.encoder
        self.quant_conv = ae.quant_conv
        self.patch_encoder = ae.patch_encoder
        self.embed_dim = ae.embed_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.quant_conv(self.encoder(x))
        if self.patch_encoder is not None:
            m = m + self.patch_encoder(x)
        return m[:, : self.embed_dim]


class VQEncoderPart(nn.Module):
    """x [N, C, H, W] -> pre-quantization latent h [N, embed_dim, H/f, W/f] (CompVis VQModelInterface.encode)."""

    def __init__(self, ae: VQModel):
        super().__init__()
        self.encoder = ae.encoder
        self.quant_conv = ae.quant_conv

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.quant_conv(self.encoder(x))


class DecoderPart(nn.Module):
    """z [N, embed_dim, h, w] -> image [N, C, h·f, w·f] (no quantization; ``AutoencoderKL.decode``)."""

    def __init__(self, ae: nn.Module):
        super().__init__()
        self.post_quant_conv = ae.post_quant_conv
        self.decoder = ae.decoder
        self.patch_decoder = getattr(ae, "patch_decoder", None)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.decoder(self.post_quant_conv(z))
        if self.patch_decoder is not None:
            x = x + self.patch_decoder(z)
        return x


class QuantizingDecoderPart(nn.Module):
    """z [N, embed_dim, h, w] -> quantized through the codebook -> image [N, C, h·f, w·f]."""

    def __init__(self, ae: VQModel):
        super().__init__()
        self.quantize = ae.quantize
        self.post_quant_conv = ae.post_quant_conv
        self.decoder = ae.decoder

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.post_quant_conv(self.quantize(z)[0]))


CHANNEL_BLOCK = 16
"""oneDNN's channel block for float32: 16 on AVX-512 CPUs, 8 on AVX2 ones. libtorch 2.7.1's oneDNN (DJL's CPU engine)
computes a convolution whose input has more channels than one block, not a whole number of blocks, wrongly: 4-12 % of
the output range on AVX-512 (17-31, 33, ... channels), more on AVX2 (9-15, 17-23, ...), NaN where new memory held NaN
bytes (src/main/java/org/ldmfiji/model/OneDnnPadding.java). A denoiser input of more than 8 channels is therefore
padded with zero channels, inside the part, to a multiple of 16 (right for both): 9 -> 16 for the demo's
super-resolution, 17 -> 32 for its inpainting."""


def block_padding(c_in: int) -> int:
    """Zero channels that bring an input of ``c_in`` channels to whole blocks on every CPU (0: it needs none)."""
    return 0 if c_in <= CHANNEL_BLOCK // 2 or c_in % CHANNEL_BLOCK == 0 else CHANNEL_BLOCK - c_in % CHANNEL_BLOCK


def pad_input_convolution(unet: nn.Module, c_in: int, pad: int) -> Callable[[], None]:
    """Appends ``pad`` zero input channels, in place, to the one convolution weight of ``unet`` that takes the
    ``c_in`` input channels (a module or a loaded TorchScript one); returns what puts the original weight back."""
    convs = [(n, p) for n, p in unet.named_parameters() if p.dim() == 4 and p.shape[1] == c_in]
    if len(convs) != 1:
        raise BundleError(f"expected one convolution taking the {c_in} input channels, found "
                          f"{[n for n, _ in convs]}: cannot pad the input to whole blocks of {CHANNEL_BLOCK}")
    name, w = convs[0]
    owner = unet
    for part in name.split(".")[:-1]:
        owner = getattr(owner, part)
    leaf = name.split(".")[-1]
    padded = torch.cat([w.detach(), w.new_zeros(w.shape[0], pad, *w.shape[2:])], 1)
    setattr(owner, leaf, nn.Parameter(padded, requires_grad=False))
    return lambda: setattr(owner, leaf, w)


def zero_channels(x: torch.Tensor, pad: int) -> torch.Tensor:
    """x [N, C, h, w] with ``pad`` zero channels appended."""
    if pad == 0:
        return x
    return torch.cat([x, x.new_zeros([x.shape[0], pad, x.shape[2], x.shape[3]])], 1)


class DenoiserPart(nn.Module):
    """forward(x [N, C_in, h, w], t int64 [N]) -> [N, latent_channels, h, w]; x gets ``pad`` zero channels first
    (``block_padding``; the U-Net's input convolution padded to match by ``pad_input_convolution``)."""

    def __init__(self, unet: nn.Module, pad: int = 0):
        super().__init__()
        self.unet = unet
        self.pad = pad

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.unet(zero_channels(x, self.pad), t)


class ContextDenoiserPart(nn.Module):
    """forward(x [N, C_in, h, w], t int64 [N], context [N, tokens, dim]) -> [N, latent_channels, h, w]; ``pad`` as in
    DenoiserPart."""

    def __init__(self, unet: nn.Module, pad: int = 0):
        super().__init__()
        self.unet = unet
        self.pad = pad

    def forward(self, x: torch.Tensor, t: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        return self.unet(zero_channels(x, self.pad), t, context)


# --------------------------------------------------------------------------------------------------
# What the caller describes
# --------------------------------------------------------------------------------------------------

@dataclass
class ContextSpec:
    """A label context encoder (tau): ``encoder(labels int64 [N]) -> [N, tokens, dim]``;
    ``labels[i]`` is the name of label index i; ``null_label`` is the classifier-free-guidance label."""
    encoder: nn.Module
    labels: Sequence[str]
    null_label: str


@dataclass
class TextContextSpec:
    """A text context encoder (Stable Diffusion's CLIP text encoder): ``encoder(token ids int64 [N, max_tokens])
    -> [N, tokens, dim]``, with the CLIP byte-level BPE tokenizer files (``vocab.json``: token -> id;
    ``merges.txt``: "#version" header, then merge pairs by rank) copied into the bundle as ``tokenizer/``.
    ``pad_token``: the id after the end token (SD 1.x: the end token; SD 2.x open_clip: 0). ``null_prompt``: the
    unconditional context of classifier-free guidance. Manifest layout: models/README.md."""
    encoder: nn.Module
    vocab_file: str
    merges_file: str
    max_tokens: int = 77
    start_token: int = 49406
    end_token: int = 49407
    pad_token: int = 49407
    lowercase: bool = True
    null_prompt: str = ""


TOKENIZER_FILES = ("tokenizer/vocab.json", "tokenizer/merges.txt")


@dataclass
class DenoiserSpec:
    """One denoiser: the U-Net, its input layout (manifest ``inputs``), the training output size in
    pixels, eps or v prediction, and an optional label context. ``latent_multiple`` defaults to the
    U-Net's ``latent_multiple`` (2^(levels−1))."""
    unet: nn.Module
    inputs: List[dict]
    native_size: int
    prediction: str = "eps"
    latent_multiple: Optional[int] = None
    context: Optional[object] = None   # ContextSpec (labels) or TextContextSpec (prompts)


# --------------------------------------------------------------------------------------------------
# Hashes and manifest validation
# --------------------------------------------------------------------------------------------------

def sha256_file(path: str) -> str:
    """Lower-case hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def _schema_errors(value, schema: dict, root: dict, path: str) -> List[str]:
    """A small JSON Schema validator for the keywords model.schema.json uses ($ref to #/$defs, type,
    enum, const, pattern, minimum, exclusiveMinimum, maximum, minLength, items, minItems, maxItems,
    uniqueItems, properties, required, additionalProperties, propertyNames, minProperties, allOf, if/then)."""
    errs: List[str] = []
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref}")
        errs += _schema_errors(value, root["$defs"][ref[len("#/$defs/"):]], root, path)
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
                  "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
                  "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
                  "null": lambda v: v is None}
        if not any(checks[x](value) for x in types):
            return errs + [f"{path}: expected {t}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errs.append(f"{path}: must be {schema['const']!r}, got {value!r}")
    if isinstance(value, str):
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            errs.append(f"{path}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            errs.append(f"{path}: shorter than {schema['minLength']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append(f"{path}: {value} < minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errs.append(f"{path}: {value} > maximum {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errs.append(f"{path}: {value} <= exclusive minimum {schema['exclusiveMinimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errs.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errs.append(f"{path}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            errs.append(f"{path}: items are not unique")
        if "items" in schema:
            for i, v in enumerate(value):
                errs += _schema_errors(v, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                errs.append(f"{path}: missing required '{k}'")
        if len(value) < schema.get("minProperties", 0):
            errs.append(f"{path}: fewer than {schema['minProperties']} entries")
        for k, v in value.items():
            if "propertyNames" in schema:
                errs += _schema_errors(k, schema["propertyNames"], root, f"{path} key '{k}'")
            if k in props:
                errs += _schema_errors(v, props[k], root, f"{path}.{k}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}: unexpected entry '{k}'")
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += _schema_errors(v, schema["additionalProperties"], root, f"{path}.{k}")
    for sub in schema.get("allOf", []):
        errs += _schema_errors(value, sub, root, path)
    if "if" in schema and not _schema_errors(value, schema["if"], root, path):
        errs += _schema_errors(value, schema.get("then", {}), root, path)
    return errs


def validate_manifest(manifest: dict) -> None:
    """Check a manifest against models/model.schema.json and the rules the schema cannot express
    (null_label among the labels, noisy_latent channels = latent_channels). Raises BundleError."""
    errs = _schema_errors(manifest, load_schema(), load_schema(), "model.json")
    if not errs:
        lc = manifest["autoencoder"]["latent_channels"]
        for key, d in manifest["denoisers"].items():
            for inp in d["inputs"]:
                if inp["name"] == "noisy_latent" and inp["channels"] != lc:
                    errs.append(f"denoisers.{key}: noisy_latent has {inp['channels']} channels, "
                                f"the autoencoder's latent has {lc}")
            names = [i["name"] for i in d["inputs"]]
            if len(set(names)) != len(names):
                errs.append(f"denoisers.{key}: input names repeat: {names}")
            ctx = d.get("context")
            if ctx is not None and ("text" in ctx) == ("labels" in ctx):
                errs.append(f"denoisers.{key}.context: needs either 'labels' (label context) or 'text' "
                            f"(text context), not {'both' if 'text' in ctx else 'neither'}")
            elif ctx is not None and "labels" in ctx and ctx["null_label"] not in ctx["labels"]:
                errs.append(f"denoisers.{key}.context: null_label '{ctx['null_label']}' is not among the labels")
            elif ctx is not None and "text" in ctx and ctx["text"]["max_tokens"] != ctx["tokens"]:
                errs.append(f"denoisers.{key}.context: the text encoder returns one token per input id, so tokens "
                            f"({ctx['tokens']}) must equal text.max_tokens ({ctx['text']['max_tokens']})")
    if errs:
        raise BundleError("invalid model.json:\n  " + "\n  ".join(errs))


def _file_entries(manifest: dict) -> List[Tuple[str, dict]]:
    """(manifest path, {"file", "sha256"}) for every file the manifest references."""
    out = [("autoencoder.encoder", manifest["autoencoder"]["encoder"]),
           ("autoencoder.decoder", manifest["autoencoder"]["decoder"])]
    for key, d in manifest["denoisers"].items():
        out.append((f"denoisers.{key}", d))
        if d.get("context") is not None:
            out.append((f"denoisers.{key}.context.encoder", d["context"]["encoder"]))
            if "text" in d["context"]:
                out.append((f"denoisers.{key}.context.text.vocab", d["context"]["text"]["vocab"]))
                out.append((f"denoisers.{key}.context.text.merges", d["context"]["text"]["merges"]))
    return out


def write_manifest(bundle_dir: str, manifest: dict) -> None:
    """Validates ``manifest`` against the schema, writes it as the bundle's model.json and verifies the bundle."""
    validate_manifest(manifest)
    with open(os.path.join(bundle_dir, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    verify_bundle(bundle_dir)


def tool_command(script: str, argv=None) -> str:
    """How provenance records a run of the models/ tool ``script`` (its ``__file__``) with ``argv`` (None: this
    process's arguments): ``python3 NAME ARGS``."""
    args = sys.argv[1:] if argv is None else list(argv)
    return "python3 " + " ".join(shlex.quote(a) for a in [os.path.basename(script)] + args)


def record_edit(bundle_dir: str, manifest: dict, command: str) -> None:
    """Appends ``command`` (a tool that changed the bundle after its export) to the manifest's provenance, dates it
    today and writes model.json (``write_manifest``: the schema and every file's SHA-256 checked)."""
    prov = manifest.setdefault("provenance", {})
    prov["command"] = prov.get("command", "") + " ; then: " + command
    prov["date"] = datetime.date.today().isoformat()
    write_manifest(bundle_dir, manifest)


def verify_bundle(bundle_dir: str) -> dict:
    """Validate ``bundle_dir/model.json`` and the SHA-256 of every file it names; return the manifest.

    Raises BundleError naming the missing or altered file (or the manifest problem)."""
    path = os.path.join(bundle_dir, MANIFEST)
    if not os.path.isfile(path):
        raise BundleError(f"{path} not found: a bundle folder holds model.json and the TorchScript parts")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except json.JSONDecodeError as e:
        raise BundleError(f"{path} is not valid JSON: {e}") from e
    validate_manifest(manifest)
    for where, entry in _file_entries(manifest):
        fpath = os.path.join(bundle_dir, entry["file"])
        if not os.path.isfile(fpath):
            raise BundleError(f"{where}: file {entry['file']} is missing from {bundle_dir}")
        actual = sha256_file(fpath)
        if actual != entry["sha256"]:
            raise BundleError(f"{where}: {entry['file']} has sha256 {actual}, model.json says {entry['sha256']}: "
                              f"the file was changed or replaced; re-export the bundle")
    return manifest


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------

def _script_save_check(module: nn.Module, path: str, example: Tuple[torch.Tensor, ...], atol: float) -> torch.Tensor:
    """Script ``module`` in eval mode, save it, reload it and compare with eager mode on ``example``."""
    module = module.eval()
    with torch.no_grad():
        expected = module(*example)
        scripted = torch.jit.script(module)
        torch.jit.save(scripted, path)
        got = torch.jit.load(path, map_location="cpu")(*example)
    if got.shape != expected.shape or got.dtype != torch.float32:
        raise BundleError(f"{os.path.basename(path)}: reloaded part returns {tuple(got.shape)} {got.dtype}, "
                          f"eager returns {tuple(expected.shape)} {expected.dtype}")
    diff = (got - expected).abs().max().item()
    if not diff <= atol:
        raise BundleError(f"{os.path.basename(path)}: reloaded TorchScript differs from eager mode by {diff:.3g} "
                          f"(> {atol:g}); the module is not scriptable faithfully")
    return expected


def _cpu_copy(module: nn.Module, copy_module: bool = True) -> nn.Module:
    """A float32 CPU copy in eval mode: bundles hold CPU tensors (loaded anywhere with map_location/mapLocation),
    and the caller's module (maybe on a GPU, maybe still training) is left untouched. With
    ``export_bundle(copy_modules=False)`` (the converter, whose modules are its own, already float32 on the CPU)
    the module itself is used, so its weights are not held twice."""
    if not copy_module and all(p.device.type == "cpu" and p.dtype == torch.float32
                                    for p in list(module.parameters()) + list(module.buffers())
                                    if p.is_floating_point()):
        return module.eval()
    return copy.deepcopy(module).to(device="cpu", dtype=torch.float32).eval()


def _schedule(schedule: dict) -> dict:
    s = dict(schedule)
    if s.get("beta_schedule") != "cosine":
        s.pop("cosine_s", None)
    elif "cosine_s" not in s:
        s["cosine_s"] = 8e-3  # CompVis default
    return s


def export_bundle(out_dir: str, *, autoencoder: nn.Module, denoisers: Dict[str, DenoiserSpec], schedule: dict,
                  name: str, description: str, license: str, citation: str, data: dict, provenance: dict,
                  image_channels: Optional[int] = None, image_range: Sequence[float] = (-1.0, 1.0),
                  scale_factor: float = 1.0, decode_quantizes: bool = True, atol: float = 1e-5,
                  overwrite: bool = False, seed: int = 0, copy_modules: bool = True) -> dict:
    """Write a bundle to ``out_dir`` (models/README.md) and return its manifest.

    :param autoencoder: an ``AutoencoderKL`` or ``VQModel``.
    :param denoisers: manifest key ("inpaint", "superres", "unconditional") -> DenoiserSpec.
    :param schedule: manifest ``schedule`` (beta_schedule, linear_start, linear_end, timesteps[, cosine_s]).
    :param data: {"training": str, "held_out": [str, ...]}.
    :param provenance: {"command", "date", "software", ...}; ``date`` and ``software`` default to today and
        the torch version.
    :param image_channels: defaults to the encoder's input channels.
    :param scale_factor: z_diffusion = scale_factor · E(x).
    :param decode_quantizes: VQ only: the decoder part quantizes through the codebook first.
    :param atol: largest allowed |reloaded − eager| on random inputs.
    :param overwrite: replace an existing ``out_dir`` (its ``samples/`` folder, if any, is kept).
    :param copy_modules: export copies of the modules (default); False exports float32 CPU modules themselves
        (set to eval mode): the converter's way to hold the weights once.
    """
    return _export_bundle(out_dir, autoencoder=autoencoder, denoisers=denoisers, schedule=schedule, name=name,
                          description=description, license=license, citation=citation, data=data,
                          provenance=provenance, image_channels=image_channels, image_range=image_range,
                          scale_factor=scale_factor, decode_quantizes=decode_quantizes, atol=atol,
                          overwrite=overwrite, seed=seed, copy_modules=copy_modules)


def _export_bundle(out_dir, *, autoencoder, denoisers, schedule, name, description, license, citation, data,
                   provenance, image_channels, image_range, scale_factor, decode_quantizes, atol, overwrite, seed,
                   copy_modules):
    if os.path.exists(out_dir) and os.listdir(out_dir):
        if not overwrite:
            raise BundleError(f"{out_dir} exists and is not empty; pass overwrite=True (--overwrite) to replace it")
        if not os.path.isfile(os.path.join(out_dir, MANIFEST)):
            raise BundleError(f"{out_dir} is not empty and holds no {MANIFEST}: refusing to replace a folder "
                              f"that is not a bundle; choose another output folder")
    if isinstance(autoencoder, VQModel):
        ae_type, embed_dim = "vq", autoencoder.embed_dim
        enc_part = VQEncoderPart(autoencoder)
        dec_part = QuantizingDecoderPart(autoencoder) if decode_quantizes else DecoderPart(autoencoder)
    elif isinstance(autoencoder, AutoencoderKL):
        ae_type, embed_dim, decode_quantizes = "kl", autoencoder.embed_dim, False
        enc_part, dec_part = KLEncoderPart(autoencoder), DecoderPart(autoencoder)
    else:
        raise BundleError(f"autoencoder must be an AutoencoderKL or VQModel, got {type(autoencoder).__name__}")
    enc_part, dec_part = _cpu_copy(enc_part, copy_modules), _cpu_copy(dec_part, copy_modules)
    if not denoisers:
        raise BundleError("a bundle needs at least one denoiser")
    f = autoencoder.downsampling_factor
    if image_channels is None:
        image_channels = autoencoder.encoder.conv_in.in_channels
    gen = torch.Generator().manual_seed(seed)

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".bundle-", dir=parent)
    try:
        lm_all = max(spec.latent_multiple or getattr(spec.unet, "latent_multiple", 1) for spec in denoisers.values())
        h, w = 2 * lm_all, 3 * lm_all
        img = torch.rand(2, image_channels, h * f, w * f, generator=gen) * 2 - 1
        z = _script_save_check(enc_part, os.path.join(tmp, "encoder.pt"), (img,), atol)
        if z.shape[1] != embed_dim or z.shape[2] != h or z.shape[3] != w:
            raise BundleError(f"encoder maps {tuple(img.shape)} to {tuple(z.shape)}, expected "
                              f"[2, {embed_dim}, {h}, {w}] for f={f}")
        z = torch.randn(2, embed_dim, h, w, generator=gen)
        rec = _script_save_check(dec_part, os.path.join(tmp, "decoder.pt"), (z,), atol)
        if tuple(rec.shape) != (2, image_channels, h * f, w * f):
            raise BundleError(f"decoder maps {tuple(z.shape)} to {tuple(rec.shape)}")
        autoencoder_entry = {
            "type": ae_type,
            "encoder": {"file": "encoder.pt", "sha256": None}, "decoder": {"file": "decoder.pt", "sha256": None},
            "downsampling_factor": f, "latent_channels": embed_dim, "scale_factor": float(scale_factor),
            "decode_quantizes": bool(decode_quantizes),
        }
        sched = _schedule(schedule)
        den_entries = {}
        for key, spec in denoisers.items():
            if key not in DENOISER_FILES:
                raise BundleError(f"denoiser key '{key}' is not one of {sorted(DENOISER_FILES)}")
            den_entries[key] = _export_denoiser(tmp, key, spec, embed_dim, sched["timesteps"], gen, atol,
                                                copy_modules)

        manifest = {
            "format_version": FORMAT_VERSION, "name": name, "description": description, "license": license,
            "citation": citation,
            "image": {"channels": int(image_channels), "range": [float(image_range[0]), float(image_range[1])]},
            "autoencoder": autoencoder_entry, "schedule": sched, "denoisers": den_entries,
            "data": data,
            "provenance": dict({"date": datetime.date.today().isoformat(), "software": f"torch {torch.__version__}"},
                               **provenance),
        }
        for _, entry in _file_entries(manifest):
            entry["sha256"] = sha256_file(os.path.join(tmp, entry["file"]))
        write_manifest(tmp, manifest)
        if os.path.exists(out_dir):
            for kept in KEPT_ON_OVERWRITE:  # not made by the export: moved into the new bundle
                if os.path.exists(os.path.join(out_dir, kept)):
                    os.replace(os.path.join(out_dir, kept), os.path.join(tmp, kept))
            shutil.rmtree(out_dir)
        os.chmod(tmp, 0o755)  # mkdtemp creates 0700
        os.replace(tmp, out_dir)
        return manifest
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)


KEPT_ON_OVERWRITE = ("samples",)
"""Entries of a bundle folder that an overwriting export keeps (sample images for the demo and the tests)."""


def _smallest_working_multiple(key: str, part: torch.nn.Module, c_in: int, lm: int, context: Optional[torch.Tensor],
                               declared: bool) -> int:
    """The latent_multiple to declare: loaders check a denoiser with one forward at side = latent_multiple, the
    smallest size the manifest allows, so that size must run (GroupNorm with one channel per group fails at 1x1 in
    the lowest level). A declared multiple must run as is; a derived one is doubled until it does."""
    for _ in range(4):
        args = (torch.zeros(1, c_in, lm, lm), torch.zeros(1, dtype=torch.int64))
        try:
            with torch.no_grad():
                part(*(args if context is None else args + (context,)))
            return lm
        except (RuntimeError, ValueError) as e:
            if declared:
                raise BundleError(f"denoiser '{key}': latent_multiple {lm} is declared but a {lm}x{lm} latent fails "
                                  f"({str(e).splitlines()[-1]}): declare a larger latent_multiple") from e
            lm *= 2
    raise BundleError(f"denoiser '{key}': no latent side up to {lm // 2} runs")


def _export_denoiser(tmp: str, key: str, spec: DenoiserSpec, latent_channels: int, timesteps: int,
                     gen: torch.Generator, atol: float, copy_modules: bool = True) -> dict:
    unet = _cpu_copy(spec.unet, copy_modules)
    lm = spec.latent_multiple or getattr(unet, "latent_multiple", 1)
    c_in = sum(int(i["channels"]) for i in spec.inputs)
    if getattr(unet, "in_channels", c_in) != c_in:
        raise BundleError(f"denoiser '{key}': inputs {[i['name'] for i in spec.inputs]} sum to {c_in} channels, "
                          f"the U-Net takes {unet.in_channels}")
    if getattr(unet, "out_channels", latent_channels) != latent_channels:
        raise BundleError(f"denoiser '{key}': the U-Net outputs {unet.out_channels} channels, "
                          f"the latent has {latent_channels}")
    uses_context = getattr(unet, "uses_context", spec.context is not None)
    if uses_context != (spec.context is not None):
        raise BundleError(f"denoiser '{key}': the U-Net {'needs' if uses_context else 'takes no'} context, "
                          f"but a ContextSpec was {'not ' if uses_context else ''}given")
    pad = block_padding(c_in)
    # in place (the converter's U-Net is not copied), put back below
    restore = pad_input_convolution(unet, c_in, pad) if pad else (lambda: None)
    try:
        x = torch.randn(2, c_in, 2 * lm, 3 * lm, generator=gen)
        t = torch.randint(0, timesteps, (2,), generator=gen, dtype=torch.int64)
        entry = {"file": DENOISER_FILES[key], "sha256": None}  # hashes are filled in last
        if spec.context is None:
            out = _script_save_check(DenoiserPart(unet, pad), os.path.join(tmp, entry["file"]), (x, t), atol)
        elif isinstance(spec.context, TextContextSpec):
            ctx = spec.context
            os.makedirs(os.path.join(tmp, "tokenizer"), exist_ok=True)
            for src, dst in ((ctx.vocab_file, TOKENIZER_FILES[0]), (ctx.merges_file, TOKENIZER_FILES[1])):
                shutil.copyfile(src, os.path.join(tmp, dst))
            n_vocab = ctx.encoder.text_model.embeddings.token_embedding.num_embeddings
            for name in ("start_token", "end_token", "pad_token"):
                if not 0 <= getattr(ctx, name) < n_vocab:
                    raise BundleError(f"denoiser '{key}': {name} {getattr(ctx, name)} is outside the text encoder's "
                                      f"{n_vocab} token ids")
            ids = torch.randint(0, n_vocab, (2, ctx.max_tokens), generator=gen, dtype=torch.int64)
            c = _script_save_check(_cpu_copy(ctx.encoder, copy_modules), os.path.join(tmp, "text_encoder.pt"), (ids,),
                                   atol)
            if c.dim() != 3 or c.shape[0] != 2 or c.shape[1] != ctx.max_tokens:
                raise BundleError(f"denoiser '{key}': the text encoder returns {tuple(c.shape)}, "
                                  f"expected [N, {ctx.max_tokens}, dim]")
            out = _script_save_check(ContextDenoiserPart(unet, pad), os.path.join(tmp, entry["file"]), (x, t, c), atol)
            entry_ctx = {"encoder": {"file": "text_encoder.pt", "sha256": None},
                         "text": {"tokenizer": "clip-bpe",
                                  "vocab": {"file": TOKENIZER_FILES[0], "sha256": None},
                                  "merges": {"file": TOKENIZER_FILES[1], "sha256": None},
                                  "max_tokens": int(ctx.max_tokens), "start_token": int(ctx.start_token),
                                  "end_token": int(ctx.end_token), "pad_token": int(ctx.pad_token),
                                  "lowercase": bool(ctx.lowercase)},
                         "null_prompt": ctx.null_prompt, "tokens": int(c.shape[1]), "dim": int(c.shape[2])}
        else:
            ctx = spec.context
            labels = torch.randint(0, len(ctx.labels), (2,), generator=gen, dtype=torch.int64)
            tau_file = f"{key}_tau.pt" if key != "unconditional" else "tau.pt"
            c = _script_save_check(_cpu_copy(ctx.encoder), os.path.join(tmp, tau_file), (labels,), atol)
            if c.dim() != 3 or c.shape[0] != 2:
                raise BundleError(f"denoiser '{key}': the context encoder returns {tuple(c.shape)}, "
                                  f"expected [N, tokens, dim]")
            n_emb = getattr(getattr(ctx.encoder, "embedding", None), "num_embeddings", len(ctx.labels))
            if n_emb != len(ctx.labels):
                raise BundleError(f"denoiser '{key}': {len(ctx.labels)} labels for a context encoder with {n_emb} "
                                  f"entries")
            out = _script_save_check(ContextDenoiserPart(unet, pad), os.path.join(tmp, entry["file"]), (x, t, c), atol)
            entry_ctx = {"encoder": {"file": tau_file, "sha256": None}, "labels": list(ctx.labels),
                         "null_label": ctx.null_label, "tokens": int(c.shape[1]), "dim": int(c.shape[2])}
        if tuple(out.shape) != (2, latent_channels, 2 * lm, 3 * lm):
            raise BundleError(f"denoiser '{key}' maps {tuple(x.shape)} to {tuple(out.shape)}")
        part = DenoiserPart(unet, pad) if spec.context is None else ContextDenoiserPart(unet, pad)
        lm = _smallest_working_multiple(key, part, c_in, lm, None if spec.context is None else c[:1],
                                        spec.latent_multiple is not None)
    finally:
        restore()
    if pad:
        with torch.no_grad():
            plain = DenoiserPart(unet)(x, t) if spec.context is None else ContextDenoiserPart(unet)(x, t, c)
        diff = (plain - out).abs().max().item()
        if not diff <= atol:
            raise BundleError(f"denoiser '{key}': padding its input to whole blocks changed its output by {diff:.3g}")
    entry.update({"prediction": spec.prediction, "native_size": int(spec.native_size), "latent_multiple": int(lm),
                  "inputs": [dict(i) for i in spec.inputs]})
    if spec.context is not None:
        entry["context"] = entry_ctx
    return entry
