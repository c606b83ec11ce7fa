"""The distributions of PyTorch's CPU generator, re-implemented on NumPy bit for bit.

Each function takes a `CPUGeneratorState` (engine and cached normal, in `_mt19937`) and draws
a NumPy array exactly as the matching ATen CPU kernel does: same engine outputs, same order,
same float rounding (ATen's FMA contractions and the AVX2 normal kernel are emulated in
`_avx_mathfun`). The public `Generator` (`zerograd._generator`) wraps these; CUDA's Philox
generator is not modelled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._avx_mathfun import fma32, fma64, normal_fill_16_avx2
from ._mt19937 import DEFAULT_SEED, MT19937, CPUGeneratorState

Shape = Sequence[int]

__all__ = [
    "DEFAULT_SEED", "MT19937", "CPUGeneratorState", "uniform", "normal", "normal_tensor",
    "random_from_to", "random_full", "randperm", "bernoulli_scalar", "bernoulli_tensor",
    "exponential", "multinomial",
]  # fmt: skip

# ----------------------------------------------------------------------------- helpers


def _numel(shape: Shape) -> int:
    return math.prod(int(s) for s in shape)


def _unit_float(bits: np.ndarray) -> np.ndarray:
    """uniform_real<float>(v, 0, 1): the low 24 bits of a 32-bit draw times 2^-24."""
    return (bits & np.uint32(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)


def _unit_double(bits: np.ndarray) -> np.ndarray:
    """uniform_real<double>(v, 0, 1): the low 53 bits of a 64-bit draw times 2^-53."""
    return (bits & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0**-53


def _libm(fn: Any, x: np.ndarray) -> np.ndarray:
    """fn (a `math` function) over a float64 array.

    `math` calls the platform's libm, which is what ATen's scalar kernels call too; NumPy's own
    SIMD log/log1p differ from glibc in the last bit for about 0.3% / 7% of inputs.
    """
    return np.fromiter(map(fn, x.tolist()), dtype=np.float64, count=x.size)


def _from_double(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """static_cast<scalar_t>(double): c10::Half has no double constructor, so it goes via float."""
    if dtype == np.float16:
        return x.astype(np.float32).astype(np.float16)
    return x.astype(dtype)


def _chunked(fn: Any, x: np.ndarray, size: int = 1 << 16) -> np.ndarray:
    """fn applied to 1-d x piece by piece, so its float64 temporaries stay in cache."""
    if x.size <= size:
        return fn(x)
    return np.concatenate([fn(x[i : i + size]) for i in range(0, x.size, size)])


def _check_float(dtype: np.dtype, op: str) -> None:
    if dtype not in (np.float16, np.float32, np.float64):
        raise RuntimeError(f"\"{op}\" not implemented for '{dtype.name}'")


# ----------------------------------------------------------------------------- uniform


def uniform(
    gen: CPUGeneratorState, shape: Shape, low: float, high: float, dtype: Any
) -> np.ndarray:
    """tensor.uniform_(low, high): one 32-bit draw per element (64-bit for float64)."""
    dtype = np.dtype(dtype)
    _check_float(dtype, "check_uniform_bounds")
    info = np.finfo(dtype)
    for name, v in (("from", low), ("to", high)):
        if not float(info.min) <= v <= float(info.max):
            raise RuntimeError(f"{name} is out of bounds for {dtype.name}")
    if low > high:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}"
        )
    n = _numel(shape)
    if dtype == np.float64:
        x = _unit_double(gen.engine.random64(n))
        # ATen's kernels are built with FMA contraction: x * (to - from) + from is one fma.
        out = _chunked(lambda c: fma64(c, high - low, low), x)
    else:
        # Half samples in float (its opmath type) and rounds once at the end.
        lo, hi = np.float32(low), np.float32(high)
        x = _unit_float(gen.engine.random32(n))
        out = _from_double(_chunked(lambda c: fma32(c, hi - lo, lo), x), dtype)
    # A value that rounded up onto `to` is replaced by `from`, keeping the range half-open.
    to, frm = _from_double(np.array([high, low]), dtype)
    out[out == to] = frm
    return out.reshape(tuple(shape))


# ----------------------------------------------------------------------------- normal


def _normal_double_scalar(gen: CPUGeneratorState, n: int, mean: float, std: float) -> np.ndarray:
    """n draws of at::normal_distribution<double>: Box-Muller pairs, the sine half cached."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        if gen.next_double_normal is not None:
            z, gen.next_double_normal = gen.next_double_normal, None
        else:
            u1, u2 = _unit_double(gen.engine.random64(2)).tolist()
            r = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            gen.next_double_normal = r * math.sin(theta)
            z = r * math.cos(theta)
        out[i] = z
    return fma64(out, std, mean)  # transformation::normal, contracted to an fma


