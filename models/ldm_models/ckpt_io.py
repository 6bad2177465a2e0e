"""Read checkpoint files as users have them, without running code from them and without a training framework.

    from ldm_models.ckpt_io import read_state_dict
    sd, meta = read_state_dict("sd-v1-5.ckpt")      # {name: tensor} (memory-mapped), {"global_step": ...}

Formats (chosen by the file's own bytes, not its name):

* PyTorch zip archives (``torch.save`` since 1.6: CompVis, Lightning and Stable Diffusion ``.ckpt``): the archive's
  ``data.pkl`` is read by :class:`SafeUnpickler`, which rebuilds only tensors, storages and plain containers. Every
  other class in the pickle (Lightning's ``ModelCheckpoint`` callback, ``argparse.Namespace``, ...) becomes an
  inert :class:`StandIn` that records its arguments and runs nothing; a pickle that names a function of a
  code-running module (``os.system``, ``subprocess``, ``builtins.eval``, ...) is refused (:class:`UnsafePickleError`).
  Storages are not read: each is a view of the memory-mapped file (the archive stores them uncompressed), so a
  tensor's bytes are paged in only when used and the state dict is never held in memory a second time.
* ``.safetensors``: 8-byte little-endian header length, a JSON header ``{name: {dtype, shape, data_offsets}}``
  (offsets relative to the end of the header), then raw little-endian tensor bytes; memory-mapped the same way.
* Legacy (pre-1.6) ``torch.save`` files: the same unpickler, storages memory-mapped (:func:`read_torch_legacy`).

A tensor returned here may share memory with a read-only mapping opened copy-on-write: writing to it changes only
the process's copy, never the file.
"""
import io
import json
import mmap
import os
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict
from typing import Dict, Tuple

import torch


class CheckpointError(Exception):
    """A checkpoint file cannot be read; the message names the file and the reason."""


class UnsafePickleError(CheckpointError):
    """The pickle names a function that would run code when loaded."""


# storage class name (torch.<Name>) -> dtype
STORAGE_DTYPES = {
    "FloatStorage": torch.float32, "DoubleStorage": torch.float64, "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16, "LongStorage": torch.int64, "IntStorage": torch.int32,
    "ShortStorage": torch.int16, "CharStorage": torch.int8, "ByteStorage": torch.uint8, "BoolStorage": torch.bool,
}
SAFETENSORS_DTYPES = {
    "F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
    "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
# modules whose functions and classes run code or touch the system when called: a pickle naming one is refused
DANGEROUS_MODULES = {
    "os", "posix", "nt", "subprocess", "sys", "builtins", "__builtin__", "shutil", "socket", "importlib", "runpy",
    "code", "codeop", "pty", "ctypes", "pickle", "_pickle", "marshal", "types", "functools", "operator", "io",
    "_io", "tempfile", "webbrowser", "multiprocessing", "threading", "_thread", "signal", "asyncio", "http",
    "urllib", "ftplib", "smtplib", "telnetlib", "glob", "platform", "inspect", "commands", "popen2", "posixpath",
    "ntpath", "shelve", "dbm", "sqlite3", "zipimport", "pkgutil", "site", "distutils", "setuptools", "pip",
    "cProfile", "profile", "pdb", "timeit", "trace", "doctest", "unittest", "xmlrpc", "imp", "gc", "atexit",
}
SAFE_BUILTINS = {"set", "frozenset", "slice", "complex", "bytearray", "range", "list", "dict", "tuple", "int",
                 "float", "str", "bytes", "bool", "object"}


class StandIn:
    """An inert object standing for a class of the pickle that is not rebuilt (Lightning callbacks, hyper-parameter
    containers, ...): it records the constructor arguments and the state and does nothing else."""
    _qualname = "?"

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs, self.state = args, kwargs, None

    def __setstate__(self, state):
        self.state = state

    def __setitem__(self, key, value):  # SETITEM(S) on a dict subclass
        self.__dict__.setdefault("items", {})[key] = value

    def append(self, value):  # APPEND(S) on a list subclass
        self.__dict__.setdefault("list", []).append(value)

    def extend(self, values):
        self.__dict__.setdefault("list", []).extend(values)

    def __repr__(self):
        return f"<stand-in for {self._qualname}>"


_stand_in_classes: Dict[str, type] = {}


def stand_in(module: str, name: str) -> type:
    """A StandIn subclass named after ``module.name`` (one per name, so isinstance checks tell them apart)."""
    q = f"{module}.{name}"
    if q not in _stand_in_classes:
        _stand_in_classes[q] = type(name, (StandIn,), {"_qualname": q, "__module__": "ldm_models.ckpt_io.standins"})
    return _stand_in_classes[q]


class _StorageType:
    """What a pickled ``torch.XStorage`` global becomes: only its dtype is used."""

    def __init__(self, dtype: torch.dtype):
        self.dtype = dtype


class LazyStorage:
    """A storage of the archive: ``numel`` elements of ``dtype`` at a byte offset of a memory map."""

    def __init__(self, buf, offset: int, dtype: torch.dtype, numel: int):
        self.buf, self.offset, self.dtype, self.numel = buf, offset, dtype, numel

    def tensor(self) -> torch.Tensor:
        """The whole storage as a 1-D tensor sharing the map's memory."""
        if self.numel == 0:
            return torch.empty(0, dtype=self.dtype)
        return torch.frombuffer(self.buf, dtype=self.dtype, count=self.numel, offset=self.offset)


def _rebuild_tensor(storage, storage_offset, size, stride, *rest):
    """torch._utils._rebuild_tensor(_v2): a strided view of the storage (requires_grad, hooks and metadata dropped)."""
    if not isinstance(storage, LazyStorage):
        raise CheckpointError(f"unexpected storage object {type(storage).__name__}")
    if storage.buf is None:  # first pass over a legacy file: storages not located yet
        return None
    flat = storage.tensor()
    if len(size) == 0 and flat.numel() == 0:
        return torch.empty((), dtype=flat.dtype)
    return flat.as_strided(tuple(size), tuple(stride), int(storage_offset))


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None, *state):
    return data


def _rebuild_from_type_v2(func, new_type, args, state):
    return func(*args)


# module -> {name: what find_class returns}; everything a plain state dict needs, nothing that runs code
_ALLOWED = {
    "torch._utils": {"_rebuild_tensor_v2": _rebuild_tensor, "_rebuild_tensor": _rebuild_tensor,
                     "_rebuild_parameter": _rebuild_parameter, "_rebuild_parameter_with_state": _rebuild_parameter},
    "torch._tensor": {"_rebuild_from_type_v2": _rebuild_from_type_v2, "Tensor": torch.Tensor},
    "torch.nn.parameter": {"Parameter": torch.Tensor},
    "torch": dict({n: _StorageType(d) for n, d in STORAGE_DTYPES.items()},
                  Size=torch.Size, Tensor=torch.Tensor, device=torch.device,
                  **{n: getattr(torch, n) for n in ("float32", "float64", "float16", "bfloat16", "int64", "int32",
                                                    "int16", "int8", "uint8", "bool")}),
    "collections": {"OrderedDict": OrderedDict},
    "_codecs": {"encode": lambda s, enc="utf-8": s.encode(enc)},  # protocol-2 pickles write bytes this way
    "builtins": {n: getattr(__builtins__ if isinstance(__builtins__, dict) else __builtins__, n, None)
                 for n in SAFE_BUILTINS},
}
_ALLOWED["builtins"] = {n: v for n, v in _ALLOWED["builtins"].items() if v is not None}
_ALLOWED["__builtin__"] = _ALLOWED["builtins"]


def _safe_global(module: str, name: str, where: str):
    allowed = _ALLOWED.get(module)
    if allowed is not None and name in allowed:
        return allowed[name]
    root = module.split(".")[0]
    if root in DANGEROUS_MODULES or module == "torch" and not name[:1].isupper():
        raise UnsafePickleError(f"{where}: refused: its pickle calls {module}.{name}, which could run code when "
                                f"loaded (a checkpoint holds only tensors); do not use this file")
    return stand_in(module, name)


