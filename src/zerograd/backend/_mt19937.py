"""PyTorch's CPU Mersenne Twister and generator state, vectorised with NumPy.

`MT19937` is ATen's `at::mt19937` (32-bit outputs; a 64-bit draw is two outputs, the first
one high) and `CPUGeneratorState` is `at::CPUGeneratorImpl`: the engine, the cached second
Box-Muller sample, and the 5056-byte state layout of torch.get_rng_state(). Distributions
that consume it live in `cpu_random`.
"""

from __future__ import annotations

import struct

import numpy as np

_N, _M = 624, 397  # MT19937 state size and middle offset
_LAG = _N - _M  # 227: how far back the twist's XOR reaches
_UPPER, _LOWER = np.uint32(0x80000000), np.uint32(0x7FFFFFFF)
_MATRIX_A = np.uint32(0x9908B0DF)
_STATE_BYTES = 5056  # sizeof(at::CPUGeneratorImplState) on 64-bit platforms
DEFAULT_SEED = 67280421310721  # c10::detail::default_rng_seed_val: a fresh Generator's seed


class MT19937:
    """torch's Mersenne Twister: 32-bit outputs, 64-bit draws as (first << 32) | second."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        """Seed like at::mt19937: only the low 32 bits enter the state; all 64 are remembered."""
        self.seed = seed & 0xFFFFFFFFFFFFFFFF
        state = np.empty(_N, dtype=np.uint32)
        x = seed & 0xFFFFFFFF
        state[0] = x
        for j in range(1, _N):
            x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
            state[j] = x
        self.state = state
        # torch keeps `left` = outputs left + 1 and `next` = index of the next output; a fresh
        # engine has left=1, so the very first draw twists.
        self.left, self.next, self.seeded = 1, 0, True

    def random32(self, n: int) -> np.ndarray:
        """The next n 32-bit outputs (CPUGeneratorImpl::random), as uint32."""
        parts = []
        take = max(min(n, self.left - 1, _N - self.next), 0)
        if take:
            parts.append(self.state[self.next : self.next + take])
            self.next += take
            self.left -= take
        rest = n - take
        if rest:
            blocks = -(-rest // _N)
            stream = _twist(self.state, blocks)
            parts.append(stream[:rest])
            self.state = stream[-_N:].copy()
            self.next = rest - _N * (blocks - 1)
            self.left = _N + 1 - self.next
        if not parts:
            return np.empty(0, dtype=np.uint32)
        return _temper(np.concatenate(parts) if len(parts) > 1 else parts[0].copy())

    def random64(self, n: int) -> np.ndarray:
        """The next n 64-bit draws (CPUGeneratorImpl::random64): two outputs, first one high."""
        pairs = self.random32(2 * n).astype(np.uint64)
        return (pairs[0::2] << np.uint64(32)) | pairs[1::2]


def _twist(state: np.ndarray, blocks: int) -> np.ndarray:
    """The next `blocks` * 624 untempered words after `state`, one 624-word block at a time.

    Word i of a new block is x[i + 397] ^ A(prev[i], prev[i + 1]), where x[i + 397] lies in the
    previous block for i < 227 and in this block (at i - 227) after that. The A(...) terms read
    only the previous block (all but the last), so a block costs one vector op for them and
    three for the lagged XORs, instead of 624 steps.
    """
    buf = np.empty(_N * (blocks + 1), dtype=np.uint32)
    buf[:_N] = state
    one = np.uint32(1)
    for b in range(1, blocks + 1):
        prev, new = buf[(b - 1) * _N : b * _N], buf[b * _N : (b + 1) * _N]
        lo = prev[1:]
        a_terms = (((prev[:-1] & _UPPER) | (lo & _LOWER)) >> one) ^ ((lo & one) * _MATRIX_A)
        np.bitwise_xor(prev[_M:], a_terms[:_LAG], out=new[:_LAG])
        np.bitwise_xor(new[:_LAG], a_terms[_LAG : 2 * _LAG], out=new[_LAG : 2 * _LAG])
        np.bitwise_xor(new[_LAG : _N - 1 - _LAG], a_terms[2 * _LAG :], out=new[2 * _LAG : _N - 1])
        # The last word pairs prev[623] with this block's first word.
        y = (int(prev[-1]) & 0x80000000) | (int(new[0]) & 0x7FFFFFFF)
        new[-1] = int(new[_M - 1]) ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
    return buf[_N:]


def _temper(y: np.ndarray) -> np.ndarray:
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


class CPUGeneratorState:
    """Everything at::CPUGeneratorImpl holds: the engine and the cached Box-Muller samples."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.engine = MT19937(seed)
        self.next_double_normal: float | None = None
        self.next_float_normal: float | None = None

    def manual_seed(self, seed: int) -> None:
        """Reseed and forget the cached normal samples (CPUGeneratorImpl::set_current_seed)."""
        self.engine.reseed(seed)
        self.next_double_normal = None
        self.next_float_normal = None

    def to_bytes(self) -> np.ndarray:
        """The state as torch.get_rng_state() lays it out: 5056 uint8 (CPUGeneratorImplState)."""
        e = self.engine
        buf = bytearray(_STATE_BYTES)
        struct.pack_into("<QiiQ", buf, 0, e.seed, e.left, int(e.seeded), e.next)
        buf[24 : 24 + 8 * _N] = e.state.astype("<u8").tobytes()
        # normal_x and normal_rho are dead legacy fields; torch writes zeros there.
        normal_y = self.next_double_normal if self.next_double_normal is not None else 0.0
        struct.pack_into(
            "<dddi", buf, 5016, 0.0, normal_y, 0.0, self.next_double_normal is not None
        )
        normal_f = self.next_float_normal if self.next_float_normal is not None else 0.0
        struct.pack_into("<f?", buf, 5048, normal_f, self.next_float_normal is not None)
        return np.frombuffer(bytes(buf), dtype=np.uint8).copy()

    def from_bytes(self, data: np.ndarray) -> None:
        """Load a state made by `to_bytes` or torch.get_rng_state(); validated like torch."""
        raw = np.ascontiguousarray(data, dtype=np.uint8).tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the input "
                f"RNG state size to be {len(raw)}"
            )
        seed, left, seeded, nxt = struct.unpack_from("<QiiQ", raw, 0)
        nxt &= 0xFFFFFFFF  # torch narrows `next` to uint32
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        words = np.frombuffer(raw, dtype="<u8", count=_N, offset=24)
        engine = MT19937.__new__(MT19937)
        engine.state = words.astype(np.uint32)  # torch copies the uint64 slots into uint32s
        engine.seed, engine.left, engine.next, engine.seeded = seed, left, nxt, True
        self.engine = engine
        _, normal_y, _, normal_valid = struct.unpack_from("<dddi", raw, 5016)
        normal_f, float_valid = struct.unpack_from("<f?", raw, 5048)
        self.next_double_normal = normal_y if normal_valid else None
        self.next_float_normal = normal_f if float_valid else None
