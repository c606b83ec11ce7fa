"""zerograd.func: torch.func's composable function transforms (grad, vjp, jvp, jacrev, jacfwd,
hessian). They are built on the same engine as `backward()` and on forward-mode dual tensors;
see func/_transforms.py. There is no vmap: Jacobians loop over basis vectors.
"""

from __future__ import annotations

from ._transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp

__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "vjp"]
