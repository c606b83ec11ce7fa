"""The op database: one `OpInfo` per public operation, in the spirit of PyTorch's OpInfo.

Each entry holds the callable applied identically to zerograd and to torch (`op(m, *args)`,
where `m` is the module), a sampler giving NumPy inputs for a dtype, the dtypes and tolerances
to test with, and flags for the autograd tests (`differentiable`, `supports_jvp`,
`supports_second_order`). `primitive` names the zerograd PRIMITIVES entry the op exercises
(`extra_primitives` any others), so a coverage test can require an entry for every primitive.
The building blocks (OpInfo, Sample, make, samplers) live in op_samplers.py.
Tests: tests/oracle/test_forward.py (values, shapes, dtypes); gradient and JVP tests use it too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from op_samplers import (
    ALL,
    ALL_HALF,
    ANY,
    BINARY_SHAPES,
    DISTINCT,
    FLOAT,
    FLOAT_INT,
    INT,
    NONZERO,
    ONE_DIM_CASES,
    POSITIVE,
    REDUCE_CASES,
    TOLERANCES,
    UNARY_SHAPES,
    UNIT,
    Domain,
    OpInfo,
    Sample,
    Sampler,
    _conditioned,
    _list_samples,
    _matmul_samples,
    _norm_p_samples,
    _where_samples,
    binary_samples,
    fixed,
    make,
    reduce_samples,
    unary_samples,
    with_args,
)

__all__ = [  # the building blocks, re-exported so that tests need only `from op_db import`
    "ALL", "ALL_HALF", "ANY", "BINARY_SHAPES", "DISTINCT", "FLOAT", "FLOAT_INT", "INT",
    "NONZERO", "ONE_DIM_CASES", "OPS", "OP_DB", "POSITIVE", "REDUCE_CASES", "TOLERANCES",
    "UNARY_SHAPES", "UNIT", "Domain", "OpInfo", "Sample", "Sampler", "binary_samples",
    "covered_primitives", "fixed", "make", "ops_with", "reduce_samples", "unary_samples",
    "with_args",
]


def _index_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    """getitem keys: basic ones give views, tensor ones copies."""
    keys: list[Any] = [
        1, -1, slice(1, 3), slice(None, None, 2), (slice(None), 2), (Ellipsis, 1), (None, 1),
        (1, slice(None), None), (slice(0, 3, 2), -2), (Ellipsis,), (slice(5, 9),),
    ]
    for k in keys:
        yield Sample((make(rng, (3, 4, 2), dtype), k), name=f"basic {k}")


def _advanced_index_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = make(rng, (4, 3), dtype)
    yield Sample((x, np.array([0, 2, 2, -1])), name="int tensor (repeats)")
    yield Sample((x, (slice(None), np.array([[0, 1], [2, 0]]))), name="int tensor dim 1")
    yield Sample((x, (np.array([0, 1]), np.array([2, 0]))), name="two int tensors")
    yield Sample((x, rng.random((4, 3)) < 0.5), name="bool mask")
    yield Sample((x, rng.random(4) < 0.5), name="bool row mask")
    yield Sample((x, [1, 3]), name="list")


def _setitem(x: Any, key: Any, value: Any) -> Any:
    y = x.clone()
    y[key] = value
    return y


def _setitem_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    x = make(rng, (4, 3), dtype)
    yield Sample((x, (1, 2), make(rng, (), dtype)), name="X[1, 2] = v")
    yield Sample((x, (slice(0, 2), slice(None)), make(rng, (3,), dtype)), name="rows = row")
    yield Sample((x, (slice(None), 1), make(rng, (4,), dtype)), name="column")
    yield Sample((x, np.array([0, 3]), make(rng, (2, 3), dtype)), name="int tensor")
    yield Sample((x, rng.random((4, 3)) < 0.5, 0), name="mask = 0")
    yield Sample((x, (Ellipsis, None, 0), make(rng, (4, 1), dtype)), name="ellipsis None")


def _inplace_view_samples(rng: np.random.Generator, dtype: str) -> Iterator[Sample]:
    yield Sample((make(rng, (3, 4), dtype), make(rng, (4,), dtype)))
    yield Sample((make(rng, (2, 3), dtype), make(rng, (), dtype)))


def _seeded(m: Any) -> Any:
    """The module, after seeding its default generator with 0."""
    m.manual_seed(0)
    return m


def _mul_into_row(m: Any, x: Any, y: Any) -> Any:
    """An in-place op on a view of a non-leaf: the base gets a CopySlices node."""
    base = x * 1
    base[0].mul_(y)
    return base





# --- the database ------------------------------------------------------------------------------


def _f(name: str) -> Callable[..., Any]:
    """`m.<name>(*args, **kwargs)`."""

    def call(m: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(m, name)(*args, **kwargs)

    call.__name__ = name
    return call


def _meth(name: str) -> Callable[..., Any]:
    """`x.<name>(*args, **kwargs)`: the method form."""

    def call(m: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(x, name)(*args, **kwargs)

    call.__name__ = "." + name
    return call


def _to(dtype: str) -> Callable[..., Any]:
    """`x.to(m.<dtype>)`."""
    return lambda m, x: x.to(getattr(m, dtype))


def _on_clone(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Apply an in-place op to a clone of the first argument (samples stay intact)."""
    return lambda m, x, *args, **kw: fn(m, x.clone(), *args, **kw)


