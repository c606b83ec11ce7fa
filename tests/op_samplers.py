"""The building blocks of tests/op_db.py: `OpInfo`, `Sample`, input `Domain`s, `make` (random
arrays of a dtype within a domain), per-dtype tolerances and the generic samplers (unary,
binary with broadcasting pairs, reductions with dims, fixed shapes, tensor lists).

op_db.py re-exports every public name here, so tests import them from `op_db`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FLOAT = ("float32", "float64")
INT = ("int64", "int32", "int16", "int8", "uint8")
FLOAT_INT = FLOAT + ("int64", "int32")
ALL = FLOAT + INT + ("bool",)
ALL_HALF = ("float16",) + ALL
#: (rtol, atol) per dtype: float32 ops may differ from torch's kernels in the last ulps.
TOLERANCES = {"float16": (1e-3, 1e-3), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


@dataclass(frozen=True)
class Domain:
    """Where an input's values are drawn from."""

    lo: float = -3.0
    hi: float = 3.0
    nonzero: bool = False  # keep |x| >= 0.25 (divisors, reciprocals); ints are never 0
    distinct: bool = False  # no ties (argmax, sort, max with indices)


ANY = Domain()
POSITIVE = Domain(0.1, 3.0)
NONZERO = Domain(nonzero=True)
DISTINCT = Domain(distinct=True)
UNIT = Domain(-0.9, 0.9)


def make(rng: np.random.Generator, shape: Sequence[int], dtype: str,
         domain: Domain = ANY) -> np.ndarray:
    """A random array of `shape` and `dtype` with values in `domain`."""
    shape = tuple(shape)
    n = int(np.prod(shape, dtype=np.int64))
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    lo, hi = domain.lo, domain.hi
    if dtype == "uint8":
        lo, hi = max(lo, 0.0), max(hi, 1.0)
    if dtype.startswith("float"):
        if domain.distinct:
            vals = (rng.permutation(n) - n / 2) * 0.37 + rng.random() * 0.1
            return vals.reshape(shape).astype(dtype)
        out = rng.uniform(lo, hi, shape)
        if domain.nonzero:
            out = np.where(np.abs(out) < 0.25, np.copysign(0.25, out) + out, out)
        return np.asarray(out, dtype=dtype)
    if domain.distinct:
        start = 0 if dtype == "uint8" else -(n // 2)
        return (rng.permutation(n) + start).reshape(shape).astype(dtype)
    out = rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, shape)
    if domain.nonzero:
        out = np.where(out == 0, 1, out)
    return np.asarray(out, dtype=dtype)


@dataclass
class Sample:
    """One call of an op: NumPy arrays in `args` become tensors, anything else passes as is."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    def build(self, m: Any, *, requires_grad: bool = False, device: str | None = None,
              contiguous: bool = True) -> tuple[list[Any], dict[str, Any]]:
        """The arguments as tensors of module `m` (floating ones requiring grad if asked).

        With `contiguous=False` every tensor of 1 or more dims is a strided view of a larger
        leaf (transposed, or every other element), holding the same values.
        """

        def conv(a: Any) -> Any:
            if isinstance(a, np.ndarray):
                kw = {"device": device} if device is not None else {}
                grad = requires_grad and a.dtype.kind == "f"
                if contiguous or a.ndim == 0:
                    return m.tensor(a.copy(), requires_grad=grad, **kw)
                if a.ndim == 1:
                    wide = np.stack([a, a]).T.copy()  # each value twice; take every other
                    return m.tensor(wide, requires_grad=grad, **kw).t()[0]
                return m.tensor(np.swapaxes(a, -1, -2).copy(), requires_grad=grad,
                                **kw).transpose(-1, -2)
            if isinstance(a, list):
                return [conv(e) for e in a]
            if isinstance(a, tuple) and any(isinstance(e, np.ndarray) for e in a):
                return tuple(conv(e) for e in a)
            return a

        return [conv(a) for a in self.args], {k: conv(v) for k, v in self.kwargs.items()}

    def arrays(self) -> list[np.ndarray]:
        """The NumPy inputs (flattening list arguments such as cat's)."""
        out: list[np.ndarray] = []
        for a in self.args:
            if isinstance(a, np.ndarray):
                out.append(a)
            elif isinstance(a, (list, tuple)):
                out.extend(e for e in a if isinstance(e, np.ndarray))
        return out

    def __repr__(self) -> str:
        parts = [f"{a.dtype}{list(a.shape)}" if isinstance(a, np.ndarray) else repr(a)
                 for a in self.args]
        return f"Sample({self.name or ', '.join(parts)}, {self.kwargs})"


Sampler = Callable[[np.random.Generator, str], Iterator[Sample]]


@dataclass(frozen=True)
class OpInfo:
    """Everything the tests need to know about one public operation."""

    name: str
    op: Callable[..., Any]  # op(m, *args, **kwargs) with m = zerograd or torch
    sampler: Sampler
    dtypes: tuple[str, ...] = FLOAT
    primitive: str | None = None  # the PRIMITIVES op_name it exercises (None: no primitive)
    extra_primitives: tuple[str, ...] = ()
    kind: str = "other"  # unary | binary | reduction | view | ... (for generic hypothesis tests)
    domains: tuple[Domain, ...] = (ANY,)
    differentiable: bool = True
    supports_jvp: bool = True
    supports_second_order: bool = True
    rtol_scale: float = 1.0  # multiplies TOLERANCES for ops that accumulate more rounding
    scalar_other: bool = True  # binary ops: the second operand may be a Python number

    def samples(self, dtype: str, seed: int = 0) -> list[Sample]:
        """The samples for `dtype`, reproducible from `seed`."""
        rng = np.random.default_rng([seed, sum(map(ord, self.name)), sum(map(ord, dtype))])
        return list(self.sampler(rng, dtype))

    def tolerance(self, dtype: str) -> tuple[float, float]:
        """(rtol, atol) for comparing results of this op at `dtype`."""
        rtol, atol = TOLERANCES.get(dtype, (0.0, 0.0))
        return rtol * self.rtol_scale, atol * self.rtol_scale

    @property
    def grad_dtypes(self) -> tuple[str, ...]:
        """The floating dtypes gradient tests should use."""
        return tuple(d for d in self.dtypes if d in FLOAT) if self.differentiable else ()


# --- samplers ----------------------------------------------------------------------------------

UNARY_SHAPES = [(), (5,), (3, 4), (2, 3, 4), (0, 3)]
BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4, 1), (1, 3)), ((2, 1, 4), (3, 1)),
                 ((), (3,)), ((3,), ()), ((0, 3), (3,)), ((2, 3), (1,))]
