"""The course lessons (lessons/*.ipynb) are built from their sources and run end to end.

Every notebook is executed in a fresh Jupyter kernel (nbclient + ipykernel, from the `test`
extra) in a scratch folder, offline; any cell that raises fails the test, and so does a failed
`assert` inside a lesson (the lessons check their own numbers, and d2l.train_ch3 checks its
losses and accuracies). Each lesson must also show what it promises: graph drawings (SVG) and,
where the lesson is about derivatives, the evaluation-trace tables.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("*.ipynb"))
MISSING = [m for m in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(m) is None]
needs_jupyter = pytest.mark.skipif(
    bool(MISSING), reason=f"executing notebooks needs {', '.join(MISSING)} "
    "(pip install -e '.[test]' installs them)")

# What each lesson's outputs must contain besides running without error.
TRACE = "Reverse adjoint trace"
EXPECTED: dict[str, list[str]] = {
    "01_data_manipulation": ["tensor([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2])"],
    "02_data_preprocessing": ["dtype=torch.float64"],
    "03_linear_algebra": [TRACE, "Dimension out of range"],
    "04_calculus": [TRACE, "J.shape = (2, 3) (m × n)", "jacrev(y ↦ Ay).shape = (3, 4)"],
    "05_autograd": [TRACE, "1.7163", "v3 = mul(v1, 2) : float32[?]",
                    "FeedError: placeholder 'a' has shape (2, 1) but was fed shape (3,)",
                    "∂²f/∂x1² = -0.2500", "def compiled(", "GuardError:"],
    "06_linear_regression": ["a = 1.3900, b = 0.7500", "max |显式解 − SGD|"],
    "07_linear_regression_scratch": [TRACE],
    "08_linear_regression_concise": [],
    "09_softmax_regression": [TRACE],
}


def test_every_lesson_is_listed_here() -> None:
    assert sorted(p.stem for p in NOTEBOOKS) == sorted(EXPECTED)


def test_notebooks_are_built_from_their_sources() -> None:
    sys.path.insert(0, str(LESSONS))
    try:
        import build
    finally:
        sys.path.remove(str(LESSONS))
    stale = {path.name for path, text in build.targets().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text}
    assert not stale, f"run python lessons/build.py to rebuild {sorted(stale)}"


def _outputs(nb: Any) -> str:
    """All text, HTML and SVG the executed cells produced, joined."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            for kind in ("text/plain", "text/html", "image/svg+xml"):
                data = out.get("data", {}).get(kind)
                if data:
                    parts.append(f"<{kind}>" + ("".join(data) if isinstance(data, list) else data))
    return "\n".join(parts)


@needs_jupyter
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    if path.stem == "09_softmax_regression" and importlib.util.find_spec("sklearn") is None:
        pytest.skip("the softmax lesson's offline digits come with scikit-learn")

    src = str(ROOT / "src")
    monkeypatch.setenv("PYTHONPATH", src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    workdir = tmp_path / "lesson"  # the lessons write ../data, as the book's notebooks do
    workdir.mkdir()
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    shown = _outputs(nb)
    assert "<image/svg+xml>" in shown, "the lesson draws no graph"
    for text in EXPECTED[path.stem]:
        assert text in shown, f"{path.name} should show {text!r}"
