"""Shared test setup: seeds, Hypothesis profiles, the `device` parameter and skip markers.

Hypothesis profiles: 'ci' (the default: modest example counts, no deadline, so a slow shared
machine does not flake) and 'dev' (more examples); choose with HYPOTHESIS_PROFILE=dev.
`device` runs a test on 'cpu' always and on 'cuda' only where zerograd sees a GPU.
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


DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(
        not _cuda_available(), reason="zerograd.cuda.is_available() is False (no CuPy/GPU)")),
]


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    """'cpu', and 'cuda' where a GPU is usable."""
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