REDUCE_CASES: list[tuple[tuple[int, ...], dict[str, Any]]] = [
    ((3, 4), {}), ((5,), {"dim": 0}), ((3, 4), {"dim": 0}), ((3, 4), {"dim": 1, "keepdim": True}),
    ((2, 3, 4), {"dim": -2}), ((2, 3, 4), {"dim": (0, 2)}), ((2, 3, 4), {"dim": [-1, 0]}),
    ((2, 3, 4), {"dim": (1,), "keepdim": True}), ((), {}),
]
ONE_DIM_CASES = [((3, 4), {"dim": 0}), ((3, 4), {"dim": 1, "keepdim": True}),
                 ((2, 3, 4), {"dim": -1}), ((5,), {"dim": 0}), ((3, 4), {})]


def unary_samples(domain: Domain = ANY, shapes: Sequence[tuple[int, ...]] = UNARY_SHAPES,
                  **kwargs: Any) -> Sampler:
    """One input per shape."""

    def sampler(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for s in shapes:
            yield Sample((make(rng, s, dtype, domain),), dict(kwargs))

    return sampler


def binary_samples(d0: Domain = ANY, d1: Domain = ANY, scalars: Sequence[Any] = (2, 1.5),
                   pairs: Sequence[Any] = BINARY_SHAPES) -> Sampler:
    """Broadcasting pairs, then a tensor with a Python scalar on either side."""

    def sampler(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for s0, s1 in pairs:
            yield Sample((make(rng, s0, dtype, d0), make(rng, s1, dtype, d1)))
        for c in scalars:
            yield Sample((make(rng, (3, 4), dtype, d0), c))

    return sampler


def reduce_samples(cases: Sequence[tuple[tuple[int, ...], dict[str, Any]]] = REDUCE_CASES,
                   domain: Domain = ANY, **extra: Any) -> Sampler:
    """Inputs with dim / keepdim keyword arguments."""

    def sampler(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for shape, kw in cases:
            yield Sample((make(rng, shape, dtype, domain),), {**kw, **extra})

    return sampler


def fixed(*cases: Sequence[tuple[int, ...]], domain: Domain = ANY) -> Sampler:
    """Explicit cases, each the shapes of the tensor arguments."""

    def sampler(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for shapes in cases:
            yield Sample(tuple(make(rng, s, dtype, domain) for s in shapes))

    return sampler


def _conditioned(*cases: Any) -> Sampler:
    """Matrices with 3 added to the diagonal, so that linear algebra on them is
    well-conditioned; a case is one shape or a tuple of shapes (one per tensor argument)."""

    def sampler(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for case in cases:
            shapes = case if isinstance(case[0], tuple) else (case,)
            arrays = []
            for s in shapes:
                a = rng.uniform(-1.0, 1.0, s)
                if len(s) >= 2:
                    k = min(s[-2:])
                    a[..., range(k), range(k)] += 3.0
                arrays.append(a.astype(dtype))
            yield Sample(tuple(arrays))

    return sampler


def with_args(shape_args: Sequence[tuple[tuple[int, ...], tuple[Any, ...]]],
              domain: Domain = ANY) -> Sampler:
    """One tensor of each shape followed by plain (non-tensor) positional arguments."""

    def sampler(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for shape, args in shape_args:
            yield Sample((make(rng, shape, dtype, domain), *args))

    return sampler


def _list_samples(cases: Sequence[tuple[Sequence[tuple[int, ...]], dict[str, Any]]]) -> Sampler:
    """A list of tensors as the first argument (cat, stack)."""

    def sampler(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
        for shapes, kw in cases:
            yield Sample(([make(rng, s, dtype) for s in shapes],), dict(kw))

    return sampler


def _where_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for s0, s1 in BINARY_SHAPES[:5]:
        cond = rng.random(np.broadcast_shapes(s0, s1)) < 0.5
        yield Sample((cond, make(rng, s0, dtype), make(rng, s1, dtype)))
    yield Sample((rng.random((3, 4)) < 0.5, make(rng, (3, 4), dtype), 0.0))


def _matmul_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    for s0, s1 in [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)), ((3, 4), (4, 2)),
                   ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (3, 4, 2)), ((4,), (2, 4, 3)),
                   ((2, 3, 4), (4,)), ((0, 4), (4, 2))]:
        yield Sample((make(rng, s0, dtype), make(rng, s1, dtype)))


def _norm_p_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = make(rng, (3, 4), dtype, NONZERO)
    for p in (1, 2, 3, float("inf"), "fro"):
        yield Sample((x, p))
    yield Sample((x, 1), {"dim": 1})
    yield Sample((x, "fro"), {"dim": (0, 1)})
