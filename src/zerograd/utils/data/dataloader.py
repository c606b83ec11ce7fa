"""`DataLoader`: iterate over a dataset in (shuffled) mini-batches.

Loading happens in this process: `num_workers`, `pin_memory` and the other multiprocessing
options are accepted (the course passes num_workers=4) and change nothing but speed. Each new
iterator draws one int64 "base seed" from the loader's generator, as PyTorch's does, so the
global random stream after an epoch is the same as with torch. Batches of a TensorDataset are
gathered with one index per tensor instead of stacking rows one by one: same values, faster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ... import _creation as C
from ... import _dtype as D
from ..._generator import Generator
from ..._tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info() -> None:
    """None: zerograd loads data in the main process, so there are no workers."""
    return None


class DataLoader:
    """Batches from a dataset: `for X, y in DataLoader(ds, batch_size=10, shuffle=True)`.

    Example:
        >>> import zerograd as torch
        >>> from zerograd.utils import data
        >>> ds = data.TensorDataset(torch.arange(5.0), torch.arange(5))
        >>> [y.tolist() for _, y in data.DataLoader(ds, batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | None = None, batch_sampler: Any = None,
                 num_workers: int = 0, collate_fn: Callable[[Any], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Any = None, multiprocessing_context: Any = None,
                 generator: Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 "and batch_sampler options")
        elif shuffle not in (False, None) and sampler is not None:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        elif batch_size is not None and self._iterable:
            BatchSampler([], batch_size, drop_last)  # the same argument checks
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collation = batch_size is not None or batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        sampler = self.batch_sampler if self._auto_collation else self.sampler
        return len(sampler)

    def __iter__(self) -> Iterator[Any]:
        # One draw per iterator, as torch's _BaseDataLoaderIter makes for its worker seeds.
        C.empty((), dtype=D.int64).random_(generator=self.generator)
        if self._iterable:
            return self._iter_stream()
        return self._iter_map()

    def _iter_map(self) -> Iterator[Any]:
        if not self._auto_collation:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        for indices in self.batch_sampler:
            fast = self._gather(indices)
            if fast is not None:
                yield fast
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def _gather(self, indices: list[int]) -> list[Tensor] | None:
        """A TensorDataset batch as one index per tensor (what default_collate would build)."""
        if self.collate_fn is not default_collate:
            return None
        ds, idx = self.dataset, list(indices)
        while isinstance(ds, Subset):  # random_split of a TensorDataset
            idx = [ds.indices[i] for i in idx]
            ds = ds.dataset
        if type(ds) is not TensorDataset or not idx or any(t.requires_grad for t in ds.tensors):
            return None
        n = len(ds)
        if any(not -n <= i < n for i in idx):
            return None  # let ordinary indexing raise its IndexError
        where = C.tensor(idx, dtype=D.int64)
        return [t[where] for t in ds.tensors]

    def _iter_stream(self) -> Iterator[Any]:
        it = iter(self.dataset)
        if not self._auto_collation:
            for sample in it:
                yield self.collate_fn(sample)
            return
        assert self.batch_size is not None
        while True:
            batch = []
            for sample in it:
                batch.append(sample)
                if len(batch) == self.batch_size:
                    break
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)
