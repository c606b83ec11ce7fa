"""Plain tables for the trace: aligned text (Chinese characters count double, combining marks
such as the dot of v̇ count zero), GitHub Markdown, and HTML for Jupyter. Only layout lives
here; what goes into the cells is decided by _trace.py.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html import escape


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (CJK) characters 2, combining marks 0."""
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


@dataclass
class Table:
    """A titled table: header cells, rows of cells, and which columns hold numbers."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)  # right-aligned columns

    def text(self) -> str:
        """Aligned plain text, with a rule under the header."""
        widths = [display_width(h) for h in self.header]
        for r in self.rows:
            widths = [max(w, display_width(c)) for w, c in zip(widths, r)]

        def line(cells: list[str]) -> str:
            return "  ".join(_pad(c, w, i in self.numeric)
                             for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([self.title, line(self.header), rule, *(line(r) for r in self.rows)])

    def markdown(self) -> str:
        """A GitHub-flavoured Markdown table under a bold title."""
        def row(cells: list[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        align = ["---:" if i in self.numeric else ":---" for i in range(len(self.header))]
        return "\n".join([f"**{self.title}**", "", row(self.header),
                          "| " + " | ".join(align) + " |", *(row(r) for r in self.rows)])

    def html(self) -> str:
        """An HTML table with a caption (what Jupyter shows)."""
        def cell(tag: str, c: str, i: int) -> str:
            style = ' style="text-align:right"' if i in self.numeric else ""
            return f"<{tag}{style}>{escape(c)}</{tag}>"

        head = "".join(cell("th", h, i) for i, h in enumerate(self.header))
        body = "".join("<tr>" + "".join(cell("td", c, i) for i, c in enumerate(r)) + "</tr>"
                       for r in self.rows)
        return (f"<table><caption style=\"text-align:left\"><b>{escape(self.title)}</b>"
                f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
