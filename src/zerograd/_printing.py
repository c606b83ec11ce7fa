"""Tensor repr/str with PyTorch's exact text, and the print options that steer it.

Learners compare their output with the book character by character, so the layout follows
PyTorch 2.13 rule for rule: one width for every element, fixed or scientific notation chosen from
the magnitudes, `1.` for floats that are all integers, `...` past `threshold` elements, rows
wrapped at `linewidth`, and the `device=`/`dtype=`/`grad_fn=` suffixes. This module formats host
arrays only; it knows a Tensor just through a handful of duck-typed attributes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

from ._dtype import bool as bool_
from ._dtype import dtype as DType
from ._dtype import get_default_dtype, int64
from .backend import np, to_host

__all__ = [
    "format_values",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
    "size_repr",
    "tensor_repr",
]

_PREFIX = "tensor("


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

# profile -> (precision, threshold, edgeitems, linewidth), PyTorch's presets.
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, exactly like `torch.set_printoptions`.

    A profile ('default', 'short', 'full') is applied first; explicit arguments override it.
    As in PyTorch, `sci_mode` is always assigned, so any call that omits it resets it to None
    (automatic), and an unknown profile name is silently ignored.

    Example:
        >>> set_printoptions(precision=2)
        >>> get_printoptions()["precision"]
        2
        >>> set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for `set_printoptions`.

    Example:
        >>> get_printoptions()
        {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Change the print options inside a `with` block only.

    Example:
        >>> with printoptions(precision=1):
        ...     get_printoptions()["precision"]
        1
    """
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def size_repr(shape: tuple[int, ...]) -> str:
    """The text of a `torch.Size`, e.g. `torch.Size([3, 4])`.

    Example:
        >>> size_repr((3, 4))
        'torch.Size([3, 4])'
    """
    return "torch.Size([" + ", ".join(str(int(n)) for n in shape) + "])"


# --- element formatting -------------------------------------------------------------------------


class _Formatter:
    """Decides notation and a common width from the values that will be shown."""

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        precision = _OPTS.precision
        flat = values.reshape(-1)
        if not floating:
            if flat.size:
                self.width = max(len(str(v)) for v in flat.tolist())
            return
        # Only finite non-zero values decide the layout: 0, -0, nan and inf fit any notation.
        # A tensor with none of them keeps int_mode and fixed notation even when sci_mode=True.
        chosen = flat[np.isfinite(flat) & (flat != 0)]
        if chosen.size == 0:
            return
        magnitudes = np.abs(chosen)
        lo = float(magnitudes.min())
        hi = float(magnitudes.max())
        self.int_mode = bool(np.all(np.ceil(chosen) == chosen))
        if _OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode
        items = chosen.tolist()
        if self.sci_mode:
            texts = [f"{v:.{precision}e}" for v in items]
            self.width = max(len(s) for s in texts)
        elif self.int_mode:
            # +1 for the trailing '.' that marks a float written without decimals.
            self.width = max(len(f"{v:.0f}") for v in items) + 1
        else:
            self.width = max(len(f"{v:.{precision}f}") for v in items)

    def format(self, value: Any) -> str:
        """One element, right-aligned to the common width (never truncated)."""
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.width}.{_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{_OPTS.precision}f}"
        else:
            text = str(value)
        return text.rjust(self.width)


def _edges(data: np.ndarray, edge: int) -> np.ndarray:
    """The elements a summarised tensor shows: `edge` items at both ends of every long axis."""
    if data.ndim == 0:
        return data
    if edge == 0:
        # PyTorch quirk: with edgeitems=0 a vector keeps all its values (x[-0:] is all of x),
        # while higher-dimensional tensors keep none.
        return data if data.ndim == 1 else data[(slice(0, 0),) * data.ndim]
    for axis, n in enumerate(data.shape):
        if n > 2 * edge:
            keep = np.r_[0:edge, n - edge : n]
            data = np.take(data, keep, axis=axis)
    return data


