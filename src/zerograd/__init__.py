"""zerograd: deep learning from zero, a PyTorch-compatible tensor and autograd library in plain
Python on NumPy. `import zerograd as torch` and the course code runs unchanged.

This file only re-exports: the public namespace mirrors `torch`.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import _dtype
from ._creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    asarray,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device
from ._dtype import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._dtype import dtype as dtype
from ._generator import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._import_hook import load_ipython_extension, unload_ipython_extension
from ._printing import set_printoptions
from ._shapes import Size, broadcast_shapes
from ._tensor import Tensor, is_tensor, numel
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .linalg import det
from .linalg import inv as inverse
from .ops import PRIMITIVES
from .ops.elementwise import (
    abs,
    absolute,
    add,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    ceil,
    clamp,
    clip,
    cos,
    div,
    divide,
    eq,
    equal,
    exp,
    expm1,
    fix,
    floor,
    floor_divide,
    fmod,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    mul,
    multiply,
    ne,
    neg,
    negative,
    nonzero,
    not_equal,
    pow,
    reciprocal,
    relu,
    remainder,
    round,
    rsqrt,
    rsub,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    subtract,
    tan,
    tanh,
    true_divide,
    trunc,
    where,
)
from .ops.indexing import gather, index_select, masked_fill
from .ops.join import (
    cat,
    chunk,
    concat,
    concatenate,
    diff,
    hstack,
    repeat_interleave,
    roll,
    split,
    stack,
    tensor_split,
    tile,
    unbind,
    vstack,
)
from .ops.linalg import bmm, diag, diagonal, dot, ger, inner, matmul, mm, mv, outer, trace, vdot
from .ops.movement import (
    broadcast_tensors,
    broadcast_to,
    clone,
    flatten,
    flip,
    moveaxis,
    movedim,
    narrow,
    permute,
    reshape,
    select,
    squeeze,
    swapaxes,
    swapdims,
    t,
    transpose,
    tril,
    triu,
    unflatten,
    unsqueeze,
)
from .ops.nn_ops import log_softmax, softmax
from .ops.reduction import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from .ops.sorting import argsort, sort, topk

__version__ = "0.1.0"

_SUBMODULES = {
    "autograd", "nn", "optim", "utils", "linalg", "func", "cuda", "return_types", "d2l",
    "sym", "viz", "backends", "testing", "distributions", "special", "fft", "jit", "overrides",
    "serialization", "types",
}


def __getattr__(name: str) -> Any:
    # Submodules load on first use, so `import zerograd` stays quick and needs NumPy alone.
    if name in _SUBMODULES:
        try:
            return importlib.import_module("." + name, __name__)
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{name}":
                raise AttributeError(
                    f"zerograd does not implement torch.{name} yet"
                ) from None
            raise
    if name in ("save", "load"):
        return getattr(importlib.import_module(".serialization", __name__), name)
    raise AttributeError(
        f"module 'zerograd' has no attribute '{name}' (zerograd does not implement torch.{name} "
        "yet)"
    )


def is_floating_point(input: Tensor) -> bool:
    """True if input's dtype is a floating-point type."""
    return input.is_floating_point()


def result_type(tensor1: Any, tensor2: Any) -> _dtype.dtype:
    """The dtype PyTorch's promotion gives an operation on these two operands."""
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_: _dtype.dtype, to: _dtype.dtype) -> bool:
    """Whether PyTorch's in-place ops may write a `from_` result into a `to` tensor."""
    if from_.category > to.category:
        return False
    return True


def get_num_threads() -> int:
    """Threads BLAS may use (zerograd's own code is single-threaded)."""
    import os

    return os.cpu_count() or 1


def set_num_threads(n: int) -> None:
    """Accepted for compatibility; BLAS threads are set by environment variables."""
