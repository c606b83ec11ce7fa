"""Build the lesson notebooks (lessons/*.ipynb) from their sources (lessons/source/*.py).

A source is in the "percent" format: `# %% [markdown]` starts a Markdown cell written as
comments, `# %%` a code cell; a commented magic (`# %matplotlib inline`) becomes the magic, so
sources stay valid Python for ruff. Notebooks carry no outputs and cell ids follow positions, so
one source always gives the same bytes.
Usage: python lessons/build.py [--check]   (--check: exit 1 if a notebook is out of date)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "source"
_CELL = re.compile(r"^# %%(?: \[(markdown)\])?\s*$")
_MAGIC = re.compile(r"^# (%{1,2}[A-Za-z_]\w*.*)$")


def _lines(text: str) -> list[str]:
    """Jupyter's source format: the lines, each but the last ending in a newline."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + [parts[-1]] if text else []


def cells(source: str) -> list[tuple[str, str]]:
    """(kind, text) for each cell of a percent-format source, in order."""
    out: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        m = _CELL.match(line)
        if m:
            out.append(("markdown" if m.group(1) else "code", []))
        elif out:
            out[-1][1].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"code before the first cell marker: {line!r}")
    result = []
    for kind, body in out:
        if kind == "markdown":
            body = [re.sub(r"^# ?", "", line) if line.startswith("#") else line for line in body]
        else:
            body = [_MAGIC.sub(r"\1", line) for line in body]
        text = "\n".join(body).strip("\n")
        if text:
            result.append((kind, text))
    return result


def notebook(source: str, stem: str) -> dict[str, object]:
    """The nbformat-4.5 notebook (as JSON-ready data) of one source."""
    nb_cells: list[dict[str, object]] = []
    for i, (kind, text) in enumerate(cells(source)):
        cell: dict[str, object] = {"cell_type": kind, "id": f"{stem[:50]}-{i:02d}",
                                   "metadata": {}, "source": _lines(text)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        nb_cells.append(cell)
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(path: Path) -> str:
    """The notebook text for the source at path (what build writes to disk)."""
    nb = notebook(path.read_text(encoding="utf-8"), path.stem.replace("_", "-"))
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def targets() -> dict[Path, str]:
    """Every notebook path and the text it should hold."""
    return {HERE / f"{src.stem}.ipynb": render(src) for src in sorted(SOURCES.glob("*.py"))}


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) every notebook; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report notebooks that differ from their sources")
    args = parser.parse_args(argv)
    stale = []
    for path, text in targets().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("out of date (run python lessons/build.py): " + ", ".join(stale))
        return 1
    if not args.check:
        print(f"{len(stale)} notebook(s) written" + (": " + ", ".join(stale) if stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
