"""zerograd's random streams against PyTorch's CPU generator, draw for draw.

Every sampler is compared with torch 2.13 for several seeds, shapes (crossing the 16-element
switch of the normal kernels), dtypes and interleavings, and the full 5056-byte generator state
is compared after each step, so a sampler that consumes one engine output too many fails even
when its values happen to agree. Comparisons are exact (bit for bit) unless a comment says why.
"""

from __future__ import annotations

import pickle
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest

import zerograd
from zerograd._generator import Generator
from zerograd.backend._avx_mathfun import fma32, fma64

torch = pytest.importorskip("torch")

SEEDS = [0, 1, 42, 2**32 + 5, 2**64 - 1]
SHAPES = [(0,), (1,), (7,), (15,), (16,), (17,), (31,), (1000,), (3, 4), (1000, 2), ()]
FLOATS = {np.float32: torch.float32, np.float64: torch.float64, np.float16: torch.float16}
INTS = {
    np.int64: torch.int64,
    np.int32: torch.int32,
    np.int16: torch.int16,
    np.int8: torch.int8,
    np.uint8: torch.uint8,
    np.bool_: torch.bool,
}
# float32/half normals of >= 16 elements run ATen's AVX2 kernel (Cephes log/sincos in float);
# on CPUs without AVX2 torch uses libm instead, which we do not emulate: compare to 1e-5 there.
AVX_KERNEL = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")


def pair(seed: int) -> tuple[Generator, object]:
    """A zerograd and a torch generator with the same seed."""
    return Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def same(ours: np.ndarray, theirs: object) -> None:
    """Bitwise equality of values, plus equal shape and dtype."""
    expected = theirs.numpy() if hasattr(theirs, "numpy") else np.asarray(theirs)
    assert ours.shape == expected.shape
    assert ours.dtype == expected.dtype
    assert ours.tobytes() == expected.tobytes(), (ours.ravel()[:5], expected.ravel()[:5])


def state_bytes(state: object) -> bytes:
    """The raw bytes of an RNG state: a NumPy array, or a tensor (torch's or zerograd's)."""
    return (state.numpy() if hasattr(state, "numpy") else np.asarray(state)).tobytes()


def same_state(g: Generator, tg: object) -> None:
    """The two generators are at the same stream position (and hold the same cached normal)."""
    assert state_bytes(g.get_state()) == state_bytes(tg.get_state())


@pytest.fixture
def restore_global_rng():
    """Leave torch's and zerograd's default generators as the test found them."""
    torch_state, our_state = torch.get_rng_state(), zerograd.get_rng_state()
    yield
    torch.set_rng_state(torch_state)
    zerograd.set_rng_state(our_state)


# --- engine and seeding -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS + [-1, -(2**63), 123456789])
def test_seeding_matches_torch_state(seed):
    g, tg = pair(seed)
    same_state(g, tg)
    assert g.initial_seed() == tg.initial_seed() == seed % 2**64


@pytest.mark.parametrize("seed", SEEDS)
def test_raw_64_bit_draws_span_several_twists(seed):
    # random_(int64 min, None) returns random64() itself: both 32-bit outputs, first one high.
    g, tg = pair(seed)
    for n in (1, 5, 311, 312, 313, 2000, 624 * 3):
        t = torch.empty(n, dtype=torch.int64).random_(-(2**63), None, generator=tg)
        same(g.random_(((n,)), -(2**63), None, np.int64), t)
        same_state(g, tg)


def test_fresh_generator_and_default_seed():
    assert Generator().initial_seed() == torch.Generator().initial_seed() == 67280421310721
    same_state(Generator(), torch.Generator())


def test_manual_seed_argument_checks():
    g = Generator()
    assert g.manual_seed(5) is g
    assert g.manual_seed(np.int64(7)).initial_seed() == 7
    for bad in (1.5, True, "3"):
        with pytest.raises(RuntimeError, match="manual_seed expected a long"):
            g.manual_seed(bad)
    for big in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError, match="Overflow"):
            g.manual_seed(big)


