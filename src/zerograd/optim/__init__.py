"""zerograd.optim: Optimizer, SGD, Adam, AdamW and `lr_scheduler`, as torch.optim.

This file only re-exports.
"""

from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD
