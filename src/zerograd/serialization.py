"""`zerograd.save` and `zerograd.load`: a safe file format that never runs code on load.

A file is a fixed preamble, a JSON description of the saved object, and the raw bytes of its
arrays (little-endian, C order). The preamble holds a magic string, the format version, the
length of everything after it and its SHA-256, so a truncated or bit-flipped file is reported
as damaged instead of loading wrong numbers. Only plain data is stored: tensors (dtype, shape,
device, requires_grad, Parameter-ness and sharing of the same tensor object kept), NumPy
arrays, numbers, strings, bytes, None, and lists, tuples, dicts, OrderedDicts and sets of
these; anything else is refused when saving. Writing to a path goes to a temporary file in
the same directory that is renamed over the target only when complete, so a failed save
leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import struct
import tempfile
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from typing import Any, BinaryIO

from . import _dtype as D
from ._device import device as Device
from ._shapes import Size
from ._tensor import Tensor
from .backend import np, to_host

__all__ = ["save", "load"]

MAGIC = b"ZEROGRAD"
VERSION = 1
# magic, version (uint32), body length (uint64), SHA-256 of version, length and body; then
# the body:
# header length (uint64), header JSON (UTF-8), array bytes.
_PREAMBLE = struct.Struct("<8sIQ32s")
_U64 = struct.Struct("<Q")

FileLike = str | os.PathLike[str] | BinaryIO


class _Writer:
    """Turns an object into (JSON tree, array table, bytes), refusing what is not plain data."""

    def __init__(self) -> None:
        self.arrays: list[dict[str, Any]] = []
        self.chunks: list[bytes] = []
        self.offset = 0
        self.seen: dict[int, int] = {}  # id(tensor) -> index: the same tensor is stored once
        self.active: set[int] = set()  # containers being encoded, to catch cycles
        self.keep: list[Any] = []  # keeps ids unique while encoding

    def blob(self, data: bytes) -> list[int]:
        start = self.offset
        self.chunks.append(data)
        self.offset += len(data)
        return [start, len(data)]

    def array(self, arr: Any, meta: dict[str, Any]) -> int:
        arr = np.asarray(arr, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
        little = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
        meta.update(shape=list(arr.shape), span=self.blob(arr.astype(little).tobytes()))
        self.arrays.append(meta)
        return len(self.arrays) - 1

    def encode(self, obj: Any, where: str) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"float": repr(float(obj))}
        if isinstance(obj, complex):
            return {"complex": [self.encode(obj.real, where), self.encode(obj.imag, where)]}
        if isinstance(obj, Tensor):
            return {"tensor": self.tensor(obj)}
        if isinstance(obj, (np.ndarray, np.generic)):
            arr = np.asarray(obj)
            if arr.dtype.kind not in "biufc":
                raise TypeError(f"zerograd.save cannot store a NumPy array of dtype {arr.dtype} "
                                f"(at {where}): only numeric and bool arrays")
            kind = "ndarray" if isinstance(obj, np.ndarray) else "npscalar"
            return {kind: self.array(arr, {"np": arr.dtype.newbyteorder("<").str})}
        if isinstance(obj, (bytes, bytearray)):
            return {"bytes": self.blob(bytes(obj))}
        if isinstance(obj, Size):
            return {"size": [int(n) for n in obj]}
        if isinstance(obj, D.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, Device):
            return {"device": str(obj)}
        return self.container(obj, where)

    def container(self, obj: Any, where: str) -> Any:
        kinds: list[tuple[type, str]] = [(OrderedDict, "odict"), (defaultdict, "dict"),
                                         (list, "list"), (tuple, "tuple"), (set, "set"),
                                         (frozenset, "frozenset")]
        kind = "dict" if type(obj) is dict else next(
            (k for t, k in kinds if type(obj) is t), None)
        if kind is None and isinstance(obj, tuple) and hasattr(obj, "_fields"):
            kind = "tuple"  # a namedtuple is saved as a plain tuple
        if kind is None:
            raise TypeError(_refusal(obj, where))
        if id(obj) in self.active:
            raise ValueError(f"zerograd.save cannot store a container that contains itself "
                             f"(at {where})")
        self.active.add(id(obj))
        try:
            if kind in ("dict", "odict"):
                items = [[self.encode(k, f"{where} key {k!r}"), self.encode(v, f"{where}[{k!r}]")]
                         for k, v in obj.items()]
                return {kind: items}
            values = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
            return values if kind == "list" else {kind: values}
        finally:
            self.active.discard(id(obj))

    def tensor(self, t: Tensor) -> int:
        if id(t) in self.seen:
            return self.seen[id(t)]
        from .nn.parameter import Parameter

        meta = {"dtype": t.dtype.name, "device": str(t.device),
                "requires_grad": bool(t.requires_grad), "parameter": isinstance(t, Parameter)}
        index = self.array(to_host(t.detach()._data), meta)
        self.seen[id(t)] = index
        self.keep.append(t)
        return index


def _refusal(obj: Any, where: str) -> str:
    name = f"{type(obj).__module__}.{type(obj).__qualname__}"
    hint = ""
    from .nn.modules.module import Module
    from .optim.optimizer import Optimizer

    if isinstance(obj, (Module, Optimizer)):
        hint = (f" To save a {type(obj).__name__}, save its state_dict() and load it into a "
                "freshly built one with load_state_dict().")
    return (
        f"zerograd.save cannot store an object of type {name} (at {where}). It saves only "
        "data, so that loading a file can never run code: tensors, NumPy arrays, numbers, "
        "strings, bytes, None, and lists, tuples, dicts, OrderedDicts and sets of these." + hint
    )


def _serialize(obj: Any) -> bytes:
    w = _Writer()
    root = w.encode(obj, "the saved object")
    header = json.dumps({"root": root, "arrays": w.arrays}, separators=(",", ":"),
                        allow_nan=False).encode("utf-8")
    body = b"".join([_U64.pack(len(header)), header, *w.chunks])
    return _PREAMBLE.pack(MAGIC, VERSION, len(body), _digest(VERSION, len(body), body)) + body


def _digest(version: int, length: int, body: bytes | memoryview) -> bytes:
    """SHA-256 over the version, the length and the body: any changed byte is noticed."""
    h = hashlib.sha256(struct.pack("<IQ", version, length))
    h.update(body)
    return h.digest()


# --- writing -------------------------------------------------------------------------------------


def _write_all(fh: BinaryIO, data: bytes) -> None:
    """Write every byte (a separate function so tests can simulate a full disk)."""
    fh.write(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: str, data: bytes) -> None:
    """Write data to a temporary file beside path, then rename it over path in one step."""
    path = os.path.realpath(path)  # through a symlink, to its target, as a plain open would
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save tensors, state_dicts and plain Python data to a path or a binary file object.

    The whole object is encoded before the file is touched, and a path is replaced only by a
    completely written file: a failing save (unsavable object, full disk) leaves it intact.

    Example:
        >>> import io, zerograd as torch
        >>> buf = io.BytesIO()
        >>> torch.save({"w": torch.ones(2)}, buf); _ = buf.seek(0)
        >>> torch.load(buf)
        {'w': tensor([1., 1.])}
    """
    data = _serialize(obj)
    if isinstance(f, (str, os.PathLike)):
        _atomic_write(os.fspath(f), data)
    elif hasattr(f, "write"):
        _write_all(f, data)  # type: ignore[arg-type]
        if hasattr(f, "flush"):
            f.flush()
    else:
        raise TypeError(f"zerograd.save expects a path or a writable binary file object, got "
                        f"{type(f).__name__}")


