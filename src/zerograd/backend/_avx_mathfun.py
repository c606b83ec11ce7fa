"""Exact NumPy emulation of the float arithmetic inside PyTorch's CPU random kernels.

ATen's AVX2 `normal_fill_16_AVX2` uses `log256_ps` and `sincos256_ps` from avx_mathfun.h
(Cephes polynomials in float32), and GCC compiles ATen with FMA contraction on, so several
`a * b + c` steps round once instead of twice. This module reproduces both: `fma32`/`fma64` are
correctly rounded fused multiply-adds, and `normal_fill_16_avx2` is the Box-Muller block
with exactly the contractions GCC makes (verified bit for bit against torch 2.13).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_F32, _F64 = np.float32, np.float64


def fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """round_to_float32(a * b + c) with one rounding, for float32 inputs (an FMA instruction).

    The float32 product is exact in float64, so only the float64 sum rounds; rounding that
    again to float32 is wrong only when the sum landed exactly on a float32 midpoint, which
    we detect and resolve from the sum's exact error. Results must be in float32's normal range.
    """
    a64, b64, c64 = (np.asarray(v, dtype=_F64) for v in (a, b, c))  # no copy if float64
    s = np.asarray(a64 * b64 + c64)
    tie = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if tie.any():
        a64, b64, c64 = np.broadcast_arrays(a64, b64, c64)
        err = _two_sum(a64[tie] * b64[tie], c64[tie])[1]
        s = np.array(s, copy=True)
        nudged = np.nextafter(s[tie], np.where(err > 0, np.inf, -np.inf))
        s[tie] = np.where(err != 0, nudged, s[tie])
    return s.astype(_F32)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s = fl(a + b) and the exact error a + b - s (Knuth)."""
    s = a + b
    bv = s - a
    return s, (a - (s - bv)) + (b - bv)


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p = fl(a * b) and the exact error a * b - p (Dekker, Veltkamp splitting)."""
    p = a * b
    split = 134217729.0  # 2^27 + 1
    ta, tb = split * a, split * b
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """a * b + c in float64 with one rounding (Boldo-Melquiond: error terms added round-to-odd).

    Valid away from overflow and underflow, which the random kernels never approach.
    """
    a, b, c = np.broadcast_arrays(
        np.asarray(a, dtype=_F64), np.asarray(b, dtype=_F64), np.asarray(c, dtype=_F64)
    )
    uh, ul = _two_prod(a, b)
    th, tl = _two_sum(c, uh)
    v, e = _two_sum(tl, ul)
    # Round v to odd: if inexact and its last bit is even, step one ulp towards the error.
    even = (np.asarray(v).view(np.uint64) & np.uint64(1)) == 0
    v = np.where((e != 0) & even, np.nextafter(v, np.where(e > 0, np.inf, -np.inf)), v)
    return th + v


# Cephes constants, as avx_mathfun.h rounds them to float.
_LOG_P = [_F32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                            -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                            2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]  # fmt: skip
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)
_SQRTHF = _F32(0.707106781186547524)
_FOPI = _F32(1.27323954473516)  # 4 / pi
_DP1, _DP2, _DP3 = _F32(-0.78515625), _F32(-2.4187564849853515625e-4), _F32(-3.77489497744594108e-8)
_SIN = (_F32(-1.9515295891e-4), _F32(8.3321608736e-3), _F32(-1.6666654611e-1))
_COS = (_F32(2.443315711809948e-5), _F32(-1.388731625493765e-3), _F32(4.166664568298827e-2))
_HALF, _ONE = _F32(0.5), _F32(1.0)
_TWO_PI = _F32(2.0 * np.pi)  # _mm256_set1_ps(2.0f * c10::pi<double>)


def log256_ps(x: np.ndarray) -> np.ndarray:
    """avx_mathfun's log256_ps for positive normal float32 x.

    GCC fuses every `y = y * x; y = y + p` step of the polynomial, and `y * z + e * q1` into
    fma(y, z, e * q1) (the first of the two products in source order is the one fused).
    """
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(_F32) + _ONE
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # mantissa scaled into [0.5, 1)
    small = m < _SQRTHF
    e = e - np.where(small, _ONE, _F32(0))
    x = (m - _ONE) + np.where(small, m, _F32(0))  # 2m - 1 or m - 1, both exact
    z = x * x
    x64 = x.astype(_F64)  # reused by every polynomial step
    y = fma32(_LOG_P[0], x64, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = fma32(y, x64, p)
    y = y * x
    y = fma32(y, z, e * _LOG_Q1)
    y = y - z * _HALF  # z * 0.5 is exact, so fusing it changes nothing
    return (x + y) + e * _LOG_Q2  # e * q2 is exact (q2 has 9 significant bits)


def sincos256_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """avx_mathfun's sincos256_ps for float32 x in [0, 2*pi) (Box-Muller's theta): (sin, cos)."""
    j = (x * _FOPI).astype(np.int32)  # cvttps: truncate
    j = (j + 1) & ~1
    y = j.astype(_F32)
    # Cody-Waite reduction. Here y <= 8, so the DP1 and DP2 products are exact and fusing them
    # changes nothing; only the DP3 step is a real fma.
    x = (x + y * _DP1) + y * _DP2
    x = fma32(y, _DP3, x)
    z = x * x
    z64 = z.astype(_F64)
    cos_poly = fma32(fma32(_COS[0], z64, _COS[1]), z64, _COS[2]) * z
    cos_poly = fma32(cos_poly, z64, -(z * _HALF)) + _ONE  # GCC fuses y * z into the subtraction
    sin_poly = fma32(fma32(_SIN[0], z64, _SIN[1]), z64, _SIN[2]) * z
    sin_poly = fma32(sin_poly, x, x)
    use_sin_poly = (j & 2) == 0
    sin = np.where(use_sin_poly, sin_poly, cos_poly)
    cos = np.where(use_sin_poly, cos_poly, sin_poly)
    sin = np.where((j & 4) != 0, -sin, sin)
    cos = np.where((~(j - 2) & 4) != 0, -cos, cos)
    return sin, cos


def normal_fill_16_avx2(u: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """ATen's normal_fill_16_AVX2 on rows of 16 float32 uniforms: pairs (j, j + 8)."""
    out = np.empty_like(u)
    # Chunks keep the many float64 temporaries in cache: about 3x faster for 10^6 samples.
    for start in range(0, u.shape[0], 4096):
        rows = slice(start, start + 4096)
        radius = np.sqrt(_F32(-2) * log256_ps(_ONE - u[rows, :8]))
        sin, cos = sincos256_ps(_TWO_PI * u[rows, 8:])
        n1, n2 = radius * cos, radius * sin
        if std == 1 and mean == 0:
            # fma(n, 1, 0) is n, except that it turns -0.0 into +0.0, as adding +0.0 does.
            out[rows, :8] = n1 + _F32(0)
            out[rows, 8:] = n2 + _F32(0)
        else:
            out[rows, :8] = fma32(n1, std, mean)
            out[rows, 8:] = fma32(n2, std, mean)
    return out
