"""ImageDataset: an in-memory image classification data set that behaves like torchvision's.

Images stay in their stored form (uint8 Fashion-MNIST, float digits) and are converted when
fetched: resized (bilinear, as transforms.Resize), scaled to [0, 1] float32 (as
transforms.ToTensor) and shaped (1, h, w). `dataset[i]` gives `(image tensor, int label)` like
torchvision; `__getitems__` converts a whole batch at once, which DataLoaders use when present.
Finding and parsing files lives in data.py and _images.py.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from .._tensor import Tensor
from ..backend import np
from ..utils.data import Dataset
from ._images import resize_batch


class ImageDataset(Dataset):
    """Classification images (N, H, W) with integer labels, converted to tensors on access."""

    def __init__(self, images: Any, labels: Any, scale: float,
                 size: tuple[int, int] | None = None,
                 text_labels: Sequence[str] | None = None) -> None:
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.images = images
        self.targets = np.asarray(labels, dtype=np.int64)
        self.scale = scale  # the stored value that means 1.0 (255 for uint8, 16 for digits)
        self.size = size
        self.text_labels = list(text_labels) if text_labels is not None else None

    def __len__(self) -> int:
        return len(self.images)

    def _convert(self, index: Any) -> Any:
        """float32 array (k, 1, h, w) in [0, 1] for the images at `index`."""
        imgs = self.images[index]
        if self.size is not None and tuple(self.size) != imgs.shape[-2:]:
            imgs = resize_batch(imgs, self.size)
        if imgs.dtype == np.uint8:
            # ToTensor divides in float32, so the values are exactly torchvision's.
            out = imgs.astype(np.float32) / np.float32(self.scale)
        else:
            out = (imgs / self.scale).astype(np.float32)
        return np.ascontiguousarray(out[:, None])

    def __getitem__(self, index: Any) -> tuple[Tensor, int]:
        i = operator.index(index)
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} is out of range for a data set of {len(self)}")
        x = self._convert([i])
        return Tensor._make(x[0]), int(self.targets[i])

    def __getitems__(self, indices: Sequence[int]) -> list[tuple[Tensor, int]]:
        """The samples at `indices`, converted in one vectorised step."""
        idx = np.asarray([operator.index(i) for i in indices], dtype=np.int64)
        x = self._convert(idx)
        labels = self.targets[idx].tolist()
        return [(Tensor._make(x[k]), labels[k]) for k in range(len(idx))]
