"""zerograd.d2l: the helper library of the d2l-zh book (the functional d2l 0.17 torch API).

`from zerograd import d2l` gives the book's helpers for 预备知识 through 深度学习计算 with d2l's
signatures and behaviour, on zerograd tensors, plus d2l's alias block (`d2l.ones`,
`d2l.reduce_sum`, ...). Importing it needs NumPy alone: matplotlib (`d2l.plt`), pandas
(`d2l.pd`) and IPython load when a helper first needs them. Plots show inline in Jupyter and are
saved as PNG files elsewhere; data never comes from the network (see data.py and hub.py).
"""

from __future__ import annotations

import importlib
from typing import Any

from .data import (
    get_dataloader_workers,
    get_fashion_mnist_labels,
    load_array,
    load_data_digits,
    load_data_fashion_mnist,
    synthetic_data,
)
from .hub import DATA_HUB, DATA_URL, download, download_all, download_extract
from .plot import (
    Animator,
    figures_dir,
    in_notebook,
    plot,
    set_axes,
    set_figsize,
    show_images,
    use_svg_display,
)
from .timer import Accumulator, Timer
from .train import (
    accuracy,
    evaluate_accuracy,
    evaluate_loss,
    linreg,
    predict_ch3,
    sgd,
    squared_loss,
    train_ch3,
    train_epoch_ch3,
    try_all_gpus,
    try_gpu,
)

# d2l's alias block: framework functions under framework-neutral names. They resolve on first
# access, so a name zerograd lacks fails with zerograd's "does not implement torch.X yet".
_ALIASES = {
    "ones": "ones", "zeros": "zeros", "tensor": "tensor", "arange": "arange",
    "meshgrid": "meshgrid", "sin": "sin", "sinh": "sinh", "cos": "cos", "cosh": "cosh",
    "tanh": "tanh", "linspace": "linspace", "exp": "exp", "log": "log", "normal": "normal",
    "rand": "rand", "randn": "randn", "matmul": "matmul", "int32": "int32",
    "float32": "float32", "concat": "cat", "stack": "stack", "abs": "abs", "eye": "eye",
}

# Third-party modules d2l exposes as attributes, imported on first access.
_LAZY_MODULES = {"plt": "matplotlib.pyplot", "pd": "pandas", "display": "IPython.display"}
# The framework modules d2l's torch module imports (torch, nn, F), here zerograd's own.
_LAZY_ZEROGRAD = {"torch": "zerograd", "nn": "zerograd.nn", "F": "zerograd.nn.functional"}


def numpy(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.detach().numpy(): a NumPy array of a tensor."""
    return x.detach().numpy(*args, **kwargs)


def size(x: Any, *args: Any, **kwargs: Any) -> int:
    """x.numel(): the number of elements."""
    return x.numel(*args, **kwargs)


def reshape(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.reshape(...)."""
    return x.reshape(*args, **kwargs)


def to(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.to(...)."""
    return x.to(*args, **kwargs)


def reduce_sum(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.sum(...)."""
    return x.sum(*args, **kwargs)


def reduce_mean(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.mean(...)."""
    return x.mean(*args, **kwargs)


def argmax(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.argmax(...)."""
    return x.argmax(*args, **kwargs)


def astype(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.type(dtype): a copy converted to dtype."""
    return x.type(*args, **kwargs)


def transpose(x: Any, *args: Any, **kwargs: Any) -> Any:
    """x.t(): the transpose of a matrix."""
    return x.t(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name in _ALIASES:
        import zerograd

        return getattr(zerograd, _ALIASES[name])
    if name in _LAZY_MODULES:
        if name == "plt":
            from .plot import _pyplot

            return _pyplot()
        return importlib.import_module(_LAZY_MODULES[name])
    if name in _LAZY_ZEROGRAD:
        return importlib.import_module(_LAZY_ZEROGRAD[name])
    if name == "nn_Module":
        from ..nn import Module

        return Module
    raise AttributeError(f"module 'zerograd.d2l' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ALIASES) | set(_LAZY_MODULES) | set(_LAZY_ZEROGRAD)
                  | {"nn_Module"})


__all__ = [
    "use_svg_display", "set_figsize", "set_axes", "plot", "Timer", "synthetic_data", "linreg",
    "squared_loss", "sgd", "load_array", "get_fashion_mnist_labels", "show_images",
    "get_dataloader_workers", "load_data_fashion_mnist", "load_data_digits", "accuracy",
    "evaluate_accuracy", "Accumulator", "train_epoch_ch3", "Animator", "train_ch3",
    "predict_ch3", "evaluate_loss", "DATA_HUB", "DATA_URL", "download", "download_extract",
    "download_all", "try_gpu", "try_all_gpus", "figures_dir", "in_notebook",
    "numpy", "size", "reshape", "to", "reduce_sum", "reduce_mean", "argmax", "astype",
    "transpose",
]  # fmt: skip