def test_module_seeding_functions(restore_global_rng):
    assert zerograd.manual_seed(3.9) is zerograd.default_generator  # int() like torch
    torch.manual_seed(3.9)
    assert zerograd.initial_seed() == torch.initial_seed() == 3
    assert state_bytes(zerograd.get_rng_state()) == state_bytes(torch.get_rng_state())
    same(zerograd.default_generator.normal((5,), 0.0, 1.0, np.float32), torch.randn(5))
    s = zerograd.seed()
    assert 0 <= s < 2**64 and zerograd.initial_seed() == s
    assert zerograd.seed() != s  # 64 bits of OS entropy: equal only with probability 2^-64


def test_generator_device_and_pickle():
    g = Generator(device="cpu").manual_seed(11)
    assert str(g.device) == "cpu"
    with pytest.raises(RuntimeError, match="CPU generators only"):
        Generator(device="cuda")
    g.normal((3,), 0.0, 1.0, np.float64)  # leaves a cached normal sample in the state
    clone = pickle.loads(pickle.dumps(g))
    assert clone.get_state().tobytes() == g.get_state().tobytes()
    same(clone.normal((5,), 0.0, 1.0, np.float32), g.normal((5,), 0.0, 1.0, np.float32))
    assert g.clone_state().get_state().tobytes() == g.get_state().tobytes()


# --- continuous distributions -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dt", list(FLOATS))
def test_uniform(seed, dt):
    g, tg = pair(seed)
    for shape in SHAPES:
        for low, high in [(0.0, 1.0), (-2.0, 3.5), (0.1, 0.3)]:
            t = torch.empty(shape, dtype=FLOATS[dt]).uniform_(low, high, generator=tg)
            same(g.uniform(shape, low, high, dt), t)
        same(g.uniform(shape, 0.0, 1.0, dt), torch.rand(shape, dtype=FLOATS[dt], generator=tg))
        same_state(g, tg)


def test_uniform_rejects_bad_ranges():
    g = Generator()
    with pytest.raises(RuntimeError, match=r"\[from, to\)"):
        g.uniform((3,), 2.0, 1.0, np.float32)
    with pytest.raises(RuntimeError, match="out of bounds"):
        g.uniform((3,), 0.0, 1e6, np.float16)


def check_normal(ours: np.ndarray, theirs: object, n: int, dt: object) -> None:
    if n >= 16 and dt != np.float64 and not AVX_KERNEL:
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=0, atol=1e-5)
    else:
        same(ours, theirs)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dt", list(FLOATS))
def test_normal_all_paths(seed, dt):
    # < 16 elements: scalar double Box-Muller with a cached sample; >= 16: 16-wide blocks with
    # the ragged tail redrawn. Means and stds that are not 0 and 1 exercise ATen's fused adds.
    g, tg = pair(seed)
    for shape in SHAPES:
        n = int(np.prod(shape))
        for mean, std in [(0.0, 1.0), (1.5, 0.3), (-0.1, 2.7)]:
            t = torch.empty(shape, dtype=FLOATS[dt]).normal_(mean, std, generator=tg)
            check_normal(g.normal(shape, mean, std, dt), t, n, dt)
        t = torch.randn(shape, dtype=FLOATS[dt], generator=tg)
        check_normal(g.normal(shape, 0.0, 1.0, dt), t, n, dt)
        same_state(g, tg)


def test_normal_float32_large_is_bit_exact():
    if not AVX_KERNEL:
        pytest.skip("torch runs its libm normal kernel on this CPU")
    g, tg = pair(2024)
    for n in (16 * 4096 + 5, 100_003):
        same(g.normal((n,), 0.0, 1.0, np.float32), torch.randn(n, generator=tg))
        same(g.normal((n,), 0.5, 2.0, np.float32), torch.normal(0.5, 2.0, (n,), generator=tg))
    same_state(g, tg)


def test_small_normals_share_the_cached_sample():
    # randn(3) leaves the sine half of its second Box-Muller pair cached; the next small draw
    # (of any float dtype) starts with it, while a >= 16 draw neither uses nor clears it.
    g, tg = pair(7)
    steps = [((3,), np.float32), ((), np.float64), ((20,), np.float32), ((5,), np.float16),
             ((1,), np.float64), ((16,), np.float64), ((2, 3), np.float32)]  # fmt: skip
    for shape, dt in steps:
        same(g.normal(shape, 0.0, 1.0, dt), torch.randn(shape, dtype=FLOATS[dt], generator=tg))
        same_state(g, tg)
    same(g.uniform((5,), 0.0, 1.0, np.float32), torch.rand(5, generator=tg))
    same_state(g, tg)


