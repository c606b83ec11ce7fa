"""The course notes' autograd and linear-regression blocks (25-29) show the same under zerograd
as under PyTorch. shared/tools/notes_check.py runs every block notebook-style under both, through
an import hook like `zerograd run`'s; block 29 is the d2l 3.2 data set with `d2l.set_figsize()`
and a `d2l.plt.scatter` plot. (Blocks 0-22 are checked in tests/teaching/test_notes_blocks.py;
23 and 24 are MXNet code, which the tool skips.)
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[3] / "shared" / "tools" / "notes_check.py"
NOTES = TOOL.parent.parent / "seed" / "course-notes.md"


@pytest.mark.skipif(not TOOL.exists() or not NOTES.exists(),
                    reason="the course notes or notes_check.py are not in this checkout")
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch as reference")
@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="block 29 plots with d2l.plt")
def test_blocks_25_to_29_match_torch() -> None:
    text = NOTES.read_text(encoding="utf-8")
    assert "d2l.set_figsize()" in text and "d2l.plt.scatter" in text
    run = subprocess.run([sys.executable, str(TOOL), "--blocks", "25-29"], capture_output=True,
                         text=True, timeout=300)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-4000:]
    assert "5/5 blocks show the same as torch" in report, report[-4000:]