# --- reading -------------------------------------------------------------------------------------


def _damaged(why: str) -> RuntimeError:
    return RuntimeError(f"file is damaged: {why}; it cannot be loaded. Restore it from a copy or "
                        "save it again.")


def _read_bytes(f: FileLike) -> bytes:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            data = fh.read()
        _check_preamble(data[: _PREAMBLE.size])
        declared = _PREAMBLE.unpack(data[: _PREAMBLE.size])[2]
        extra = len(data) - _PREAMBLE.size - declared
        if extra > 0:
            raise _damaged(f"{extra} unexpected bytes after the end of the data")
        return data
    if not hasattr(f, "read"):
        raise TypeError(f"zerograd.load expects a path or a readable binary file object, got "
                        f"{type(f).__name__}")
    # A file object is read exactly as far as this object goes (it may hold more after it).
    head = f.read(_PREAMBLE.size)
    _check_preamble(head)
    return head + f.read(_PREAMBLE.unpack(head)[2])


def _check_preamble(head: bytes) -> None:
    if head[:2] == b"PK" or head[:1] == b"\x80":
        raise RuntimeError(
            "this looks like a file written by torch.save (pickled data). zerograd.load never "
            "unpickles, because unpickling can run arbitrary code: load it with PyTorch and "
            "save its tensors with zerograd.save (or re-create them from NumPy arrays)."
        )
    if len(head) < _PREAMBLE.size or not head.startswith(MAGIC):
        if len(head) < len(MAGIC) and MAGIC.startswith(head):
            raise _damaged("it is truncated")
        raise RuntimeError("not a zerograd file (or the file is damaged): it does not start "
                           "with the zerograd signature")


