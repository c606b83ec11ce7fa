"""Data helpers of d2l 0.17: synthetic_data, load_array, Fashion-MNIST, and offline digits.

`load_data_fashion_mnist` reads the standard IDX files from disk (torchvision's layout
`../data/FashionMNIST/raw`, or `$ZEROGRAD_DATA`) and never downloads; when files are missing it
says exactly which to put where. `load_data_digits` serves scikit-learn's bundled 8x8 digits, a
real data set that works offline, with the same shape of API. Both return DataLoaders of
(float32 images (N, 1, h, w) in [0, 1], int64 labels). The data hub (download) is in hub.py.
"""

from __future__ import annotations

import os
from typing import Any

from .. import _creation
from ..backend import np
from ..ops.linalg import matmul
from ._images import find_file, read_idx, target_size

__all__ = [
    "synthetic_data", "load_array", "get_fashion_mnist_labels", "get_dataloader_workers",
    "load_data_fashion_mnist", "load_data_digits", "fashion_mnist_dirs", "DATA_ENV",
]  # fmt: skip

DATA_ENV = "ZEROGRAD_DATA"

_FASHION_LABELS = ["t-shirt", "trouser", "pullover", "dress", "coat",
                   "sandal", "shirt", "sneaker", "bag", "ankle boot"]
_DIGIT_LABELS = [str(i) for i in range(10)]

# split -> (images file, labels file), as the Fashion-MNIST (and MNIST) releases name them.
FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def synthetic_data(w: Any, b: Any, num_examples: int) -> tuple[Any, Any]:
    """Generate y = Xw + b + noise: X ~ N(0, 1), noise ~ N(0, 0.01); y shaped (n, 1)."""
    X = _creation.normal(0, 1, (num_examples, len(w)))
    y = matmul(X, w) + b
    y += _creation.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def load_array(data_arrays: Any, batch_size: int, is_train: bool = True) -> Any:
    """A DataLoader over tensors of equal length (shuffled when is_train)."""
    from ..utils import data

    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def get_fashion_mnist_labels(labels: Any) -> list[str]:
    """The text labels ('t-shirt', ..., 'ankle boot') of Fashion-MNIST class indices."""
    return [_FASHION_LABELS[int(i)] for i in labels]


def get_dataloader_workers() -> int:
    """The number of worker processes d2l asks its DataLoaders for (4)."""
    return 4


def fashion_mnist_dirs() -> list[str]:
    """The folders searched for Fashion-MNIST, in order: $ZEROGRAD_DATA then ../data."""
    dirs = []
    env = os.environ.get(DATA_ENV)
    if env:
        dirs += [os.path.join(env, "FashionMNIST", "raw"), env]
    dirs.append(os.path.join("..", "data", "FashionMNIST", "raw"))
    return dirs


def _find_fashion_mnist() -> dict[str, str]:
    """stem -> path for all four files, from the first folder that has them all."""
    stems = [s for pair in FASHION_MNIST_FILES.values() for s in pair]
    searched = []
    for folder in fashion_mnist_dirs():
        found = {s: find_file(folder, s) for s in stems}
        if all(found.values()):
            return {s: p for s, p in found.items() if p is not None}
        missing = [s for s in stems if not found[s]]
        searched.append(f"  {os.path.abspath(folder)}  (missing: {', '.join(missing)})")
    lines = "\n".join(f"  {s}.gz" for s in stems)
    raise FileNotFoundError(
        "Fashion-MNIST was not found, and zerograd never downloads at run time.\n"
        f"Put these 4 files (gzipped as released, or uncompressed without .gz):\n{lines}\n"
        f"into {os.path.abspath(fashion_mnist_dirs()[-1])} (torchvision's layout, relative to "
        f"the working directory), or into a folder named by ${DATA_ENV}.\n"
        "Looked in:\n" + "\n".join(searched) + "\n"
        "For a real data set that needs no files, use d2l.load_data_digits(batch_size) "
        "(pip install 'zerograd[digits]')."
    )


