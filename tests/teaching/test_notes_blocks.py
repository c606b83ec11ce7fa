"""The course notes, sections 2.1-2.3 (blocks 0-22: data manipulation, preprocessing, linear
algebra), show the same output under zerograd as under PyTorch: shared/tools/notes_check.py
runs every block notebook-style under both and compares printed text and exception classes.
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
def test_sections_2_1_to_2_3_match_torch() -> None:
    run = subprocess.run([sys.executable, str(TOOL), "--blocks", "0-22"], capture_output=True,
                         text=True, timeout=300)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-4000:]
    assert "23/23 blocks show the same as torch" in report, report[-4000:]