def normal(gen: CPUGeneratorState, shape: Shape, mean: float, std: float, dtype: Any) -> np.ndarray:
    """tensor.normal_(mean, std) / torch.randn, following ATen's three size/dtype paths.

    Under 16 elements every dtype draws scalar double Box-Muller samples (sharing the cached
    second sample with later small draws). From 16 elements float and half run the AVX2
    block kernel in float (Cephes log/sincos), and double runs the scalar block kernel.
    """
    dtype = np.dtype(dtype)
    _check_float(dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    n = _numel(shape)
    if n < 16:
        out = _from_double(_normal_double_scalar(gen, n, mean, std), dtype)
    elif dtype == np.float64:
        out = _normal_fill(gen, n, lambda u: _normal_fill_16_double(u, mean, std), "double")
    else:
        mean32, std32 = np.float32(mean), np.float32(std)
        kind = "float" if dtype == np.float32 else "half"
        out = _normal_fill(gen, n, lambda u: normal_fill_16_avx2(u, mean32, std32), kind)
        out = out.astype(dtype)
    return out.reshape(tuple(shape))


def _normal_fill(gen: CPUGeneratorState, n: int, fill16: Any, kind: str) -> np.ndarray:
    """normal_fill: uniforms first, then Box-Muller on whole 16-blocks, then the ragged tail.

    float and double draw all n uniforms up front; Half streams block by block in a float
    buffer, so it draws only the whole blocks' uniforms before the tail's 16.
    """

    def uniforms(k: int) -> np.ndarray:
        if kind == "double":
            return _unit_double(gen.engine.random64(k))
        return _unit_float(gen.engine.random32(k))

    full = n - n % 16
    u = uniforms(full if kind == "half" else n)
    out = np.empty(n, dtype=u.dtype)
    out[:full] = fill16(u[:full].reshape(-1, 16)).reshape(-1)
    if n % 16:
        # torch redraws the LAST 16 slots (some already transformed) and transforms them again,
        # so the tail of randn(n) is not a prefix of randn(n + 1).
        out[n - 16 :] = fill16(uniforms(16).reshape(1, 16)).reshape(-1)
    return out


def _normal_fill_16_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16<double> on rows of 16: pairs (j, j + 8), libm log/cos/sin."""
    u1 = 1.0 - u[:, :8].reshape(-1)
    u2 = u[:, 8:].reshape(-1)
    radius = np.sqrt(-2.0 * _libm(math.log, u1))
    theta = 2.0 * math.pi * u2
    first = fma64(radius * _libm(math.cos, theta), std, mean)
    second = fma64(radius * _libm(math.sin, theta), std, mean)
    return np.concatenate([first.reshape(-1, 8), second.reshape(-1, 8)], axis=1)


def normal_tensor(gen: CPUGeneratorState, mean: Any, std: Any, dtype: Any) -> np.ndarray:
    """torch.normal(mean, std) with at least one tensor argument (arrays or Python floats).

    ATen draws standard normals of the broadcast shape, then runs `out.mul_(std).add_(mean)` as
    two separately rounded ops; a tensor mean with a float std instead draws normal(0, std)
    and adds mean.
    """
    dtype = np.dtype(dtype)
    mean_is_array, std_is_array = isinstance(mean, np.ndarray), isinstance(std, np.ndarray)
    if std_is_array and std.size and std.min() < 0:
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if mean_is_array and not std_is_array:
        out = normal(gen, mean.shape, 0.0, float(std), dtype)
        np.add(out, mean, out=out, casting="unsafe")
        return out
    shape = np.broadcast_shapes(np.shape(mean) if mean_is_array else (), std.shape)
    out = normal(gen, shape, 0.0, 1.0, dtype)
    np.multiply(out, std, out=out, casting="unsafe")
    np.add(out, mean if mean_is_array else dtype.type(mean), out=out, casting="unsafe")
    return out


# ----------------------------------------------------------------------------- integers

_FLOAT_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _int_bounds(dtype: np.dtype) -> tuple[int, int]:
    if dtype == np.bool_:
        return 0, 1
    info = np.iinfo(dtype)
    return int(info.min), min(int(info.max), 2**63 - 1)  # ATen caps uint64 at int64 max


def _cast_int(i: int, dtype: np.dtype) -> int:
    """static_cast<int64_t>(static_cast<scalar_t>(i)) for a floating scalar_t.

    An overflow to inf returns i unchanged; the range check that follows then rejects it.
    """
    with np.errstate(over="ignore"):
        v = _from_double(np.array([float(i)]), dtype)[0]
    return int(v) if np.isfinite(v) else i


def _update_from(frm: int, dtype: np.dtype) -> int:
    """Move `from` up to the next value that survives the cast to a float dtype (ATen)."""
    from_plus_1 = _cast_int(frm + 1, dtype)
    if from_plus_1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = from_plus_1 + (1 << (n - _FLOAT_DIGITS[dtype] + 1))
    return frm


def _update_to(to: int, dtype: np.dtype) -> int:
    """Move `to` down so that `to - 1` survives the cast to a float dtype (ATen)."""
    to_minus_1 = _cast_int(to - 1, dtype)
    if to_minus_1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = to_minus_1 - (1 << (n - _FLOAT_DIGITS[dtype] + 1))
    return to


def _check_in_range(frm: int, to_inc: int, dtype: np.dtype) -> None:
    if dtype.kind == "f":
        big = float(np.finfo(dtype).max)
        lo, hi = -big, big
    else:
        lo, hi = _int_bounds(dtype)
    for name, v in (("from", frm), ("to - 1", to_inc)):
        if not lo <= v <= hi:
            raise RuntimeError(f"{name} is out of bounds for {dtype.name}")


def _int_values(vals: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """static_cast<scalar_t>(int64) for int64 values (as uint64 bits) into dtype."""
    as_int = vals.view(np.int64)
    if dtype == np.bool_:
        return as_int != 0
    if dtype == np.float16:
        return as_int.astype(np.float32).astype(np.float16)  # c10::Half goes through float
    return as_int.astype(dtype)


def random_from_to(
    gen: CPUGeneratorState, shape: Shape, low: int, high: int | None, dtype: Any
) -> np.ndarray:
    """tensor.random_(low, high) and torch.randint(low, high): (draw % range) + low.

    Ranges of 2^28 or more take 64-bit draws. For float dtypes `low`/`high` first move inward
    to values the dtype can hold. `high=None` means "up to the dtype's largest value".
    """
    dtype = np.dtype(dtype)
    low = int(low)
    if high is not None:
        high = int(high)
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        if dtype.kind == "f":
            low, high = _update_from(low, dtype), _update_to(high, dtype)
            if low >= high:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={low} >= to={high}"
                )
        _check_in_range(low, high - 1, dtype)
        span = high - low
    elif low != -(2**63):
        if dtype.kind == "f":
            to_inc = 1 << _FLOAT_DIGITS[dtype]
            low = _update_from(low, dtype)
        else:
            to_inc = _int_bounds(dtype)[1]
        _check_in_range(low, to_inc, dtype)
        span = to_inc - low + 1
    else:
        # [int64 min, int64 max]: the raw 64-bit draw reinterpreted as signed.
        if _numel(shape) and dtype not in (np.int64, np.float32, np.float64):
            raise RuntimeError(
                "random_full_64_bits_range_kernel_cpu handles only int64, double, float and "
                "bfloat16"
            )
        return _int_values(gen.engine.random64(_numel(shape)), dtype).reshape(tuple(shape))
    n = _numel(shape)
    if span >= 1 << 28:  # "allow approx 5% skew in uniform int generation using %"
        draws = gen.engine.random64(n)
    else:
        draws = gen.engine.random32(n).astype(np.uint64)
    vals = draws % np.uint64(span) + np.uint64(low & 0xFFFFFFFFFFFFFFFF)  # wraps like C++
    return _int_values(vals, dtype).reshape(tuple(shape))


def random_full(gen: CPUGeneratorState, shape: Shape, dtype: Any) -> np.ndarray:
    """tensor.random_() with no bounds: [0, max] for ints, [0, 2^mantissa] for floats.

    Only int64 and float64 take 64-bit draws; everything else reduces a 32-bit draw.
    """
    dtype = np.dtype(dtype)
    n = _numel(shape)
    if dtype in (np.uint16, np.uint32, np.uint64):
        raise RuntimeError(f"\"random_kernel_cpu\" not implemented for '{dtype.name}'")
    if dtype in (np.int64, np.float64):
        draws = gen.engine.random64(n)
    else:
        draws = gen.engine.random32(n).astype(np.uint64)
    if dtype == np.bool_:
        out = (draws & np.uint64(1)).astype(np.bool_)
    elif dtype.kind == "f":
        out = _int_values(draws % np.uint64((1 << _FLOAT_DIGITS[dtype]) + 1), dtype)
    else:
        out = (draws % np.uint64(_int_bounds(dtype)[1] + 1)).astype(dtype)
    return out.reshape(tuple(shape))


def randperm(gen: CPUGeneratorState, n: int, dtype: Any = np.int64) -> np.ndarray:
    """torch.randperm(n): ATen's Fisher-Yates variants (a Python loop: swaps are sequential)."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    if n < (2**32 - 1) // 20:
        # Swap slot i with a slot at or after it, z = random() % (n - i), for i < n - 1.
        perm = list(range(n))
        offsets = gen.engine.random32(max(n - 1, 0)).astype(np.int64)
        offsets %= np.arange(n, 1, -1, dtype=np.int64)
        for i, z in enumerate(offsets.tolist()):
            j = i + z
            perm[i], perm[j] = perm[j], perm[i]
    else:
        # Huge n: the "inside-out" shuffle with 64-bit draws, z = random64() % (i + 1).
        draws = gen.engine.random64(n)
        picks = (draws % np.arange(1, n + 1, dtype=np.uint64)).tolist()
        perm = [0] * n
        for i, z in enumerate(picks):
            perm[i] = perm[z]
            perm[z] = i
    return np.array(perm, dtype=np.int64).astype(dtype)


# ----------------------------------------------------------------------------- bernoulli etc.


def bernoulli_scalar(gen: CPUGeneratorState, p: float, shape: Shape, dtype: Any) -> np.ndarray:
    """tensor.bernoulli_(p) (nn.Dropout's mask): one double uniform per element, u < p.

    ATen's MKL variant (an MCG31 stream seeded by one draw) is compiled only into FBCODE
    builds (pytorch#132395): public wheels run this kernel on Intel and AMD CPUs alike.
    """
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    u = _unit_double(gen.engine.random64(_numel(shape)))
    return (u < p).astype(np.dtype(dtype)).reshape(tuple(shape))


def bernoulli_tensor(
    gen: CPUGeneratorState, p: np.ndarray, dtype: Any = None, shape: Shape | None = None
) -> np.ndarray:
    """torch.bernoulli(p) / tensor.bernoulli_(p_tensor): p broadcast to `shape`, C order.

    A float64 p compares 53-bit uniforms from 64-bit draws; float and half p compare 24-bit
    float uniforms from 32-bit draws.
    """
    p = np.asarray(p)
    if p.dtype.kind != "f":
        raise RuntimeError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{p.dtype.name}'")
    shape = tuple(p.shape if shape is None else shape)
    dtype = p.dtype if dtype is None else np.dtype(dtype)
    probs = np.broadcast_to(p, shape).reshape(-1)
    n = probs.size
    if p.dtype == np.float64:
        hits = _unit_double(gen.engine.random64(n)) < probs
    else:
        hits = _unit_float(gen.engine.random32(n)) < probs.astype(np.float32)
    return hits.astype(dtype).reshape(shape)


def exponential(gen: CPUGeneratorState, shape: Shape, lambd: float, dtype: Any) -> np.ndarray:
    """tensor.exponential_(lambd): (-1 / lambd) * log1p(-u) in double, u a 53-bit uniform."""
    dtype = np.dtype(dtype)
    _check_float(dtype, "exponential_cpu")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    u = _unit_double(gen.engine.random64(_numel(shape)))
    out = (-1.0 / lambd) * _libm(math.log1p, -u)
    return _from_double(out, dtype).reshape(tuple(shape))


def multinomial(
    gen: CPUGeneratorState, probs: np.ndarray, num_samples: int, replacement: bool = False
) -> np.ndarray:
    """torch.multinomial(probs, num_samples, replacement) for 1-d or 2-d probs (int64 out).

    Without replacement (or for one sample) ATen uses the exponential race: argmax / top-k of
    p / q with q ~ Exp(1). With replacement it inverts the normalised float CDF by binary search.
    """
    probs = np.asarray(probs)
    rows = probs.reshape(-1, probs.shape[-1]) if probs.ndim else probs.reshape(1, 1)
    if not (np.isfinite(rows).all() and (rows >= 0).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if not replacement or num_samples == 1:
        q = exponential(gen, rows.shape, 1.0, rows.dtype)
        keys = rows / q
        # top-k returns the largest first; a stable sort of -keys keeps ties in index order.
        out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        for r, row in enumerate(rows):
            cdf = np.cumsum(row)  # sequential float sum, like the kernel's running total
            cdf = cdf / cdf[-1]
            cdf[-1] = 1
            u = _unit_double(gen.engine.random64(num_samples))
            out[r] = np.searchsorted(cdf, u, side="left")  # first slot with cdf >= u
    return out.astype(np.int64).reshape(probs.shape[:-1] + (num_samples,))