@pytest.mark.parametrize("dt", list(FLOATS))
def test_normal_with_tensor_arguments(dt):
    g, tg = pair(5)
    rng = np.random.default_rng(0)
    for mean_shape, std_shape in [((4,), (4,)), ((3, 1), (1, 5)), ((20,), (20,)), ((), (7,)),
                                  ((2, 10), (10,)), ((40,), ())]:  # fmt: skip
        mean = rng.standard_normal(mean_shape).astype(dt)
        std = rng.random(std_shape).astype(dt)
        tm, ts = torch.from_numpy(mean), torch.from_numpy(std)
        check = same if dt == np.float64 or AVX_KERNEL else check_normal_loose
        check(g.normal_tensor(mean, std, dt), torch.normal(tm, ts, generator=tg))
        check(g.normal_tensor(mean, 0.7, dt), torch.normal(tm, 0.7, generator=tg))
        check(g.normal_tensor(0.3, std, dt), torch.normal(0.3, ts, generator=tg))
        same_state(g, tg)


def check_normal_loose(ours: np.ndarray, theirs: object) -> None:
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=0, atol=1e-4)


@pytest.mark.parametrize("dt", list(FLOATS))
def test_exponential(dt):
    g, tg = pair(9)
    for shape in SHAPES:
        for lambd in (1.0, 1.5, 0.25):
            t = torch.empty(shape, dtype=FLOATS[dt]).exponential_(lambd, generator=tg)
            same(g.exponential(shape, lambd, dt), t)
        same_state(g, tg)


# --- integers and permutations ------------------------------------------------------------------

RANGES = [(0, 2), (0, 10), (-5, 7), (3, 2**16), (0, 2**28 - 1), (0, 2**28), (-(2**31), 2**31),
          (-(2**40), 2**45), (0, 2**24 + 5), (100, 65504)]  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("dt", list(INTS) + list(FLOATS))
