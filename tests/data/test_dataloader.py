"""utils.data against torch.utils.data: seeded shuffles in torch's order (and the global random
stream left where torch leaves it), batch structure and collation, samplers, random_split,
iterable datasets, lengths and the errors for bad options.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import zerograd
from zerograd.utils import data as zd

torch = pytest.importorskip("torch")
td = torch.utils.data


def pair(n=23, features=2):
    x = np.arange(n * features, dtype="f4").reshape(n, features)
    y = np.arange(n)
    return (zd.TensorDataset(zerograd.tensor(x), zerograd.tensor(y)),
            td.TensorDataset(torch.tensor(x), torch.tensor(y)))


def as_lists(loader):
    return [[t.tolist() for t in batch] for batch in loader]


@pytest.mark.parametrize("seed", [0, 1, 1234])
@pytest.mark.parametrize("batch_size, drop_last", [(10, False), (5, True), (23, False), (1, False)])
def test_seeded_shuffle_follows_torch_and_leaves_rng_in_step(seed, batch_size, drop_last):
    zds, tds = pair()
    zerograd.manual_seed(seed)
    torch.manual_seed(seed)
    zl = zd.DataLoader(zds, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    tl = td.DataLoader(tds, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    for _ in range(3):  # several epochs: each reshuffles from the global stream
        assert as_lists(zl) == as_lists(tl)
    assert len(zl) == len(tl)
    assert zerograd.rand(3).tolist() == torch.rand(3).tolist()


def test_sequential_loader_consumes_the_global_stream_like_torch():
    zds, tds = pair(7)
    zerograd.manual_seed(5)
    torch.manual_seed(5)
    assert as_lists(zd.DataLoader(zds, batch_size=3)) == as_lists(td.DataLoader(tds, batch_size=3))
    assert zerograd.randn(2).tolist() == torch.randn(2).tolist()


def test_loader_generator_argument():
    zds, tds = pair()
    zg, tg = zerograd.Generator().manual_seed(77), torch.Generator().manual_seed(77)
    zl = zd.DataLoader(zds, batch_size=4, shuffle=True, generator=zg)
    tl = td.DataLoader(tds, batch_size=4, shuffle=True, generator=tg)
    zerograd.manual_seed(0)
    torch.manual_seed(0)
    for _ in range(2):
        assert as_lists(zl) == as_lists(tl)
    assert zerograd.rand(2).tolist() == torch.rand(2).tolist()  # the global stream untouched


def test_first_batch_prints_like_torch_and_has_torch_types():
    zds, tds = pair()
    zb = next(iter(zd.DataLoader(zds, batch_size=4, num_workers=4)))
    tb = next(iter(td.DataLoader(tds, batch_size=4)))
    assert type(zb) is list and repr(zb) == repr(tb)
    assert zb[0].dtype == zerograd.float32 and zb[1].dtype == zerograd.int64


def test_tensor_dataset_fast_path_equals_default_collate():
    zds, _ = pair()
    sub = zd.random_split(zds, [15, 8], generator=zerograd.Generator().manual_seed(1))[0]
    for ds in (zds, sub):
        fast = as_lists(zd.DataLoader(ds, batch_size=4))
        slow = as_lists(zd.DataLoader(ds, batch_size=4, collate_fn=lambda b: zd.default_collate(b)))
        assert fast == slow


Point = namedtuple("Point", "x y")


@pytest.mark.parametrize("make", [
    lambda lib, i: lib.tensor([i, i + 1.0]),
    lambda lib, i: float(i) / 3,
    lambda lib, i: i,
    lambda lib, i: i % 2 == 0,
    lambda lib, i: f"s{i}",
    lambda lib, i: {"a": lib.tensor(i), "b": [i, float(i)]},
    lambda lib, i: Point(i, lib.ones(2) * i),
    lambda lib, i: (lib.tensor([i]), (i, "t")),
    lambda lib, i: np.full((2,), i, dtype="f8"),
    lambda lib, i: np.int32(i),
])
def test_default_collate_matches_torch(make):
    zb = zd.default_collate([make(zerograd, i) for i in range(3)])
    tb = td.default_collate([make(torch, i) for i in range(3)])

    def same(a, b):
        if isinstance(b, torch.Tensor):
            assert isinstance(a, zerograd.Tensor) and str(a.dtype) == str(b.dtype)
            assert a.tolist() == b.tolist()
        elif isinstance(b, dict):
            assert type(a) is type(b) and list(a) == list(b)
            for k in b:
                same(a[k], b[k])
        elif isinstance(b, (list, tuple)):
            assert type(a) is type(b) and len(a) == len(b)
            for u, v in zip(a, b):
                same(u, v)
        else:
            assert a == b

    same(zb, tb)


def test_default_collate_errors():
    with pytest.raises(TypeError):
        zd.default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="equal size"):
        zd.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError):
        zd.default_collate([zerograd.ones(2), zerograd.ones(3)])


class Squares(zd.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i >= 10:
            raise IndexError(i)
        return zerograd.tensor(float(i * i)), i


def test_custom_dataset_sampler_batch_sampler_and_no_batching():
    ds = Squares()
    batches = list(zd.DataLoader(ds, batch_size=4))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].tolist() == [0.0, 1.0, 4.0, 9.0]
    sampler = zd.SubsetRandomSampler([1, 3, 5], generator=zerograd.Generator().manual_seed(0))
    got = sorted(int(y) for _, y in zd.DataLoader(ds, batch_size=1, sampler=sampler))
    assert got == [1, 3, 5]
    bs = zd.BatchSampler(zd.SequentialSampler(ds), 3, drop_last=True)
    assert [b[1].tolist() for b in zd.DataLoader(ds, batch_sampler=bs)] == [[0, 1, 2], [3, 4, 5],
                                                                            [6, 7, 8]]
    single = list(zd.DataLoader(ds, batch_size=None))
    assert len(single) == 10 and single[3][1] == 3
    assert zd.DataLoader(ds, batch_size=3, collate_fn=len).__iter__().__next__() == 3


class Stream(zd.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset_batches_like_torch():
    class TStream(td.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    for kw in [{"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}]:
        z = [b.tolist() if hasattr(b, "tolist") else b for b in zd.DataLoader(Stream(7), **kw)]
        t = [b.tolist() if hasattr(b, "tolist") else b for b in td.DataLoader(TStream(), **kw)]
        assert z == t
        assert len(zd.DataLoader(Stream(7), **kw)) == len(td.DataLoader(TStream(), **kw))
    with pytest.raises(ValueError):
        zd.DataLoader(Stream(3), shuffle=True)


@pytest.mark.parametrize("lengths", [[10, 13], [0.5, 0.5], [0.3, 0.3, 0.4], [23]])
def test_random_split_equals_torch(lengths):
    zds, tds = pair()
    zparts = zd.random_split(zds, lengths, generator=zerograd.Generator().manual_seed(42))
    tparts = td.random_split(tds, lengths, generator=torch.Generator().manual_seed(42))
    assert [list(p.indices) for p in zparts] == [list(p.indices) for p in tparts]
    assert [len(p) for p in zparts] == [len(p) for p in tparts]
    assert zparts[0][0][1].item() == tparts[0][0][1].item()
    zerograd.manual_seed(3)
    torch.manual_seed(3)
    assert [p.indices for p in zd.random_split(zds, lengths)] == [
        p.indices for p in td.random_split(tds, lengths)]
    with pytest.raises(ValueError):
        zd.random_split(zds, [10, 10])


def test_samplers_match_torch():
    zds, tds = pair(40)
    for kw in [{"replacement": True}, {"replacement": True, "num_samples": 70},
               {"num_samples": 50}]:
        zs = zd.RandomSampler(zds, generator=zerograd.Generator().manual_seed(9), **kw)
        ts = td.RandomSampler(tds, generator=torch.Generator().manual_seed(9), **kw)
        assert list(zs) == list(ts) and len(zs) == len(ts)
    w = [0.1, 0.5, 2.0, 0.0, 1.0]
    zs = zd.WeightedRandomSampler(w, 12, generator=zerograd.Generator().manual_seed(1))
    ts = td.WeightedRandomSampler(w, 12, generator=torch.Generator().manual_seed(1))
    assert list(zs) == list(ts)


def test_concat_and_subset():
    zds, _ = pair(5)
    both = zds + zds
    assert len(both) == 10 and both[7][1].item() == 2 and both[-1][1].item() == 4
    sub = zd.Subset(zds, [4, 0])
    assert len(sub) == 2 and sub[0][1].item() == 4


@pytest.mark.parametrize("make", [
    lambda lib, ds: lib.utils.data.DataLoader(ds, batch_size=0),
    lambda lib, ds: lib.utils.data.DataLoader(ds, batch_size=-2),
    lambda lib, ds: lib.utils.data.DataLoader(ds, batch_size=2, shuffle=True,
                                              sampler=lib.utils.data.SequentialSampler(ds)),
    lambda lib, ds: lib.utils.data.DataLoader(ds, batch_size=None, drop_last=True),
    lambda lib, ds: lib.utils.data.DataLoader(ds, num_workers=-1),
    lambda lib, ds: lib.utils.data.TensorDataset(lib.ones(3), lib.ones(4)),
    lambda lib, ds: lib.utils.data.RandomSampler(ds, num_samples=0),
])
def test_bad_options_raise_like_torch(make):
    zds, tds = pair(5)
    with pytest.raises(Exception) as t_err:
        make(torch, tds)
    with pytest.raises(t_err.type) as z_err:
        make(zerograd, zds)
    assert str(z_err.value).startswith(str(t_err.value).split(" (")[0][:40])