class SafeUnpickler(pickle.Unpickler):
    """pickle.Unpickler that rebuilds only tensors and plain containers (see the module's documentation).

    ``storages``: persistent id key -> LazyStorage factory ``(key, dtype, numel) -> LazyStorage`` for zip
    archives; None for pickles without storages."""

    def __init__(self, file, where: str = "checkpoint", storage_loader=None, **kwargs):
        super().__init__(file, **kwargs)
        self.where = where
        self.storage_loader = storage_loader

    def find_class(self, module, name):
        return _safe_global(module, name, self.where)

    def persistent_load(self, pid):
        if self.storage_loader is None:
            raise CheckpointError(f"{self.where}: unexpected persistent id {pid!r}")
        # zip archives: ('storage', type, key, location, numel); legacy files add a view entry
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == "storage"):
            raise CheckpointError(f"{self.where}: unsupported persistent id {pid!r}")
        if len(pid) == 6 and pid[5] is not None:
            raise CheckpointError(f"{self.where}: storage views (files of PyTorch < 0.4) are not supported; "
                                  f"re-save the file with a newer PyTorch")
        _, stype, key, _location, numel = pid[:5]
        if isinstance(stype, _StorageType):
            dtype = stype.dtype
        elif isinstance(stype, torch.dtype):
            dtype = stype
        else:
            raise CheckpointError(f"{self.where}: unsupported storage type {stype!r}")
        return self.storage_loader(str(key), dtype, int(numel))


def _open_map(path: str):
    f = open(path, "rb")
    try:
        if os.fstat(f.fileno()).st_size == 0:
            raise CheckpointError(f"{path} is empty")
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    finally:
        f.close()


