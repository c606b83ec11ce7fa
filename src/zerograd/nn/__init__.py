"""zerograd.nn: modules, parameters, layers, losses, `init` and `functional`, as torch.nn.

Layers and losses are composites of the primitives in `ops/` (see functional.py); nothing in
`ops/` imports this package. This file only re-exports.
"""

from . import functional, init
from .modules import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    HuberLoss,
    Identity,
    L1Loss,
    LeakyReLU,
    Linear,
    LogSoftmax,
    Module,
    ModuleDict,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    SmoothL1Loss,
    Softmax,
    Softplus,
    Tanh,
    Unflatten,
)
from .parameter import Parameter