def _parse(data: bytes) -> tuple[dict[str, Any], memoryview]:
    _, version, length, digest = _PREAMBLE.unpack(data[: _PREAMBLE.size])
    body = memoryview(data)[_PREAMBLE.size:]
    if len(body) < length:
        raise _damaged(f"it is truncated ({len(body)} of {length} data bytes present)")
    if _digest(version, length, body) != digest:
        raise _damaged("its checksum does not match its contents (some bytes changed after "
                       "it was written)")
    if version != VERSION:
        raise RuntimeError(f"the file uses zerograd format version {version}; this zerograd "
                           f"reads version {VERSION}")
    (header_len,) = _U64.unpack(body[: _U64.size])
    start = _U64.size + header_len
    header = json.loads(bytes(body[_U64.size:start]).decode("utf-8"))
    return header, body[start:]


class _Reader:
    """Rebuilds the saved object from the header tree and the array bytes."""

    def __init__(self, header: dict[str, Any], payload: memoryview,
                 map_location: Any) -> None:
        self.arrays = header["arrays"]
        self.payload = payload
        self.map_location = map_location
        self.tensors: dict[int, Tensor] = {}

    def raw(self, span: list[int]) -> memoryview:
        start, n = span
        if start < 0 or start + n > len(self.payload):
            raise _damaged("an array lies outside the data")
        return self.payload[start:start + n]

    def array(self, index: int, np_dtype: Any) -> Any:
        meta = self.arrays[index]
        dt = np.dtype(np_dtype)
        little = dt.newbyteorder("<")
        count = math.prod(meta["shape"])
        raw = self.raw(meta["span"])
        if len(raw) != count * dt.itemsize:
            raise _damaged("an array's size does not match its shape")
        flat = np.frombuffer(raw, dtype=little, count=count)
        return flat.astype(dt.newbyteorder("=")).reshape(meta["shape"])

    def tensor(self, index: int) -> Tensor:
        if index in self.tensors:
            return self.tensors[index]
        meta = self.arrays[index]
        t = Tensor._make(self.array(index, D.by_name(meta["dtype"]).np))
        t = self.place(t, meta["device"])
        if meta["parameter"]:
            from .nn.parameter import Parameter

            t = Parameter(t, requires_grad=meta["requires_grad"])
        elif meta["requires_grad"]:
            t.requires_grad_(True)
        self.tensors[index] = t
        return t

    def place(self, t: Tensor, saved: str) -> Tensor:
        loc = self.map_location
        if callable(loc) and not isinstance(loc, (str, Device)):
            moved = loc(t, saved)
            return moved if isinstance(moved, Tensor) else t
        if isinstance(loc, dict):
            target = str(loc.get(saved, saved))
        elif loc is not None:
            target = str(loc)
        else:
            target = saved
        if target.startswith("cuda"):
            from . import cuda

            if not cuda.is_available():
                raise RuntimeError(
                    "Attempting to deserialize object on a CUDA device but "
                    "torch.cuda.is_available() is False. If you are running on a CPU-only "
                    "machine, please use torch.load with map_location=torch.device('cpu') to "
                    "map your storages to the CPU."
                )
        return t if target == "cpu" else t.to(target)

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or len(node) != 1:
            raise _damaged("its description holds an unknown entry")
        ((tag, value),) = node.items()
        simple: dict[str, Callable[[Any], Any]] = {
            "tensor": self.tensor,
            "tuple": lambda v: tuple(self.decode(x) for x in v),
            "set": lambda v: {self.decode(x) for x in v},
            "frozenset": lambda v: frozenset(self.decode(x) for x in v),
            "dict": lambda v: {self.decode(k): self.decode(x) for k, x in v},
            "odict": lambda v: OrderedDict((self.decode(k), self.decode(x)) for k, x in v),
            "float": float,
            "complex": lambda v: complex(self.decode(v[0]), self.decode(v[1])),
            "bytes": lambda v: bytes(self.raw(v)),
            "ndarray": lambda v: self.array(v, self.arrays[v]["np"]),
            "npscalar": lambda v: self.array(v, self.arrays[v]["np"])[()],
            "size": Size,
            "dtype": D.by_name,
            "device": Device,
        }
        if tag not in simple:
            raise _damaged(f"its description holds an unknown kind of entry {tag!r}")
        return simple[tag](value)


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """Load what `save` wrote, checking the file's integrity first.

    `map_location` ('cpu', a device, a dict from saved to wanted device, or a function
    `(tensor, saved_location) -> tensor`) chooses where tensors go. `weights_only` is
    accepted: zerograd files hold data only, so loading is always safe.
    """
    data = _read_bytes(f)
    header, payload = _parse(data)
    return _Reader(header, payload, map_location).decode(header["root"])

