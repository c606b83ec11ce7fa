"""Setup for the d2l helper tests: a headless matplotlib, and every test in its own folders.

Each test runs with the working directory in a fresh temporary tree (so d2l's relative
`../data` lands there), figures saved under it, and no $ZEROGRAD_DATA or mirror set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before anything imports matplotlib


@pytest.fixture(autouse=True)
def _d2l_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """cwd = tmp/work, figures in tmp/figures, data env variables cleared."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("ZEROGRAD_FIGURES", str(tmp_path / "figures"))
    monkeypatch.delenv("ZEROGRAD_DATA", raising=False)
    monkeypatch.delenv("ZEROGRAD_DATA_MIRROR", raising=False)
    yield tmp_path
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