def test_randint_and_random_from_to(seed, dt):
    # Ranges of 2^28 or more switch to 64-bit draws; float dtypes move `to` down to a value
    # whose predecessor survives the cast (2^24 + 5 in float32, 65504 in half).
    tdt = {**INTS, **FLOATS}[dt]
    g, tg = pair(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about ranges beyond a float's mantissa
        for shape in [(0,), (1,), (5,), (17,), (3, 4), ()]:
            for low, high in RANGES + [(7, None), (-(2**63), None)]:
                try:
                    t = torch.empty(shape, dtype=tdt).random_(low, high, generator=tg)
                except RuntimeError:
                    with pytest.raises(RuntimeError):
                        g.random_(shape, low, high, dt)
                    continue
                same(g.random_(shape, low, high, dt), t)
            if dt != np.bool_:
                same(
                    g.randint(0, 3, shape, dt), torch.randint(0, 3, shape, dtype=tdt, generator=tg)
                )
            same_state(g, tg)


@pytest.mark.parametrize("dt", list(INTS) + list(FLOATS))
def test_random_full_range(dt):
    tdt = {**INTS, **FLOATS}[dt]
    g, tg = pair(3)
    for shape in SHAPES:
        same(g.random_full(shape, dt), torch.empty(shape, dtype=tdt).random_(generator=tg))
        same_state(g, tg)


def test_dataloader_seed_idiom():
    # RandomSampler/DataLoader: torch.empty((), dtype=torch.int64).random_().item()
    g, tg = pair(0)
    ours = g.random_full((), np.int64).item()
    assert ours == torch.empty((), dtype=torch.int64).random_(generator=tg).item()
    same_state(g, tg)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_randperm(seed):
    # Below (2^32 - 1) / 20 ATen swaps slot i with i + random() % (n - i); the 64-bit
    # "inside-out" variant above that threshold needs > 1.6 GB and is not compared here.
    g, tg = pair(seed)
    for n in (0, 1, 2, 3, 10, 100, 1000, 60000):
        same(g.randperm(n), torch.randperm(n, generator=tg))
        same_state(g, tg)
    same(g.randperm(50, np.float32), torch.randperm(50, dtype=torch.float32, generator=tg))


# --- bernoulli and multinomial ------------------------------------------------------------------


@pytest.mark.parametrize("dt", list(INTS) + list(FLOATS))
def test_bernoulli_scalar(dt):
    tdt = {**INTS, **FLOATS}[dt]
    g, tg = pair(13)
    for shape in SHAPES:
        for p in (0.0, 0.3, 0.5, 0.9, 1.0):
            t = torch.empty(shape, dtype=tdt).bernoulli_(p, generator=tg)
            same(g.bernoulli_scalar(p, shape, dt), t)
        same_state(g, tg)


def test_dropout_mask_idiom():
    # nn.Dropout in training: noise = torch.empty_like(x).bernoulli_(1 - p)
    g, tg = pair(17)
    x = torch.randn(64, 128, generator=torch.Generator().manual_seed(1))
    same(
        g.bernoulli_scalar(1 - 0.2, x.shape, np.float32),
        torch.empty_like(x).bernoulli_(0.8, generator=tg),
    )
    same_state(g, tg)


@pytest.mark.parametrize("pdt", list(FLOATS))
def test_bernoulli_tensor(pdt):
    g, tg = pair(19)
    rng = np.random.default_rng(1)
    for shape in [(5, 6), (1,), (40,), (0,)]:
        p = rng.random(shape).astype(pdt)
        same(g.bernoulli_tensor(p), torch.bernoulli(torch.from_numpy(p), generator=tg))
        same_state(g, tg)
    p = rng.random(6).astype(pdt)  # broadcast over the rows of the target
    t = torch.empty(4, 6).bernoulli_(torch.from_numpy(p), generator=tg)
    same(g.bernoulli_tensor(p, np.float32, (4, 6)), t)
    same_state(g, tg)


@pytest.mark.parametrize("pdt", [np.float32, np.float64])
def test_multinomial(pdt):
    g, tg = pair(23)
    probs = np.random.default_rng(2).random((4, 10)).astype(pdt)
    probs[0, 3] = 0
    for k, replacement in [(1, False), (1, True), (5, False), (10, False), (7, True), (100, True)]:
        t = torch.multinomial(torch.from_numpy(probs), k, replacement, generator=tg)
        same(g.multinomial(probs, k, replacement), t)
        t = torch.multinomial(torch.from_numpy(probs[1]), k, replacement, generator=tg)
        same(g.multinomial(probs[1], k, replacement), t)
        same_state(g, tg)


# --- state, interleaving, isolation -------------------------------------------------------------


def run_mixed(g: Generator, tg: object) -> None:
    """A training-loop-like mix of calls, checked call by call."""
    same(g.normal((3, 4), 0.0, 1.0, np.float32), torch.randn(3, 4, generator=tg))
    same(g.normal((), 0.0, 1.0, np.float32), torch.randn((), generator=tg))
    same(g.uniform((5,), 0.0, 1.0, np.float32), torch.rand(5, generator=tg))
    same(g.randperm(37), torch.randperm(37, generator=tg))
    same(
        g.bernoulli_scalar(0.5, (8, 9), np.float32), torch.empty(8, 9).bernoulli_(0.5, generator=tg)
    )
    same(g.randint(0, 10, (6,), np.int64), torch.randint(0, 10, (6,), generator=tg))
    same(g.normal((7,), 0.0, 1.0, np.float64), torch.randn(7, dtype=torch.float64, generator=tg))
    same(g.random_full((), np.int64), torch.empty((), dtype=torch.int64).random_(generator=tg))
    same(g.normal((33,), 2.0, 0.5, np.float32), torch.normal(2.0, 0.5, (33,), generator=tg))
    same_state(g, tg)


def test_interleaved_calls_stay_in_step():
    if not AVX_KERNEL:
        pytest.skip("torch runs its libm normal kernel on this CPU")
    g, tg = pair(31)
    for _ in range(3):
        run_mixed(g, tg)


def test_state_round_trips_both_ways():
    if not AVX_KERNEL:
        pytest.skip("torch runs its libm normal kernel on this CPU")
    g, tg = pair(37)
    g.normal((1,), 0.0, 1.0, np.float32)
    torch.randn(1, generator=tg)  # both now hold a cached normal sample
    saved = g.get_state()
    assert saved.dtype == np.uint8 and saved.shape == (5056,)
    # ours -> torch, and torch -> ours, then both continue identically
    tg2 = torch.Generator().set_state(torch.from_numpy(saved.copy()))
    g2 = Generator().set_state(tg.get_state())
    run_mixed(g, tg2)
    run_mixed(g2, tg)
    # restoring replays the same numbers
    g.set_state(saved)
    first = g.normal((50,), 0.0, 1.0, np.float32)
    g.set_state(saved)
    same(g.normal((50,), 0.0, 1.0, np.float32), first)


def test_global_state_round_trip_with_torch(restore_global_rng):
    torch.manual_seed(99)
    torch.randn(3)
    zerograd.set_rng_state(torch.get_rng_state())
    same(zerograd.default_generator.normal((5,), 0.0, 1.0, np.float32), torch.randn(5))
    torch.set_rng_state(
        torch.frombuffer(bytearray(state_bytes(zerograd.get_rng_state())), dtype=torch.uint8)
    )
    same(zerograd.default_generator.uniform((4,), 0.0, 1.0, np.float32), torch.rand(4))


def test_set_state_validation():
    g = Generator()
    good = g.get_state()
    with pytest.raises(RuntimeError, match="size 5056"):
        g.set_state(good[:100])
    with pytest.raises(TypeError, match="ByteTensor"):
        g.set_state(good.astype(np.float32))
    bad = good.copy()
    bad[8:12] = 0  # left = 0
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        g.set_state(bad)
    with pytest.raises(RuntimeError):
        torch.Generator().set_state(torch.from_numpy(bad))


def test_independent_of_numpy_global_rng():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = Generator().manual_seed(0).normal((100,), 0.0, 1.0, np.float32)
    np.random.seed(999)
    np.random.random(10)
    b = Generator().manual_seed(0).normal((100,), 0.0, 1.0, np.float32)
    same(a, b)
    np.random.seed(123)
    Generator().manual_seed(1).uniform((1000,), 0.0, 1.0, np.float32)
    assert np.array_equal(np.random.get_state()[1], before)  # we never touched NumPy's RNG


def test_million_normals_is_fast():
    g = Generator().manual_seed(0)
    g.normal((1000,), 0.0, 1.0, np.float32)  # warm up
    start = time.perf_counter()
    out = g.normal((1_000_000,), 0.0, 1.0, np.float32)
    elapsed = time.perf_counter() - start
    assert out.shape == (1_000_000,) and elapsed < 1.0, elapsed


# --- the fused multiply-add helpers behind the exact float arithmetic ---------------------------


def exact_fma(a: float, b: float, c: float) -> Fraction:
    return Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))


