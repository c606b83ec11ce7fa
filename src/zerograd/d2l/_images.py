"""Reading IDX image files and resizing images, with no torchvision and no PIL.

`read_idx` parses the IDX format of (Fashion-)MNIST (`*-ubyte`, optionally gzipped).
`resize_batch` is bilinear resizing computed exactly as PIL's `Image.resize(size, BILINEAR)`
(which torchvision's `transforms.Resize` calls on a PIL image): the same filter weights, and for
uint8 images the same 22-bit fixed-point arithmetic and rounding after each pass, so resized
Fashion-MNIST matches torchvision's pixel for pixel. Datasets and loaders live in data.py.
"""

from __future__ import annotations

import functools
import gzip
import os
from typing import Any

from ..backend import np

__all__ = ["read_idx", "resize_batch", "target_size"]

# IDX type codes (third byte of the magic number) -> big-endian dtype of the payload.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str) -> Any:
    """Read an IDX file (`.gz` or uncompressed) into a NumPy array of its stored shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    count = int(np.prod(shape, dtype=np.int64))
    if len(raw) - header != count * dtype.itemsize:
        raise ValueError(
            f"{path} is truncated or corrupt: its header promises shape {shape} "
            f"({count * dtype.itemsize} bytes of data) but it holds {len(raw) - header}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native byte order, and a writable copy


def target_size(resize: Any, height: int, width: int) -> tuple[int, int]:
    """The (h, w) that transforms.Resize(resize) gives an h×w image (an int sets the short side)."""
    if isinstance(resize, (list, tuple)):
        if len(resize) == 1:
            resize = resize[0]
        else:
            return int(resize[0]), int(resize[1])
    size = int(resize)
    if height <= width:
        return size, int(size * width / height)
    return int(size * height / width), size


def _bilinear(t: Any) -> Any:
    return np.maximum(0.0, 1.0 - np.abs(t))


@functools.lru_cache(maxsize=32)
def _coefficients(in_size: int, out_size: int) -> Any:
    """PIL's bilinear weights as an (out_size, in_size) matrix; each row sums to 1."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)  # downsampling widens the filter: antialiasing
    support = 1.0 * filterscale
    inv = 1.0 / filterscale
    weights = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = (i + 0.5) * scale
        # int() truncates toward zero like PIL's C casts; the window is clamped to the image.
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        w = _bilinear((np.arange(lo, hi, dtype=np.float64) - center + 0.5) * inv)
        total = w.sum()
        weights[i, lo:hi] = w / total if total != 0.0 else w
    return weights


_PRECISION_BITS = 32 - 8 - 2  # PIL's fixed-point precision for 8-bit images


@functools.lru_cache(maxsize=32)
def _fixed_coefficients(in_size: int, out_size: int) -> Any:
    """The weights as PIL's 22-bit fixed-point integers (stored in float64, exactly)."""
    w = _coefficients(in_size, out_size) * float(1 << _PRECISION_BITS)
    # Weights of the bilinear filter are never negative, so PIL's rounding is trunc(w + 0.5).
    return np.trunc(w + 0.5)


def _pass_uint8(imgs: Any, coef: Any) -> Any:
    """One PIL pass along the last axis: integer sums, +half, >>22, clip to 0..255."""
    # float64 holds every partial sum exactly (255 * 2**22 * width < 2**53), and BLAS is fast.
    acc = (imgs.astype(np.float64) @ coef.T).astype(np.int64) + (1 << (_PRECISION_BITS - 1))
    return np.clip(acc >> _PRECISION_BITS, 0, 255).astype(np.uint8)


def resize_batch(imgs: Any, size: tuple[int, int]) -> Any:
    """Bilinearly resize images shaped (N, H, W) to (N, h, w), as PIL does image by image.

    uint8 images come back as uint8, rounded after each pass like PIL; float images stay float.
    """
    h, w = size
    in_h, in_w = imgs.shape[-2:]
    out = imgs
    if imgs.dtype == np.uint8:
        # Rounding after each pass makes the order matter. PIL runs the horizontal pass first,
        # except (Pillow >= 13) when the height shrinks by more than twice the width's change.
        # Square resizes, the course's only kind, are horizontal-first in every Pillow.
        vertical_first = h < in_h and in_h - h > 2 * (in_w - w)
        if vertical_first and h != in_h:
            out = _pass_uint8(out.swapaxes(-1, -2), _fixed_coefficients(in_h, h)).swapaxes(-1, -2)
        if w != in_w:
            out = _pass_uint8(out, _fixed_coefficients(in_w, w))
        if not vertical_first and h != in_h:
            out = _pass_uint8(out.swapaxes(-1, -2), _fixed_coefficients(in_h, h)).swapaxes(-1, -2)
        return np.ascontiguousarray(out)
    if w != in_w:
        out = out @ _coefficients(in_w, w).T.astype(out.dtype)
    if h != in_h:
        out = _coefficients(in_h, h).astype(out.dtype) @ out
    return np.ascontiguousarray(out)


def find_file(folder: str, stem: str) -> str | None:
    """`folder/stem.gz` or `folder/stem`, whichever exists (the gzipped one first)."""
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None
