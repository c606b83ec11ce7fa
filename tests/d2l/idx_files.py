"""Writing small IDX files (the (Fashion-)MNIST format) for the data loader tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
          np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(arr: np.ndarray) -> bytes:
    """The IDX encoding of an array: magic (0, 0, type, ndim), big-endian dims, big-endian data."""
    big = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    code = _CODES[np.dtype(big.dtype)]
    header = bytes([0, 0, code, arr.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in arr.shape)
    return header + big.tobytes()


def write_idx(path: Path, arr: np.ndarray, gz: bool) -> Path:
    """Write arr to path (+ '.gz' when gz); returns the written path."""
    data = idx_bytes(arr)
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def write_fashion_mnist(folder: Path, n_train: int, n_test: int, gz: bool,
                        seed: int = 0, size: int = 28) -> dict[str, np.ndarray]:
    """Random uint8 images and labels 0..9 under Fashion-MNIST's four file names."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, size, size), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, size, size), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for stem, arr in arrays.items():
        write_idx(folder / stem, arr, gz)
    return arrays
