"""docs/derivatives.md is generated from the registry and must match it."""

from __future__ import annotations

from pathlib import Path

from zerograd.ops import PRIMITIVES
from zerograd.ops.table import derivative_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "derivatives.md"


def test_docs_table_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf8") == derivative_table(), (
        "docs/derivatives.md is stale: run `python -m zerograd.ops.table > docs/derivatives.md`"
    )


def test_every_primitive_states_its_maths() -> None:
    for name, cls in PRIMITIVES.items():
        doc = (cls.__doc__ or "").strip()
        opening = ("out", "(", "X", "L", "A")
        assert doc.startswith(opening), f"{name}: docstring must open with the maths"
        assert "VJP" in doc, f"{name}: docstring must state the VJP"