def _member_data_offset(buf, info: zipfile.ZipInfo) -> int:
    """Byte offset of a stored member's data: after its local header (30 bytes + name + extra field)."""
    h = info.header_offset
    if bytes(buf[h:h + 4]) != b"PK\x03\x04":
        raise CheckpointError(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", buf[h + 26:h + 30])
    return h + 30 + name_len + extra_len


def read_torch_zip(path: str):
    """Unpickle a ``torch.save`` zip archive safely, with its storages memory-mapped. Returns the pickled object."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise CheckpointError(f"cannot read {path}: {e}") from e
    with zf:
        infos = {i.filename: i for i in zf.infolist()}
        pkl = [n for n in infos if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise CheckpointError(f"{path} is a zip file but not a PyTorch checkpoint (no single data.pkl)")
        prefix = pkl[0][:-len("data.pkl")]
        buf = _open_map(path)

        def load_storage(key: str, dtype: torch.dtype, numel: int) -> LazyStorage:
            info = infos.get(f"{prefix}data/{key}")
            if info is None:
                raise CheckpointError(f"{path}: storage data/{key} is missing from the archive")
            if info.compress_type != zipfile.ZIP_STORED:
                raise CheckpointError(f"{path}: storage data/{key} is compressed; re-save it with torch.save")
            nbytes = numel * torch.empty((), dtype=dtype).element_size()
            if info.file_size < nbytes:
                raise CheckpointError(f"{path}: storage data/{key} holds {info.file_size} bytes, needs {nbytes}")
            return LazyStorage(buf, _member_data_offset(buf, info), dtype, numel)

        with zf.open(pkl[0]) as f:
            data = io.BytesIO(f.read())
        return SafeUnpickler(data, where=path, storage_loader=load_storage, encoding="utf-8").load()


LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def read_torch_legacy(path: str):
    """Unpickle a legacy (pre-1.6, non-zip) ``torch.save`` file safely, storages memory-mapped. Layout: pickles of
    the magic number, the protocol version and system info, then the object (storages as persistent ids
    ``('storage', type, key, location, numel, view)``), then the list of storage keys, then per key an int64
    element count and the raw bytes. (``torch.load(pickle_module=...)`` cannot be used: PyTorch 1.13 ignores a
    custom pickle_module unless weights_only is set.)"""
    buf = _open_map(path)
    with open(path, "rb") as f:  # the pickles are read from the file, the storages from the map
        return _read_legacy(f, buf, path)


def _read_legacy(f, buf, path: str):
    def plain(fh):
        return SafeUnpickler(fh, where=path, encoding="utf-8").load()

    try:
        if plain(f) != LEGACY_MAGIC:
            raise CheckpointError(f"{path} is not a PyTorch checkpoint (bad magic number)")
        plain(f)  # protocol version
        plain(f)  # sys info
        start = f.tell()
        seen = {}

        def collect(key, dtype, numel):
            seen[key] = (dtype, numel)
            return LazyStorage(None, 0, dtype, numel)

        _legacy_unpickler(f, path, collect).load()
        keys = plain(f)
        offsets, pos = {}, f.tell()
        for key in keys:
            (n,) = struct.unpack("<q", buf[pos:pos + 8])
            dtype, numel = seen[key]
            offsets[key] = pos + 8
            pos += 8 + n * torch.empty((), dtype=dtype).element_size()
            if pos > len(buf):
                raise CheckpointError(f"{path} is truncated (storage {key} runs past the end)")
        f.seek(start)
        return _legacy_unpickler(f, path, lambda key, dtype, numel: LazyStorage(buf, offsets[key], dtype, numel)
                                 ).load()
    except (pickle.UnpicklingError, EOFError, KeyError, struct.error) as e:
        raise CheckpointError(f"cannot read checkpoint {path}: {e!r} (not a PyTorch or safetensors file?)") from e


def _legacy_unpickler(f, path, loader):
    return SafeUnpickler(f, where=path, storage_loader=loader, encoding="utf-8")


def read_safetensors(path: str) -> Tuple[Dict[str, torch.Tensor], dict]:
    """A ``.safetensors`` file: ({name: tensor} memory-mapped, the header's ``__metadata__``)."""
    buf = _open_map(path)
    if len(buf) < 8:
        raise CheckpointError(f"{path} is too short for a safetensors file")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > min(len(buf) - 8, 100 << 20):
        raise CheckpointError(f"{path}: safetensors header length {n} exceeds the file; not a safetensors file")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: safetensors header is not JSON ({e})") from e
    meta = header.pop("__metadata__", {}) or {}
    base, out = 8 + n, {}
    for name, e in header.items():
        dtype = SAFETENSORS_DTYPES.get(e.get("dtype"))
        if dtype is None:
            raise CheckpointError(f"{path}: tensor {name} has unsupported dtype {e.get('dtype')}")
        shape, (start, end) = [int(s) for s in e["shape"]], e["data_offsets"]
        numel = 1
        for s in shape:
            numel *= s
        size = torch.empty((), dtype=dtype).element_size()
        if end - start != numel * size or base + end > len(buf) or start < 0:
            raise CheckpointError(f"{path}: tensor {name} has data_offsets {start}..{end} that do not fit "
                                  f"shape {shape} {e['dtype']} in the file")
        out[name] = LazyStorage(buf, base + start, dtype, numel).tensor().reshape(shape)
    return out, meta


def _is_zip(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _looks_safetensors(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(9)
    return len(head) == 9 and head[8:9] == b"{"


def read_checkpoint_object(path: str):
    """The object a checkpoint file holds (zip archive, legacy torch.save or safetensors), read safely."""
    if not os.path.isfile(path):
        raise CheckpointError(f"{path} does not exist or is not a file")
    if _is_zip(path):
        return read_torch_zip(path)
    if _looks_safetensors(path):
        return read_safetensors(path)[0]
    return read_torch_legacy(path)


def read_state_dict(path: str) -> Tuple[Dict[str, torch.Tensor], dict]:
    """({name: tensor}, {"global_step": int or None}) of a checkpoint: the ``state_dict`` entry of a Lightning /
    CompVis file, or the file's own dict of tensors (safetensors, plain ``torch.save(state_dict)``). Non-tensor
    entries of the state dict are dropped."""
    obj = read_checkpoint_object(path)
    meta = {"global_step": None}
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        gs = obj.get("global_step")
        meta["global_step"] = gs if isinstance(gs, int) else None
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise CheckpointError(f"{path} holds a {type(obj).__name__}, not a state dict (a dict of tensors under "
                              f"'state_dict' or at the top)")
    sd = {k: v for k, v in obj.items() if isinstance(k, str) and isinstance(v, torch.Tensor)}
    if not sd:
        raise CheckpointError(f"{path} holds no tensors (expected a dict of tensors under 'state_dict')")
    return sd, meta