def _vector(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = _OPTS.edgeitems
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / (fmt.width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = [fmt.format(v) for v in data[:edge].tolist()]
        items.append(" ...")
        items += [fmt.format(v) for v in data[-edge:].tolist()]
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector(data, indent, summarize, fmt)
    edge = _OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * edge:
        head = [_nested(data[i], indent + 1, summarize, fmt) for i in range(edge)]
        tail = [_nested(data[i], indent + 1, summarize, fmt) for i in range(n - edge, n)]
        parts = head + ["..."] + tail
    else:
        parts = [_nested(data[i], indent + 1, summarize, fmt) for i in range(n)]
    # Blocks of a 3-d tensor are separated by one blank line, of a 4-d tensor by two, ...
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _host(data: Any) -> np.ndarray:
    """A NumPy array for host or device data; NumPy scalars (from reductions) become 0-d."""
    if isinstance(data, np.generic):
        return np.asarray(data)
    return np.asarray(to_host(data))


def format_values(data: Any, dtype: DType, indent: int = len(_PREFIX)) -> str:
    """The bracketed values of a tensor as PyTorch lays them out, e.g. `[1., 2.]`.

    `data` is a host (or device) array of any shape and strides; `indent` is the column the
    opening bracket follows (7 for `tensor(`), used for continuation lines and wrapping.

    Example:
        >>> from zerograd._dtype import float32
        >>> format_values(np.arange(4.0).reshape(2, 2), float32)
        '[[0., 1.],\\n        [2., 3.]]'
    """
    data = _host(data)
    if data.size == 0:
        return "[]"
    if dtype.is_floating_point:
        # float64 holds float16/32 exactly and formats like Python floats, as torch's .item() does.
        data = data.astype(np.float64)
    summarize = data.size > _OPTS.threshold
    shown = _edges(data, _OPTS.edgeitems) if summarize else data
    fmt = _Formatter(shown, dtype.is_floating_point)
    return _nested(data, indent, summarize, fmt)


# --- the whole repr -----------------------------------------------------------------------------


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append `, suffix` items, moving one to a new line when the current line would overflow."""
    parts = [text]
    # PyTorch counts the last line two characters long (its length formula is off by two);
    # copying the arithmetic keeps our line breaks where the book has them.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _grad_fn_name(grad_fn: Any) -> str:
    name = grad_fn.name() if hasattr(grad_fn, "name") else type(grad_fn).__name__
    return str(name).rsplit("::", 1)[-1]


def tensor_repr(t: Any) -> str:
    """The full `tensor(...)` text of a Tensor, as `repr(torch_tensor)` prints it.

    Uses `t._data`, `t.dtype`, `t.device`, `t.requires_grad`, `t.grad_fn` and, for dual
    tensors, `t._fw_tangent_for_print`. Suffix order: device, size, dtype, grad_fn or
    requires_grad, tangent.
    """
    data = _host(t._data)
    dtype = t.dtype
    indent = len(_PREFIX)
    suffixes: list[str] = []
    # The default device is the CPU, so only other devices are named.
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    shape = tuple(int(n) for n in data.shape)
    if data.size == 0:
        # No values hint at the dtype, so anything but the default float type is spelled out
        # (int64 and bool included), and so is any shape other than (0,).
        if len(shape) != 1:
            suffixes.append(f"size={shape}")
        if dtype is not get_default_dtype():
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={shape}")
        # Python floats, ints and bools give the default float dtype, int64 and bool.
        if dtype not in (get_default_dtype(), int64, bool_):
            suffixes.append(f"dtype={dtype!r}")
        body = format_values(data, dtype, indent)
    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{_grad_fn_name(grad_fn)}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    tangent = getattr(t, "_fw_tangent_for_print", None)
    if tangent is not None:
        suffixes.append(f"tangent={tensor_repr(tangent)}")
    return _add_suffixes(_PREFIX + body, suffixes, indent)
