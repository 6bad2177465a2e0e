"""Training checkpoints in two formats, chosen by the file name.

* ``*.pt``: ``torch.save`` of the whole payload (optimizer included, so ``--resume`` works). Files written by a
  newer PyTorch are not guaranteed to load in an older one.
* ``*.npz``: portable -- NumPy's ``.npz`` (no pickle) with the weights that export needs and the rest of the
  payload as JSON. It loads in any PyTorch, which is how weights trained on a GPU machine with PyTorch 2.x come
  back to Debian's PyTorch 1.13 that writes the TorchScript bundle. Optimizer state and the raw (non-EMA) denoiser
  weights are left out (``PORTABLE_SKIP``): such a file cannot be resumed, only exported.

In a payload, a value that is a dict of tensors (a state dict) is stored as arrays ``<key>/<parameter>``; every
other value must be JSON-serialisable and goes into the array ``__meta__``.
"""
from __future__ import annotations

import collections
import json
import os

import numpy as np
import torch

PORTABLE_SKIP = ("optimizer", "unet", "tau")
"""Payload keys that a portable checkpoint leaves out (the exporter uses ``unet_ema`` / ``tau_ema``)."""


def _is_state_dict(value) -> bool:
    return isinstance(value, dict) and value and all(isinstance(v, torch.Tensor) for v in value.values())


def save_checkpoint(path: str, payload: dict) -> None:
    """Write ``payload`` atomically (an interrupted write never leaves a broken file); format by extension."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    if path.endswith(".npz"):
        arrays, meta = {}, {}
        for key, value in payload.items():
            if key in PORTABLE_SKIP:
                continue
            if _is_state_dict(value):
                for name, t in value.items():
                    arrays[f"{key}/{name}"] = t.detach().cpu().numpy()
            else:
                meta[key] = value
        arrays["__meta__"] = np.array(json.dumps(meta))
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
    else:
        torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str) -> dict:
    """The payload of a checkpoint written by :func:`save_checkpoint` (state dicts as CPU tensors)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    if not path.endswith(".npz"):
        return torch.load(path, map_location="cpu")
    with np.load(path, allow_pickle=False) as f:
        if "__meta__" not in f.files:
            raise ValueError(f"{path} is not a portable checkpoint (no __meta__ entry)")
        payload = json.loads(str(f["__meta__"]))
        for name in f.files:
            if name != "__meta__":
                key, param = name.split("/", 1)
                payload.setdefault(key, collections.OrderedDict())[param] = torch.from_numpy(f[name].copy())
    return payload


def init_record(path: str, ckpt: dict) -> dict:
    """What a run continued from ``--init path`` (its checkpoint ``ckpt``) records of it: file, hash, steps, time,
    command, and, nested, the run that one continued in turn."""
    from .export import sha256_file
    record = {"path": path, "sha256": sha256_file(path), "steps": ckpt["step"],
              "seconds": round(ckpt["train_seconds"]), "command": ckpt["command"]}
    if ckpt["config"].get("init"):
        record["init"] = ckpt["config"]["init"]
    return record