def nearest_float32(x: Fraction) -> np.float32:
    """x rounded to float32 directly (ties to even), without a float64 step in between."""
    guess = np.float32(float(x))
    candidates = [
        np.nextafter(guess, np.float32(-np.inf)),
        guess,
        np.nextafter(guess, np.float32(np.inf)),
    ]
    return min(candidates, key=lambda f: (abs(Fraction(float(f)) - x), int(f.view(np.int32)) & 1))


def test_fma32_rounds_once_even_on_double_rounding_traps():
    # a * b + c = (1 + 2^-23) + 2^-24 - 2^-54: float64 rounds it onto the float32 midpoint
    # 1 + 3 * 2^-24, and ties-to-even would then go up; the true value is below the midpoint.
    a, b, c = np.float32(1 + 2**-15), np.float32(2**-24 - 2**-39), np.float32(1 + 2**-23)
    assert fma32(np.array([a]), b, c)[0] == np.float32(1 + 2**-23)
    assert np.float32(float(a) * float(b) + float(c)) != np.float32(1 + 2**-23)  # the trap
    rng = np.random.default_rng(0)
    x, y, z = (rng.standard_normal(2000).astype(np.float32) for _ in range(3))
    got = fma32(x, y, z)
    want = np.array([nearest_float32(exact_fma(*t)) for t in zip(x, y, z)], dtype=np.float32)
    np.testing.assert_array_equal(got, want)
    assert nearest_float32(exact_fma(a, b, c)) == np.float32(1 + 2**-23)


def test_fma64_is_correctly_rounded():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(3000), rng.standard_normal(3000)
    z = rng.standard_normal(3000) * rng.random(3000) ** 8
    want = np.array([float(exact_fma(*t)) for t in zip(x, y, z)])
    np.testing.assert_array_equal(fma64(x, y, z), want)