def _infix(f: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """An operator (`operator.add`: `x + y`) as an op: the module argument is not used."""

    def call(m: Any, x: Any, y: Any) -> Any:
        return f(x, y)

    call.__name__ = f.__name__
    return call


def _unary(name: str, prim: str | None, domain: Domain = ANY, dtypes: tuple[str, ...] = FLOAT,
           **kw: Any) -> OpInfo:
    return OpInfo(name, _f(name), unary_samples(domain), dtypes, prim, kind="unary",
                  domains=(domain,), **kw)


def _binary(name: str, prim: str | None, fn: Callable[..., Any] | None = None,
            d0: Domain = ANY, d1: Domain = ANY, dtypes: tuple[str, ...] = FLOAT_INT,
            scalars: Sequence[Any] = (2, 1.5), **kw: Any) -> OpInfo:
    return OpInfo(name, fn or _f(name), binary_samples(d0, d1, scalars), dtypes, prim,
                  kind="binary", domains=(d0, d1), scalar_other=bool(scalars), **kw)


def _nondiff(info: OpInfo) -> OpInfo:
    return OpInfo(**{**info.__dict__, "differentiable": False, "supports_jvp": False,
                     "supports_second_order": False})


PIECEWISE = {"differentiable": True, "supports_second_order": True}

OP_DB: list[OpInfo] = [
    # --- arithmetic with broadcasting --------------------------------------------------------
    _binary("add", "add", dtypes=ALL_HALF),
    _binary("add_alpha", "add", lambda m, x, y: m.add(x, y, alpha=2), extra_primitives=("mul",)),
    _binary("sub", "sub", dtypes=("float16",) + FLOAT + INT),
    _binary("rsub", "sub"),
    _binary("mul", "mul", dtypes=ALL_HALF),
    _binary("div", "div", d1=NONZERO, dtypes=("float16",) + FLOAT + INT + ("bool",)),
    _binary("div_floor", "div", lambda m, x, y: m.div(x, y, rounding_mode="floor"), d1=NONZERO,
            differentiable=False, supports_jvp=False, supports_second_order=False),
    _binary("div_trunc", "div", lambda m, x, y: m.div(x, y, rounding_mode="trunc"), d1=NONZERO,
            extra_primitives=("trunc", "cast"), differentiable=False, supports_jvp=False,
            supports_second_order=False),
    _nondiff(_binary("floor_divide", None, d1=NONZERO, dtypes=FLOAT + INT)),
    _nondiff(_binary("remainder", None, d1=NONZERO, dtypes=FLOAT + INT)),
    _nondiff(_binary("fmod", None, d1=NONZERO, dtypes=FLOAT + INT)),
    _binary("pow", "pow", d0=POSITIVE, d1=Domain(0, 3), dtypes=FLOAT + INT, rtol_scale=4),
    _binary("pow_scalar_base", "pow", lambda m, x, y: m.pow(2.5, x), d1=Domain(0, 3),
            scalars=()),
    _binary("maximum", "maximum", d0=DISTINCT, d1=DISTINCT, dtypes=ALL, scalars=()),
    _binary("minimum", "minimum", d0=DISTINCT, d1=DISTINCT, dtypes=ALL, scalars=()),
    _binary("lerp", "add", lambda m, x, y: m.lerp(x, y, 0.3), dtypes=FLOAT, scalars=(),
            extra_primitives=("sub", "mul")),
    OpInfo("where", lambda m, c, x, y: m.where(c, x, y), _where_samples, FLOAT_INT, "where",
           kind="ternary"),
    # operator forms, reflected forms
    _binary("__add__", "add", _infix(operator.add), dtypes=ALL),
    _binary("__sub__", "sub", _infix(operator.sub)),
    _binary("__mul__", "mul", _infix(operator.mul), dtypes=ALL),
    _binary("__truediv__", "div", _infix(operator.truediv), d1=NONZERO, dtypes=FLOAT + INT),
    _nondiff(_binary("__floordiv__", None, _infix(operator.floordiv), d1=NONZERO,
                     dtypes=FLOAT + INT)),
    _nondiff(_binary("__mod__", None, _infix(operator.mod), d1=NONZERO, dtypes=FLOAT + INT)),
    _binary("__pow__", "pow", _infix(operator.pow), d0=POSITIVE, d1=Domain(0, 3), rtol_scale=4),
    OpInfo("__radd__", lambda m, x: 2.5 + x, unary_samples(), ALL, "add", kind="unary"),
    OpInfo("__rsub__", lambda m, x: 2 - x, unary_samples(), FLOAT_INT, "sub", kind="unary"),
    OpInfo("__rmul__", lambda m, x: 3 * x, unary_samples(), ALL, "mul", kind="unary"),
    OpInfo("__rtruediv__", lambda m, x: 1.5 / x, unary_samples(NONZERO), FLOAT_INT, "div",
           kind="unary", domains=(NONZERO,)),
    OpInfo("__rpow__", lambda m, x: 2 ** x, unary_samples(Domain(0, 3)), FLOAT_INT, "pow",
           kind="unary", domains=(Domain(0, 3),)),
    _nondiff(OpInfo("__rfloordiv__", lambda m, x: 7 // x, unary_samples(NONZERO), FLOAT_INT,
                    None, kind="unary", domains=(NONZERO,))),
    _nondiff(OpInfo("__rmod__", lambda m, x: 7 % x, unary_samples(NONZERO), FLOAT_INT,
                    None, kind="unary", domains=(NONZERO,))),
    OpInfo("__neg__", lambda m, x: -x, unary_samples(), FLOAT + INT, "neg", kind="unary"),
    OpInfo("__abs__", lambda m, x: abs(x), unary_samples(NONZERO), FLOAT + INT, "abs",
           kind="unary", domains=(NONZERO,)),
    # comparisons and logic: bool results
    *[_nondiff(_binary(n, None, dtypes=ALL)) for n in ("eq", "ne", "lt", "le", "gt", "ge")],
    *[_nondiff(_binary(n, None, _infix(fn), dtypes=ALL)) for n, fn in (
        ("__eq__", operator.eq), ("__ne__", operator.ne), ("__lt__", operator.lt),
        ("__le__", operator.le), ("__gt__", operator.gt), ("__ge__", operator.ge))],
    *[_nondiff(_binary(n, None, _infix(fn), dtypes=INT + ("bool",), scalars=(1,))) for n, fn in (
        ("__and__", operator.and_), ("__or__", operator.or_), ("__xor__", operator.xor))],
    *[_nondiff(_binary(n, None, dtypes=ALL, scalars=())) for n in (
        "logical_and", "logical_or", "logical_xor")],
    _nondiff(_binary("isclose", None, dtypes=FLOAT, scalars=())),
    _nondiff(OpInfo("__invert__", lambda m, x: ~x, unary_samples(), INT + ("bool",), None,
                    kind="unary")),
    *[_nondiff(_unary(n, None, dtypes=ALL)) for n in (
        "logical_not", "isnan", "isinf", "isfinite")],
    # --- elementwise math ----------------------------------------------------------------------
    _unary("neg", "neg", dtypes=("float16",) + FLOAT + INT),
    _unary("exp", "exp", Domain(-3, 3), dtypes=("float16",) + FLOAT_INT),
    _unary("log", "log", POSITIVE, dtypes=FLOAT_INT),
    _unary("sin", "sin", dtypes=FLOAT_INT),
    _unary("cos", "cos", dtypes=FLOAT_INT),
    _unary("tan", "sin", UNIT, extra_primitives=("cos", "div")),
    _unary("tanh", "tanh", dtypes=FLOAT_INT),
    _unary("sigmoid", "sigmoid", Domain(-8, 8), dtypes=FLOAT_INT),
    _unary("relu", "relu", NONZERO, dtypes=FLOAT + INT),
    _unary("abs", "abs", NONZERO, dtypes=FLOAT + INT),
    _unary("sqrt", "sqrt", POSITIVE, dtypes=FLOAT_INT),
    _unary("rsqrt", "sqrt", POSITIVE, extra_primitives=("div",)),
    _unary("square", "mul", dtypes=FLOAT + INT),
    _unary("reciprocal", "div", NONZERO, dtypes=FLOAT_INT),
    _unary("log2", "log", POSITIVE),
    _unary("log10", "log", POSITIVE),
    _unary("log1p", "log", POSITIVE, rtol_scale=4),
    _unary("expm1", "exp", rtol_scale=4),
    _unary("sign", "sign", dtypes=FLOAT + INT + ("bool",), **PIECEWISE),
    _unary("floor", "floor", dtypes=FLOAT + INT, **PIECEWISE),
    _unary("ceil", "ceil", dtypes=FLOAT + INT, **PIECEWISE),
    _unary("round", "round", Domain(-4, 4), dtypes=FLOAT + INT, **PIECEWISE),
    OpInfo("round_decimals", lambda m, x: m.round(x, decimals=2), unary_samples(), FLOAT,
           "round", kind="unary", rtol_scale=10),
    _unary("trunc", "trunc", dtypes=FLOAT + INT, **PIECEWISE),
    OpInfo("clamp", lambda m, x: m.clamp(x, -1.0, 1.5), unary_samples(), FLOAT, "clamp",
           kind="unary"),
    OpInfo("clamp_min", lambda m, x: m.clamp(x, min=0), unary_samples(NONZERO), FLOAT + INT,
           "clamp", kind="unary", domains=(NONZERO,)),
    OpInfo("clamp_max_int", lambda m, x: x.clamp(max=1), unary_samples(), INT, "clamp",
           kind="unary", differentiable=False),
    OpInfo("clamp_tensor", lambda m, x, lo, hi: m.clamp(x, lo, hi + 3),
           fixed(((3, 4), (4,), (3, 1))), FLOAT, "maximum",
           extra_primitives=("minimum",)),
    # --- reductions ------------------------------------------------------------------------------
    OpInfo("sum", _f("sum"), reduce_samples(), FLOAT + INT + ("bool",), "sum", kind="reduction"),
    OpInfo("sum_dtype", lambda m, x: m.sum(x, 0, dtype=m.float64), reduce_samples(
        [((3, 4), {})]), FLOAT_INT, "sum", extra_primitives=("cast",), kind="reduction"),
    OpInfo("sum_axis_keepdims", lambda m, x: x.sum(axis=1, keepdims=True), unary_samples(
        shapes=[(3, 4), (2, 3, 4)]), FLOAT_INT, "sum", kind="reduction"),
    OpInfo("mean", _f("mean"), reduce_samples(), FLOAT, "mean", kind="reduction"),
    OpInfo("mean_axis", lambda m, x: x.mean(axis=0), unary_samples(shapes=[(3, 4)]), FLOAT,
           "mean", kind="reduction"),
    OpInfo("var", _f("var"), reduce_samples(REDUCE_CASES[:-1]), FLOAT, "var",
           kind="reduction", rtol_scale=4),
    OpInfo("var_correction", lambda m, x, **kw: m.var(x, correction=0, **kw), reduce_samples(
        REDUCE_CASES[:-1]), FLOAT, "var", kind="reduction", rtol_scale=4),
    OpInfo("var_unbiased_false", lambda m, x: x.var(1, unbiased=False), unary_samples(
        shapes=[(3, 4)]), FLOAT, "var", kind="reduction", rtol_scale=4),
    OpInfo("std", _f("std"), reduce_samples(REDUCE_CASES[:-1]), FLOAT, "var",
           extra_primitives=("sqrt",), kind="reduction", rtol_scale=4),
    OpInfo("prod", _f("prod"), reduce_samples(
        [c for c in REDUCE_CASES if not isinstance(c[1].get("dim"), (tuple, list))],
        domain=NONZERO), FLOAT + INT + ("bool",), "prod", kind="reduction", rtol_scale=4),
    OpInfo("max", _f("max"), reduce_samples([((3, 4), {}), ((5,), {}), ((), {})],
                                            domain=DISTINCT), ALL, "amax", kind="reduction"),
    OpInfo("max_dim", _f("max"), reduce_samples(ONE_DIM_CASES[:-1], domain=DISTINCT),
           FLOAT + INT, "max_dim", kind="reduction"),
    OpInfo("min", _f("min"), reduce_samples([((3, 4), {}), ((5,), {})], domain=DISTINCT),
           ALL, "amin", kind="reduction"),
    OpInfo("min_dim", _f("min"), reduce_samples(ONE_DIM_CASES[:-1], domain=DISTINCT),
           FLOAT + INT, "max_dim", kind="reduction"),
    OpInfo("max_binary", lambda m, x, y: m.max(x, y), binary_samples(
        DISTINCT, DISTINCT, scalars=()), FLOAT_INT, "maximum", kind="binary"),
    OpInfo("amax", _f("amax"), reduce_samples(REDUCE_CASES[:-1], domain=DISTINCT), FLOAT + INT,
           "amax", kind="reduction"),
    OpInfo("amin", _f("amin"), reduce_samples(REDUCE_CASES[:-1], domain=DISTINCT), FLOAT + INT,
           "amin", kind="reduction"),
    _nondiff(OpInfo("argmax", _f("argmax"), reduce_samples(ONE_DIM_CASES, domain=DISTINCT),
                    FLOAT + INT, None, kind="reduction")),
    _nondiff(OpInfo("argmin", _f("argmin"), reduce_samples(ONE_DIM_CASES, domain=DISTINCT),
                    FLOAT + INT, None, kind="reduction")),
    OpInfo("cumsum", _f("cumsum"), reduce_samples(ONE_DIM_CASES[:-1]), FLOAT + INT + ("bool",),
           "cumsum", kind="reduction"),
    OpInfo("cumprod", _f("cumprod"), reduce_samples(ONE_DIM_CASES[:-1], domain=NONZERO),
           FLOAT + ("int64",), "cumprod", kind="reduction", rtol_scale=4),
    OpInfo("cumsum_axis", lambda m, x: x.cumsum(axis=0), unary_samples(shapes=[(3, 4)]), FLOAT,
           "cumsum", kind="reduction"),
    OpInfo("norm", _f("norm"), reduce_samples(
        [((3, 4), {}), ((5,), {}), ((2, 3, 4), {"dim": 1}), ((3, 4), {"dim": (0, 1)}),
         ((3, 4), {"dim": 0, "keepdim": True})], domain=NONZERO), FLOAT, "norm",
           kind="reduction", rtol_scale=4),
    OpInfo("norm_p", lambda m, x, p, **kw: m.norm(x, p, **kw), _norm_p_samples, FLOAT, "norm",
           kind="reduction", rtol_scale=4),
    OpInfo("logsumexp", _f("logsumexp"), reduce_samples(
        [c for c in REDUCE_CASES if "dim" in c[1]]), FLOAT, "logsumexp", kind="reduction",
           rtol_scale=4),
    _nondiff(OpInfo("all", _f("all"), reduce_samples(ONE_DIM_CASES), ALL, None,
                    kind="reduction")),
    _nondiff(OpInfo("any", _f("any"), reduce_samples(ONE_DIM_CASES), ALL, None,
                    kind="reduction")),
    _nondiff(OpInfo("count_nonzero", _f("count_nonzero"), reduce_samples(
        [((3, 4), {}), ((3, 4), {"dim": 1})]), ALL, None, kind="reduction")),
    OpInfo("sort", _f("sort"), reduce_samples([((5,), {}), ((3, 4), {"dim": 0}), (
        (3, 4), {"descending": True})], domain=DISTINCT), FLOAT + INT, "index",
           kind="reduction"),
    _nondiff(OpInfo("argsort", _f("argsort"), reduce_samples(
        [((5,), {}), ((3, 4), {"dim": 0, "descending": True})], domain=DISTINCT),
        FLOAT + INT, None, kind="reduction")),
    OpInfo("topk", lambda m, x, **kw: m.topk(x, 2, **kw), reduce_samples(
        [((5,), {}), ((3, 4), {"dim": 0}), ((3, 4), {"largest": False})], domain=DISTINCT),
           FLOAT + INT, "index", kind="reduction"),
    OpInfo("softmax", lambda m, x, dim: m.softmax(x, dim), with_args(
        [((5,), (0,)), ((3, 4), (1,)), ((2, 3, 4), (-2,))]), FLOAT, "softmax", kind="reduction"),
    OpInfo("log_softmax", lambda m, x, dim: m.log_softmax(x, dim), with_args(
        [((5,), (0,)), ((3, 4), (1,)), ((2, 3, 4), (0,))]), FLOAT, "log_softmax",
           kind="reduction"),
    # --- views and movement ------------------------------------------------------------------
    OpInfo("reshape", lambda m, x, *s: x.reshape(*s), with_args(
        [((3, 4), (2, 6)), ((3, 4), (-1,)), ((2, 3, 4), (4, -1)), ((), (1, 1)), ((6,), ((3, 2),)),
         ((0, 3), (3, -1))]), ALL, "reshape", kind="view"),
    OpInfo("reshape_noncontiguous", lambda m, x: x.t().reshape(-1), unary_samples(
        shapes=[(3, 4)]), ALL, "reshape", extra_primitives=("permute",), kind="view"),
    OpInfo("view", lambda m, x, *s: x.view(*s), with_args(
        [((3, 4), (4, 3)), ((2, 3, 4), (-1, 4)), ((12,), (2, 2, 3))]), FLOAT_INT, "reshape",
           kind="view"),
    OpInfo("view_dtype_free", lambda m, x, y: x.view_as(y), fixed(((3, 4), (2, 6))), FLOAT,
           "reshape", kind="view"),
    OpInfo("flatten", _f("flatten"), with_args(
        [((2, 3, 4), ()), ((2, 3, 4), (1,)), ((2, 3, 4), (0, 1)), ((), ())]), ALL, "reshape",
           kind="view"),
    OpInfo("unflatten", lambda m, x: x.unflatten(1, (2, 2)), unary_samples(shapes=[(3, 4)]),
           FLOAT, "reshape", kind="view"),
    OpInfo("squeeze", _f("squeeze"), with_args(
        [((1, 3, 1), ()), ((1, 3, 1), (0,)), ((1, 3, 1), (-1,)), ((1, 3, 1), (1,)),
         ((1, 3, 1), ((0, 2),))]), ALL, "reshape", kind="view"),
    OpInfo("unsqueeze", _f("unsqueeze"), with_args(
        [((3, 4), (0,)), ((3, 4), (-1,)), ((3,), (1,)), ((), (0,))]), ALL, "reshape",
           kind="view"),
    OpInfo("permute", lambda m, x, *d: x.permute(*d), with_args(
        [((2, 3, 4), (2, 0, 1)), ((2, 3, 4), ((1, 2, 0),)), ((3, 4), (-1, 0))]), ALL, "permute",
           kind="view"),
    OpInfo("torch_permute", lambda m, x: m.permute(x, (1, 0)), unary_samples(shapes=[(3, 4)]),
           FLOAT, "permute", kind="view"),
    OpInfo("transpose", _f("transpose"), with_args(
        [((3, 4), (0, 1)), ((2, 3, 4), (0, -1)), ((2, 3, 4), (1, 1))]), ALL, "permute",
           kind="view"),
    OpInfo("t", _f("t"), unary_samples(shapes=[(3, 4), (5,), ()]), ALL, "permute", kind="view"),
    OpInfo("T", lambda m, x: x.T, unary_samples(shapes=[(3, 4), (5,)]), ALL, "permute",
           kind="view"),
    OpInfo("mT", lambda m, x: x.mT, unary_samples(shapes=[(3, 4), (2, 3, 4)]), FLOAT,
           "permute", kind="view"),
    OpInfo("movedim", lambda m, x: m.movedim(x, 0, -1), unary_samples(shapes=[(2, 3, 4)]),
           FLOAT, "permute", kind="view"),
    OpInfo("expand", lambda m, x, *s: x.expand(*s), with_args(
        [((3, 1), (3, 4)), ((3, 1), (-1, 4)), ((4,), (2, 3, 4)), ((), (2,)),
         ((1, 4), ((5, 4),))]), ALL, "expand", kind="view"),
    OpInfo("expand_as", lambda m, x, y: x.expand_as(y), fixed(((3, 1), (3, 4))), FLOAT,
           "expand", kind="view"),
    OpInfo("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), unary_samples(
        shapes=[(3, 1), (4,)]), FLOAT, "expand", kind="view"),
    OpInfo("broadcast_tensors", lambda m, x, y: m.broadcast_tensors(x, y),
           binary_samples(scalars=()), FLOAT, "expand", kind="view"),
    OpInfo("flip", _f("flip"), with_args([((3, 4), (0,)), ((2, 3, 4), ((0, 2),)),
                                          ((3, 4), ([-1],))]), ALL, "flip"),
    OpInfo("clone", _f("clone"), unary_samples(), ALL, "clone"),
    OpInfo("contiguous", lambda m, x: x.t().contiguous(), unary_samples(shapes=[(3, 4)]), ALL,
           "clone", extra_primitives=("permute",)),
    OpInfo("narrow", _f("narrow"), with_args([((4, 3), (0, 1, 2)), ((4, 3), (-1, 0, 2))]),
           FLOAT, "index", kind="view"),
    OpInfo("select", _f("select"), with_args([((4, 3), (0, 1)), ((4, 3), (1, -1))]), FLOAT,
           "index", kind="view"),
    OpInfo("tril", _f("tril"), with_args([((4, 3), ()), ((4, 3), (1,)), ((2, 3, 3), (-1,))]),
           FLOAT_INT, "where"),
    OpInfo("triu", _f("triu"), with_args([((4, 3), ()), ((3, 4), (-1,))]), FLOAT_INT, "where"),
    OpInfo("diagonal", _f("diagonal"), with_args([((4, 3), ()), ((4, 4), (1,)),
                                                  ((2, 3, 3), (0, 1, 2))]), FLOAT, "index"),
    OpInfo("diag", _f("diag"), with_args([((4, 3), ()), ((4,), ()), ((3,), (1,))]), FLOAT,
           "index"),
    # dtype conversion
    *[OpInfo(f"to_{d}", _to(d), unary_samples(), ALL,
             "cast", differentiable=d.startswith("float"),
             supports_jvp=d.startswith("float"), supports_second_order=d.startswith("float"))
      for d in ("float32", "float64", "int64", "bool")],
    *[_nondiff(OpInfo(f".{meth}()", _meth(meth), unary_samples(), ALL, "cast"))
      for meth in ("long", "int", "bool", "half")],
    *[OpInfo(f".{meth}()", _meth(meth), unary_samples(), ALL, "cast") for meth in ("float",
                                                                                   "double")],
    OpInfo("type_float64", lambda m, x: x.type(m.float64), unary_samples(), ALL, "cast"),
    OpInfo("type_as", lambda m, x: x.type_as(
        m.zeros(2, dtype=m.float64, device=x.device)), unary_samples(), ALL,
           "cast"),
    # --- indexing ------------------------------------------------------------------------------
    OpInfo("getitem", lambda m, x, k: x[k], _index_samples, ALL, "index", kind="view",
           extra_primitives=("index_scatter",)),
    OpInfo("getitem_advanced", lambda m, x, k: x[k], _advanced_index_samples, ALL, "index",
           extra_primitives=("index_scatter",)),
    OpInfo("setitem", lambda m, x, k, v: _setitem(x, k, v), _setitem_samples, FLOAT_INT,
           "index_put"),
    OpInfo("index_select", lambda m, x, i: m.index_select(x, 0, i), lambda rng, dt: iter(
        [Sample((make(rng, (4, 3), dt), np.array([3, 0, 0])))]), FLOAT_INT, "index"),
    OpInfo("gather", lambda m, x, i: m.gather(x, 1, i), lambda rng, dt: iter(
        [Sample((make(rng, (3, 4), dt), rng.integers(0, 4, (3, 2))))]), FLOAT_INT, "index"),
    OpInfo("masked_fill", lambda m, x, mask: x.masked_fill(mask, -1.0), lambda rng, dt: iter(
        [Sample((make(rng, (3, 4), dt), rng.random(s) < 0.5)) for s in ((3, 4), (4,))]),
           FLOAT_INT, "where"),
    OpInfo("copy_slices", _mul_into_row, _inplace_view_samples, FLOAT, "copy_slices",
           extra_primitives=("mul",)),
    # --- joining -------------------------------------------------------------------------------
    OpInfo("cat", lambda m, ts, **kw: m.cat(ts, **kw), _list_samples(
        [([(2, 3), (1, 3)], {}), ([(2, 3), (2, 1), (2, 2)], {"dim": 1}),
         ([(2, 3, 4), (2, 3, 1)], {"dim": -1}), ([(3,), (0,)], {})]), ALL, "cat"),
    OpInfo("concat", lambda m, ts: m.concat(ts, dim=0), _list_samples([([(2, 3), (1, 3)], {})]),
           FLOAT, "cat"),
    OpInfo("stack", lambda m, ts, **kw: m.stack(ts, **kw), _list_samples(
        [([(2, 3), (2, 3)], {}), ([(2, 3)] * 3, {"dim": 1}), ([(2, 3)] * 2, {"dim": -1}),
         ([(), ()], {})]), ALL, "stack"),
    OpInfo("hstack", lambda m, ts: m.hstack(ts), _list_samples([([(2, 3), (2, 1)], {})]),
           FLOAT, "cat"),
    OpInfo("vstack", lambda m, ts: m.vstack(ts), _list_samples([([(3,), (3,)], {})]), FLOAT,
           "cat", extra_primitives=("reshape",)),
    OpInfo("split", _f("split"), with_args([((5, 3), (2,)), ((5, 3), ([1, 4],)),
                                           ((5, 3), (2, 1))]), ALL, "index", kind="view"),
    OpInfo("chunk", _f("chunk"), with_args([((5, 3), (2,)), ((6, 3), (3,)), ((5, 3), (2, 1))]),
           ALL, "index", kind="view"),
    OpInfo("unbind", _f("unbind"), with_args([((3, 2), ()), ((3, 2), (1,))]), FLOAT, "index",
           kind="view"),
    OpInfo("tensor_split", _f("tensor_split"), with_args([((7, 2), (3,)), ((7, 2), ([1, 5],))]),
           FLOAT, "index", kind="view"),
    # --- linear algebra ------------------------------------------------------------------------
    OpInfo("matmul", _f("matmul"), _matmul_samples, FLOAT_INT, "matmul"),
    OpInfo("__matmul__", lambda m, x, y: x @ y, _matmul_samples, FLOAT, "matmul"),
    OpInfo("dot", _f("dot"), fixed(((4,), (4,)), ((0,), (0,))), FLOAT_INT, "matmul"),
    OpInfo("vdot", _f("vdot"), fixed(((4,), (4,))), FLOAT, "matmul"),
    OpInfo("inner", _f("inner"), fixed(((4,), (4,))), FLOAT, "matmul"),
    OpInfo("mv", _f("mv"), fixed(((3, 4), (4,)), ((0, 4), (4,))), FLOAT_INT, "matmul"),
    OpInfo("mm", _f("mm"), fixed(((3, 4), (4, 2)), ((1, 4), (4, 1))), FLOAT_INT, "matmul"),
    OpInfo("bmm", _f("bmm"), fixed(((2, 3, 4), (2, 4, 5))), FLOAT_INT, "matmul"),
    OpInfo("outer", _f("outer"), fixed(((3,), (4,))), FLOAT_INT, "mul"),
    OpInfo("trace", _f("trace"), fixed(((3, 3),), ((3, 4),)), FLOAT_INT, "index",
           extra_primitives=("sum",)),
    # torch.linalg: well-conditioned inputs; sign-free views of eigen/singular vectors and QR
    OpInfo("linalg.inv", lambda m, a: m.linalg.inv(a), _conditioned((3, 3)), FLOAT, "inv",
           rtol_scale=30),
    OpInfo("linalg.solve", lambda m, a, b: m.linalg.solve(a, b), _conditioned(
        ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((3, 3), (2, 3, 1))), FLOAT, "solve",
        rtol_scale=30),
    OpInfo("linalg.det", lambda m, a: m.linalg.det(a), _conditioned((3, 3), (2, 4, 4)), FLOAT,
           "det", rtol_scale=30),
    OpInfo("linalg.slogdet", lambda m, a: m.linalg.slogdet(a)[1], _conditioned((3, 3)), FLOAT,
           "slogdet", rtol_scale=30),
    OpInfo("linalg.cholesky", lambda m, x: m.linalg.cholesky(
        x @ x.mT + 3 * m.eye(x.shape[-1], dtype=x.dtype, device=x.device)),
        _conditioned((3, 3), (2, 3, 3)),
        FLOAT, "cholesky", rtol_scale=30),
    OpInfo("linalg.qr", lambda m, a: tuple(t * t for t in m.linalg.qr(a)), _conditioned(
        (5, 3), (3, 5), (2, 3, 3)), FLOAT, "qr", rtol_scale=30),
    OpInfo("linalg.eigh", lambda m, x: (lambda w, v: (w, v * v))(*m.linalg.eigh(x + x.mT)),
           _conditioned((3, 3), (2, 4, 4)), FLOAT, "eigh", rtol_scale=100),
    OpInfo("linalg.svd", lambda m, a: (lambda u, s, vh: (u * u, s, vh * vh))(
        *m.linalg.svd(a, full_matrices=False)), _conditioned((5, 3), (3, 5)), FLOAT, "svd",
        rtol_scale=100),
    OpInfo("linalg.pinv", lambda m, a: m.linalg.pinv(a), _conditioned((5, 3), (3, 4)), FLOAT,
           "pinv", rtol_scale=30),
    OpInfo("linalg.lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, _conditioned(
        ((6, 3), (6, 2)), ((2, 5, 3), (2, 5))), FLOAT, "lstsq", rtol_scale=30),
    # --- in place (on a clone, so the sample stays intact) ------------------------------------
    *[OpInfo(f"{n}_", _on_clone(_meth(n + "_")),
             binary_samples(d1=NONZERO, pairs=BINARY_SHAPES[:2]), FLOAT, n, kind="inplace")
      for n in ("add", "sub", "mul", "div")],
    *[OpInfo(f"__i{n}__", _on_clone(lambda m, x, y, f=f: f(x, y)),
             binary_samples(d1=NONZERO, pairs=BINARY_SHAPES[:2]), FLOAT, p, kind="inplace")
      for n, f, p in (("add", operator.iadd, "add"), ("sub", operator.isub, "sub"),
                      ("mul", operator.imul, "mul"), ("truediv", operator.itruediv, "div"))],
    OpInfo("clamp_", lambda m, x: x.clone().clamp_(-1, 1), unary_samples(), FLOAT, "clamp",
           kind="inplace"),
    OpInfo("copy_", lambda m, x, y: x.clone().copy_(y), fixed(((3, 4), (4,))), FLOAT, None,
           kind="inplace"),
    _nondiff(OpInfo("fill_", lambda m, x: x.clone().fill_(2.5), unary_samples(), FLOAT_INT, None,
                    kind="inplace")),
    _nondiff(OpInfo("zero_", lambda m, x: x.clone().zero_(), unary_samples(), ALL, None,
                    kind="inplace")),
    *[OpInfo(f"{n}_", _on_clone(_meth(n + "_")), unary_samples(d), FLOAT, n, kind="inplace",
             domains=(d,)) for n, d in (("exp", ANY), ("sqrt", POSITIVE), ("abs", NONZERO),
                                        ("neg", ANY), ("sigmoid", ANY), ("tanh", ANY))],
    OpInfo("pow_", lambda m, x: x.clone().pow_(2), unary_samples(), FLOAT, "pow",
           kind="inplace"),
    OpInfo("masked_fill_", lambda m, x, mask: x.clone().masked_fill_(mask, 0.5), lambda rng, dt:
           iter([Sample((make(rng, (3, 4), dt), rng.random((4,)) < 0.5))]), FLOAT_INT, "where",
           kind="inplace"),
    # random in-place fills: zerograd's streams are torch's, so a seed makes them comparable
    # (on fresh contiguous tensors: torch's fill order depends on the memory layout)
    *[_nondiff(OpInfo(name, fn, unary_samples(shapes=[(5,), (3, 4), (4, 5), (0,)]), FLOAT,
                      None, kind="inplace")) for name, fn in (
        ("normal_", lambda m, x: _seeded(m).zeros(x.shape, dtype=x.dtype, device=x.device)
         .normal_(1.0, 2.0)),
        ("uniform_", lambda m, x: _seeded(m).zeros(x.shape, dtype=x.dtype, device=x.device)
         .uniform_(-1, 2)))],
    # results that are Python values or tuples of index tensors
    _nondiff(OpInfo("nonzero", _f("nonzero"), unary_samples(), ALL, None)),
    _nondiff(OpInfo("nonzero_as_tuple", lambda m, x: m.nonzero(x, as_tuple=True),
                    unary_samples(shapes=[(5,), (3, 4)]), ALL, None)),
    _nondiff(OpInfo("where_condition_only", lambda m, x: m.where(x > 0), unary_samples(
        shapes=[(5,), (3, 4)]), FLOAT_INT, None)),
    _nondiff(OpInfo("equal", lambda m, x, y: (m.equal(x, y), m.equal(x, x.clone())), fixed(
        ((3, 4), (3, 4)), ((3,), (4,))), ALL, None)),
    _nondiff(OpInfo("allclose", lambda m, x, y: (m.allclose(x, y), m.allclose(x, x + 1e-9)),
                    fixed(((3, 4), (3, 4))), FLOAT, None)),
    OpInfo("l1_norm", lambda m, x: x.abs().sum(), unary_samples(NONZERO), FLOAT, "abs",
           extra_primitives=("sum",), kind="reduction", domains=(NONZERO,)),
    OpInfo("std_correction", lambda m, x: m.std(x, dim=1, correction=0, keepdim=True),
           unary_samples(shapes=[(3, 4)]), FLOAT, "var", extra_primitives=("sqrt",),
           kind="reduction", rtol_scale=4),
    OpInfo("mean_dtype", lambda m, x: x.mean(dtype=m.float64), unary_samples(
        shapes=[(), (5,), (3, 4)]), FLOAT, "mean", kind="reduction"),
]


OPS: dict[str, OpInfo] = {o.name: o for o in OP_DB}
assert len(OPS) == len(OP_DB), "op_db names must be unique"


def covered_primitives() -> set[str]:
    """Every PRIMITIVES op_name some entry exercises."""
    out: set[str] = set()
    for o in OP_DB:
        if o.primitive:
            out.add(o.primitive)
        out.update(o.extra_primitives)
    return out


def ops_with(**flags: Any) -> list[OpInfo]:
    """The entries whose attributes equal the given values (e.g. differentiable=True)."""
    return [o for o in OP_DB if all(getattr(o, k) == v for k, v in flags.items())]
