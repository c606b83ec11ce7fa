"""zerograd.sym: explicit (define-then-run) graphs built from the same primitives as eager mode.

`var` and `const` start a graph; expressions on them (the usual tensor operators and zerograd
functions) record primitive applications; `Graph` prints the numbered listing, draws, and runs
with checked feeds. `grad`/`jvp` build derivative graphs with each primitive's own rules;
`optimize` folds constants, merges common subexpressions and drops dead nodes; `compile` turns
a graph into Python source over arrays; `trace` captures an eager function, `compare` sets
graphs side by side.
"""

from __future__ import annotations

from .compile import Compiled, compile
from .grad import grad, jvp
from .graph import FeedError, Graph
from .node import Sym, const, var
from .optimize import cse, dce, fold_constants, optimize
from .trace import Comparison, compare, trace
from .value import GuardError, SymbolicError

__all__ = ["Comparison", "Compiled", "FeedError", "Graph", "GuardError", "Sym", "SymbolicError",
           "compare", "compile", "const", "cse", "dce", "fold_constants", "grad", "jvp",
           "optimize", "trace", "var"]
