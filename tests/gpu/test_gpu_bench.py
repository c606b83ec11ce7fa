"""benchmarks/gpu_bench.py's workloads run on zerograd's CUDA path and agree with torch.

The benchmark itself needs a real GPU (benchmarks/gpu_check.sh runs it); here each workload
runs a few units on the `cuda` fixture (the fake CuPy on CI) and on torch's CPU, so the
script a GPU session runs in one go is known to work before that session starts.
"""

from __future__ import annotations

import numpy as np
import pytest
from benchmarks import gpu_bench

import zerograd

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("case", gpu_bench.CASES, ids=[c[0] for c in gpu_bench.CASES])
def test_workload_runs_on_cuda_and_matches_torch(case: tuple, cuda: str) -> None:
    name, make = case[0], case[4]
    if name.startswith("matmul"):
        make = lambda m, d: gpu_bench.matmul(m, d, n=64)  # noqa: E731 - small on a CPU
    if name.endswith("(1000,1000)"):
        make = lambda m, d: gpu_bench.op_overhead(m, d, (50, 40))  # noqa: E731
    z_unit, z_result = make(zerograd, cuda)
    t_unit, t_result = make(torch, "cpu")
    for _ in range(2):
        z_unit()
        t_unit()
    np.testing.assert_allclose(np.asarray(z_result(), dtype=float),
                               np.asarray(t_result(), dtype=float), rtol=2e-4, atol=1e-5)
