"""zerograd.autograd: reverse mode (`backward`, `grad`), custom `Function`s, grad modes,
anomaly detection; forward mode lives in `forward_ad`, Jacobians and friends in `functional`,
numerical checks in `gradcheck`.
"""

from __future__ import annotations

import importlib
from typing import Any

from .engine import backward, grad
from .function import PRIMITIVES, Function, FunctionCtx, Primitive
from .grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)

# Imported eagerly, as torch does: the function names then shadow the submodule for good
# (a lazy import would let the import system rebind `autograd.gradcheck` to the module).
from .gradcheck import gradcheck, gradgradcheck
from .graph import Node

__all__ = [
    "PRIMITIVES", "Function", "FunctionCtx", "Node", "Primitive", "backward", "detect_anomaly",
    "enable_grad", "grad", "gradcheck", "gradgradcheck", "inference_mode", "is_anomaly_enabled",
    "is_grad_enabled", "no_grad", "set_detect_anomaly", "set_grad_enabled", "forward_ad",
    "functional",
]

_LAZY = {"forward_ad", "functional", "graph"}


def __getattr__(name: str) -> Any:
    # Submodules load on first use.
    if name in _LAZY:
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'zerograd.autograd' has no attribute '{name}'")
