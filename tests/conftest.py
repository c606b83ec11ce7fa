"""Shared test setup: seeds, Hypothesis profiles, the `device` parameter and skip markers.

Hypothesis profiles: 'ci' (the default: modest example counts, no deadline, so a slow shared
machine does not flake) and 'dev' (more examples); choose with HYPOTHESIS_PROFILE=dev.
`device` runs a test on 'cpu' and on 'cuda': a real GPU, or else a NumPy-backed fake CuPy.
`requires_torch` skips a module or test where PyTorch (the oracle) is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))  # so tests can `import op_db`

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=True, print_blob=True,
)
settings.register_profile(
    "dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HAS_TORCH = importlib.util.find_spec("torch") is not None
requires_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch (the test oracle) is absent")


def _cuda_available() -> bool:
    import zerograd

    try:
        return bool(zerograd.cuda.is_available())
    except Exception:  # a broken CuPy install means no GPU for these tests
        return False


#: A real GPU (CuPy sees one), else the NumPy-backed fake CuPy (tests/fake_cupy.py) so that the
#: CUDA code paths run on CI too; ZEROGRAD_FAKE_CUDA=0 turns the fake off (then 'cuda' cases
#: skip), ZEROGRAD_REQUIRE_CUDA=1 makes a missing real GPU an error (benchmarks/gpu_check.sh).
REAL_CUDA = _cuda_available()
FAKE_CUDA = not REAL_CUDA and os.environ.get("ZEROGRAD_FAKE_CUDA", "1") != "0"
if os.environ.get("ZEROGRAD_REQUIRE_CUDA") == "1" and not REAL_CUDA:
    raise pytest.UsageError("ZEROGRAD_REQUIRE_CUDA=1 but zerograd.cuda.is_available() is False")
requires_cuda = pytest.mark.skipif(
    not (REAL_CUDA or FAKE_CUDA),
    reason="zerograd.cuda.is_available() is False (no CuPy/GPU) and ZEROGRAD_FAKE_CUDA=0")

DEVICES = ["cpu", pytest.param("cuda", marks=requires_cuda)]


@pytest.fixture
def cuda() -> Iterator[str]:
    """'cuda': the real GPU where there is one, else the fake CuPy for this test's duration."""
    if REAL_CUDA:
        yield "cuda"
        return
    if not FAKE_CUDA:
        pytest.skip("zerograd.cuda.is_available() is False (no CuPy/GPU) and ZEROGRAD_FAKE_CUDA=0")
    import fake_cupy

    with fake_cupy.installed():
        yield "cuda"


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    """'cpu', and 'cuda' (a real GPU, or the fake CuPy: see `cuda`)."""
    if request.param == "cuda":
        return str(request.getfixturevalue("cuda"))
    return str(request.param)


@pytest.fixture(autouse=True)
def _seed() -> Iterator[None]:
    """Every test starts from the same seeds, and leaves global state as it found it."""
    import zerograd

    random.seed(0)
    np.random.seed(0)
    zerograd.manual_seed(0)
    default = zerograd.get_default_dtype()
    yield
    zerograd.set_default_dtype(default)
    if HAS_TORCH:
        import torch

        torch.manual_seed(0)
        torch.set_default_dtype(torch.float32)
