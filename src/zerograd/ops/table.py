"""The primitive registry as a Markdown table: each op's forward, VJP and JVP in one row.

`python -m zerograd.ops.table > docs/derivatives.md` regenerates the table in the docs; a
test checks that the committed file is up to date, so the docs never drift from the code.
"""

from __future__ import annotations

import inspect

from . import PRIMITIVES


def _maths(cls: type) -> str:
    """The docstring's first paragraph, on one line (the op's maths)."""
    doc = inspect.getdoc(cls) or ""
    first = doc.split("\n\n")[0]
    return " ".join(first.split()).replace("|", "\\|")


def derivative_table() -> str:
    """Every registered primitive with its PyTorch node name, module and maths."""
    lines = [
        "# Derivatives of zerograd's primitives",
        "",
        "Generated from `zerograd.ops.PRIMITIVES` by `python -m zerograd.ops.table`; do not "
        "edit by hand.",
        f"There are {len(PRIMITIVES)} primitives; everything else in zerograd is built from "
        "them, so its gradients (both modes) come from this table.",
        "",
        "| op | grad_fn | module | forward, VJP (reverse mode), JVP (forward mode) |",
        "|---|---|---|---|",
    ]
    for name, cls in PRIMITIVES.items():
        module = cls.__module__.rsplit(".", 1)[-1]
        lines.append(f"| `{name}` | `{cls.grad_fn_name}` | {module} | {_maths(cls)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(derivative_table(), end="")