_cache: dict[tuple[str, float, int], Any] = {}


def _read_cached(path: str) -> Any:
    """read_idx, remembered per (path, mtime, size) so reloading the data set is instant."""
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_mtime, st.st_size)
    if key not in _cache:
        _cache[key] = read_idx(path)
    return _cache[key]


def _read_split(files: dict[str, str], split: str) -> tuple[Any, Any]:
    """(uint8 images (N, H, W), labels (N,)) of one split, checked for consistency."""
    img_stem, lbl_stem = FASHION_MNIST_FILES[split]
    images, labels = _read_cached(files[img_stem]), _read_cached(files[lbl_stem])
    if images.ndim != 3 or images.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(
            f"{files[img_stem]} / {files[lbl_stem]}: expected uint8 images (N, H, W) and labels "
            f"(N,), got {images.dtype} {images.shape} and {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(f"{files[img_stem]} has {len(images)} images but "
                         f"{files[lbl_stem]} has {len(labels)} labels")
    return images, labels


def _loaders(train: Any, test: Any, batch_size: int) -> tuple[Any, Any]:
    """d2l's pair of loaders: shuffled training data, test data in order."""
    from ..utils import data

    workers = get_dataloader_workers()
    return (data.DataLoader(train, batch_size, shuffle=True, num_workers=workers),
            data.DataLoader(test, batch_size, shuffle=False, num_workers=workers))


def load_data_fashion_mnist(batch_size: int, resize: Any = None) -> tuple[Any, Any]:
    """Fashion-MNIST from local IDX files as (train_iter, test_iter) DataLoaders.

    Images are float32 in [0, 1] shaped (batch, 1, 28, 28), or resized bilinearly like
    transforms.Resize(resize); labels are int64. Raises FileNotFoundError naming the missing
    files and where to put them.
    """
    from ._datasets import ImageDataset

    files = _find_fashion_mnist()
    sets = []
    for split in ("train", "test"):
        images, labels = _read_split(files, split)
        size = target_size(resize, *images.shape[1:]) if resize else None
        sets.append(ImageDataset(images, labels, 255.0, size, _FASHION_LABELS))
    return _loaders(sets[0], sets[1], batch_size)


def _load_digits_arrays() -> tuple[Any, Any]:
    """scikit-learn's bundled digits: float images (1797, 8, 8) in 0..16 and int labels."""
    try:
        from sklearn.datasets import load_digits
    except ModuleNotFoundError as e:
        if e.name is not None and e.name.split(".")[0] in ("sklearn", "scipy"):
            raise ModuleNotFoundError(
                "load_data_digits reads the handwritten digits that ship inside scikit-learn "
                "(no network needed), so it needs scikit-learn: pip install 'zerograd[digits]' "
                "(or pip install scikit-learn)",
                name="sklearn",
            ) from None
        raise
    bunch = load_digits()
    return np.asarray(bunch.images, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


def load_data_digits(batch_size: int, resize: Any = None, test_fraction: float = 0.2,
                     seed: int = 0) -> tuple[Any, Any]:
    """scikit-learn's handwritten digits (1,797 8x8 images, 10 classes) as DataLoaders.

    Works offline. Returns (train_iter, test_iter) like load_data_fashion_mnist: float32
    images in [0, 1] shaped (batch, 1, 8, 8) (or resized), int64 labels. A fixed-seed shuffle
    puts `test_fraction` of the images in the test set.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    from ._datasets import ImageDataset

    images, labels = _load_digits_arrays()
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    test_idx, train_idx = order[:n_test], order[n_test:]
    size = target_size(resize, *images.shape[1:]) if resize else None
    train = ImageDataset(images[train_idx], labels[train_idx], 16.0, size, _DIGIT_LABELS)
    test = ImageDataset(images[test_idx], labels[test_idx], 16.0, size, _DIGIT_LABELS)
    return _loaders(train, test, batch_size)
