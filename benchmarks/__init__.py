"""Benchmarks of zerograd against PyTorch and hand-written NumPy (`python -m benchmarks`)."""
