"""Primitive (the internal op: forward on arrays, VJP and JVP in Tensor ops) and Function.

A primitive is one class: `forward` computes on backend arrays; `backward` (the VJP) and `jvp`
are written with zerograd Tensor operations, so they are differentiable themselves. Each
concrete primitive registers itself in `PRIMITIVES` when its class is defined; everything that
needs the list of ops (engine, forward mode, graph labels, tests) reads it from there.

`apply` is the one place that runs a primitive: it computes the output, and, only when an input
requires grad, records the node (inputs, saved tensors); when an input carries a forward-mode
tangent, it computes the output's tangent at once with the `jvp` rule. The user-facing
`Function` (custom ops with `ctx`) is built on the same node machinery.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import ref as _weakref

from .._device import CPU, device_of, mismatch_error
from ..backend import cuda_in_use, device_types, is_device_array, multi_gpu, namespace_of, np
from .grad_mode import enable_grad, forward_state, no_grad, state
from .graph import Node, grad_accumulator

if TYPE_CHECKING:
    from .._tensor import Tensor

PRIMITIVES: dict[str, type[Primitive]] = {}

# Note [Recording hook]: zerograd.sym builds explicit graphs out of these same primitives. While
# it records, `apply_hook(cls, inputs, arrays, params)` sees every application before it runs
# and returns its result (having run it and written it down) or None (nothing symbolic: run it
# as usual). When no graph is being recorded it is None, and costs one global lookup per op.
apply_hook: Any = None
_new = object.__new__
_generic = np.generic  # NumPy returns scalars, not 0-d arrays, from ops on 0-d arrays


class Primitive(Node):
    """An operation with a forward kernel on arrays and VJP/JVP rules in Tensor ops.

    Subclasses set `op_name` (registry key), `grad_fn_name` (PyTorch's, e.g. 'MulBackward0'),
    `save_inputs` (indices of inputs the rules need) and `save_output`. Keyword parameters of
    `apply` become attributes of the node before `forward` runs (`self.dim`), and `forward` may
    stash more (shapes, masks) for the rules.
    """

    op_name: ClassVar[str]
    save_inputs: ClassVar[tuple[int, ...]] = ()
    save_output: ClassVar[bool] = False
    n_outputs: ClassVar[int] = 1  # how many arrays forward returns (a tuple when > 1)
    n_diff_outputs: ClassVar[int] = 1  # the first ones are differentiable; the rest are not
    is_view: ClassVar[bool] = False  # output may share storage with input 0
    differentiable: ClassVar[bool] = True  # False: gradient is zero (floor, sign, ...)
    _saved: Any = ()  # None once released by a backward pass

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "op_name" in cls.__dict__:
            if cls.op_name in PRIMITIVES:
                raise RuntimeError(f"primitive {cls.op_name!r} registered twice")
            PRIMITIVES[cls.op_name] = cls

    # --- the three rules ----------------------------------------------------------------------

    def forward(self, *arrays: Any) -> Any:
        """Compute the output array(s) from input arrays (and parameters on self)."""
        raise NotImplementedError

    def backward(self, *grads: Tensor) -> Any:
        """VJP: gradients for each input, given one gradient per differentiable output."""
        raise NotImplementedError(f"{self.name()} has no backward rule yet")

    def jvp(self, *tangents: Tensor) -> Any:
        """JVP: the output tangent(s), given one tangent per input (zeros where missing)."""
        raise NotImplementedError(f"{self.name()} has no forward-mode rule yet")

    vjp = backward

    # --- running ------------------------------------------------------------------------------

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run the primitive on tensors (or Python numbers) and record it for autograd."""
        arrays = [x._data if isinstance(x, _Tensor) else x for x in inputs]
        return _apply(cls, inputs, arrays, params)

    # --- saved tensors ------------------------------------------------------------------------

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What forward saved for the rules, checked against later in-place changes."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        out = []
        for t, version in saved:
            if type(t) is _OutputMarker:
                t = self._saved_output(version, t.index)
            elif version is not None and t._vc[0] != version:
                _raise_modified(t, version, self)
            out.append(t)
        return tuple(out)

    def _saved_output(self, version: int, index: int = 0) -> Tensor:
        # The output is kept as an array (not the Tensor) so that out -> node -> out is no
        # reference cycle: the intermediate dies as soon as the user drops it.
        arr, vc, fw = self._out, self._out_vc, self.__dict__.get("_out_fw")
        if type(arr) is tuple:  # a multi-output op saved each differentiable output
            arr, vc, fw = arr[index], vc[index], fw[index] if fw is not None else None
        if vc[0] != version:
            t = _Tensor._make(arr)
            t._vc = vc
            t.grad_fn, t._output_nr = self, index  # so the message names this op's output
            _raise_modified(t, version, self)
        t = _Tensor._make(arr)
        t._vc = vc
        if getattr(self, "next_functions", None) is not None:  # in a graph, not forward-only
            t.requires_grad = True
            t.grad_fn = self
            if index:
                t._output_nr = index
        # Forward-over-reverse: the rules that read the output also need its tangent.
        t._fw = fw
        return t

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input: does the backward pass need a gradient for it?"""
        return tuple(n is not None for n, _ in self.next_functions)


class _OutputMarker:
    """Stands in the saved list for the op's own output number `index`."""

    def __init__(self, index: int = 0) -> None:
        self.index = index


_OUTPUT = _OutputMarker()


def _raise_modified(t: Tensor, version: int, node: Node) -> None:
    kind = {"float32": "Float", "float64": "Double", "float16": "Half"}.get(t.dtype.name, "")
    producer = (
        f"output {t._output_nr} of {t.grad_fn.name()}" if t.grad_fn is not None else "a leaf"
    )
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{kind}Tensor [{', '.join(map(str, t.shape))}]], which is "
        f"{producer}, is at version {t._vc[0]}; expected version {version} instead "
        f"(it was saved by {node.name()}). Hint: clone the tensor before changing it in place "
        "(`y = y.clone()`), or use the out-of-place form (`y = y + 1` instead of `y += 1`)."
    )


def _apply(cls: type[Primitive], inputs: Sequence[Any], arrays: Sequence[Any],
           params: dict[str, Any]) -> Any:
    """Run `cls` on `arrays`; wrap the result; record the node when a gradient is needed.

    This is the hot path of every operation, so the common case (no gradient needed, no
    forward-mode tangent, one output) returns early.
    """
    if apply_hook is not None:  # Note [Recording hook]
        recorded = apply_hook(cls, inputs, arrays, params)
        if recorded is not None:
            return recorded
    if cuda_in_use[0]:  # Note [One device]
        arrays = one_device(inputs, arrays)
    node = _new(cls)
    node.__dict__ = params  # keyword parameters become attributes the rules can read
    out = node.forward(*arrays)

    needs_grad = False
    if state.enabled:
        for x in inputs:
            if isinstance(x, _Tensor) and x.requires_grad:
                needs_grad = True
                break
    if cls.n_outputs == 1:
        if isinstance(out, _generic):
            out = np.asarray(out)
        result = _wrap(out)
        if cls.is_view:
            _mark_view(result, inputs[0], node)
        if not needs_grad and forward_state.level is None:
            return result
        outs: tuple[Tensor, ...] = (result,)
    else:
        outs = tuple(_wrap(np.asarray(o) if isinstance(o, _generic) else o) for o in out)
        result = outs
    dual = forward_state.level is not None and any(
        isinstance(x, _Tensor) and x._fw is not None for x in inputs
    )
    if not (needs_grad or dual):
        return result

    _save(node, cls, inputs, outs)
    if needs_grad:
        _record(node, cls, inputs, outs)
    if dual:
        _forward_tangents(node, inputs, outs)
    if state.tracer is not None:  # viz.trace records the primitives a function applies
        state.tracer(node, inputs, result)
    return result


def _record(node: Primitive, cls: type[Primitive], inputs: Sequence[Any],
            outs: tuple[Tensor, ...]) -> None:
    """Link the node into the graph: edges to the inputs, and the outputs' grad_fn."""
    edges = []
    meta = None
    out = outs[0]._data
    shape, dtype = out.shape, out.dtype
    i = 0
    for x in inputs:
        if isinstance(x, _Tensor) and x.requires_grad:
            fn = x.grad_fn
            if fn is not None:
                edges.append((fn, x._output_nr))
            else:
                acc = x._grad_acc
                edges.append((acc if acc is not None else grad_accumulator(x), 0))
            a = x._data
            # The engine sums/casts a gradient back only where the input differs from the
            # output (Note [Broadcasting in backward]); no entry means "nothing to undo".
            if a.shape != shape or not (a.dtype is dtype or a.dtype == dtype):
                if meta is None:
                    meta = [None] * len(inputs)
                meta[i] = (a.shape, a.dtype)
        else:
            edges.append(_NO_EDGE)
        i += 1
    if cuda_in_use[0]:
        if meta is None:
            meta = [None] * len(inputs)
        _note_devices(node, inputs, out, meta)
    node.next_functions = tuple(edges)
    node._in_meta = meta
    if len(outs) == 1:
        o = outs[0]
        o.requires_grad = True
        o.grad_fn = node
    else:
        if cls.n_diff_outputs > 1:  # the engine makes zeros for outputs that got no gradient
            node._out_meta = tuple((o._data,) for o in outs)
        for i in range(cls.n_diff_outputs):
            o = outs[i]
            o.requires_grad = True
            o.grad_fn = node
            if i:
                o._output_nr = i
    if state.anomaly:
        node._trace = "".join(traceback.format_stack()[:-3])


_NO_EDGE = (None, 0)

# Note [One device]: a primitive computes on one device. Its array inputs must all live there,
# or PyTorch's RuntimeError names the two devices; the one exception, as in PyTorch, is a 0-d
# CPU tensor, which joins CUDA operands as a scalar would (it is copied over). Its gradient goes
# back to the CPU: `_note_devices` marks such inputs and the engine moves their gradient where
# it casts and sums it (Note [Broadcasting in backward]). With several GPUs, the kernel runs on
# the GPU its data lives on (CuPy runs kernels on its current device, so we switch it). None of
# this runs until a CUDA array may exist (`cuda_in_use`): CPU-only programs do not pay for it.


def one_device(inputs: Sequence[Any], arrays: Sequence[Any]) -> Any:
    """`arrays` on one device (0-d CPU arrays copied to the CUDA one), or torch's error naming
    the first two devices in operand order."""
    host = gpu = False
    kinds = device_types[0]
    for a in arrays:  # the common cases first: all on the CPU, or all on the one GPU
        if isinstance(a, np.ndarray):
            host = True
        elif isinstance(a, kinds):
            gpu = True
    if not gpu or not (host or multi_gpu[0]):
        return arrays
    first = None
    for a in arrays:
        if isinstance(a, np.ndarray):
            if not a.ndim:
                continue  # a CPU scalar goes wherever the others are
            dev = CPU
        elif isinstance(a, kinds):
            dev = device_of(a)
        else:
            continue  # a Python number, None, ...
        if first is None:
            first = dev
        elif dev != first:
            raise mismatch_error(first, dev)
    if first is None or first.type == "cpu":
        return arrays
    if multi_gpu[0]:  # CuPy computes on its current device: make it the data's
        from ..backend import cuda

        cuda().set_kernel_device(first.index)
    return tuple(_to_cuda(a, first.index) if isinstance(a, np.ndarray) else a for a in arrays)


def onto(dest: Any, arr: Any) -> Any:
    """`arr` ready to be written into `dest` (in-place ops, setitem): on dest's device, a 0-d
    CPU array copied over; torch's error otherwise (Note [One device])."""
    if not (isinstance(arr, np.ndarray) or is_device_array(arr)):
        return arr  # a Python number
    d, s = device_of(dest), device_of(arr)
    if d == s:
        return arr
    if s.type == "cpu" and not arr.ndim:
        return _to_cuda(arr, d.index)
    raise mismatch_error(d, s)


def _to_cuda(a: Any, index: int) -> Any:
    from ..backend import cuda

    return cuda().to_device(a, index)


def _note_devices(node: Primitive, inputs: Sequence[Any], out: Any, meta: list[Any]) -> None:
    """Mark inputs that live on another device than the output (Note [One device])."""
    out_host = isinstance(out, np.ndarray)
    moved = None
    for i, x in enumerate(inputs):
        if isinstance(x, _Tensor) and x.requires_grad:
            a = x._data
            if isinstance(a, np.ndarray) is not out_host or (
                    multi_gpu[0] and not out_host and device_of(a) != device_of(out)):
                moved = moved or {}
                moved[i] = device_of(a)
                if meta[i] is None:
                    meta[i] = (a.shape, a.dtype)
    if moved:
        node._in_dev = moved


def _mark_view(out: Tensor, source: Any, node: Primitive) -> None:
    """If `out` shares `source`'s storage: share its version counter and base, and remember
    how it was made (in-place writes into a view replay that to update the base's history)."""
    a, s = out._data, source._data
    b = a.base
    if b is not None and (b is s or b is s.base):
        out._vc = source._vc
        out._base = source._base if source._base is not None else source
        out._extra = {"view": (node, source)}


def _save(node: Primitive, cls: type[Primitive], inputs: Sequence[Any],
          outs: tuple[Tensor, ...]) -> None:
    saved = []
    for i in cls.save_inputs:
        x = inputs[i]
        saved.append((x, x._vc[0]) if isinstance(x, _Tensor) else (x, None))
    if cls.save_output and cls.n_outputs == 1:
        out = outs[0]
        node._out = out._data
        node._out_vc = out._vc
        saved.append((_OUTPUT, out._vc[0]))
    elif cls.save_output:  # multi-output (eigh, svd, qr): every differentiable output
        kept = outs[: cls.n_diff_outputs]
        node._out = tuple(o._data for o in kept)
        node._out_vc = tuple(o._vc for o in kept)
        saved.extend((_OutputMarker(i), o._vc[0]) for i, o in enumerate(kept))
    if saved:
        node._saved = tuple(saved)


def _edge(x: Any) -> tuple[Node | None, int]:
    """The (node, output_nr) an input's gradient flows to."""
    if not isinstance(x, _Tensor) or not x.requires_grad:
        return (None, 0)
    if x.grad_fn is not None:
        return (x.grad_fn, x._output_nr)
    return (grad_accumulator(x), 0)


def _forward_tangents(node: Primitive, inputs: Sequence[Any], outs: tuple[Tensor, ...]) -> None:
    """Forward mode: compute the output tangent(s) now, from the inputs' tangents."""
    tangents = []
    for x in inputs:
        if not isinstance(x, _Tensor):
            tangents.append(0.0)
        elif x._fw is not None:
            tangents.append(x._fw)
        else:  # Note [Missing tangents are zeros]: rules never see None
            tangents.append(_Tensor._make(namespace_of(x._data).zeros_like(x._data)))
    # The rule's own operations must not compute tangents of tangents at the same level.
    forward_state.level, level = None, forward_state.level
    try:
        out_dot = node.jvp(*tangents)
    finally:
        forward_state.level = level
    if not isinstance(out_dot, tuple):
        out_dot = (out_dot,)
    for o, t in zip(outs[: node.n_diff_outputs], out_dot):
        if t is not None:
            set_tangent(o, t if t.dtype is o.dtype else t.to(o.dtype))
    if "_out" in node.__dict__ and outs[0]._fw is not None:
        # for `_saved_output` (one tangent per saved output); cleared with the level
        node._out_fw = outs[0]._fw if node.n_outputs == 1 else tuple(
            o._fw for o in outs[: node.n_diff_outputs])
        forward_state.duals.append(_weakref(node))


def set_tangent(t: Tensor, tangent: Tensor | None) -> None:
    """Give `t` a forward-mode tangent at the current level; leaving the level clears it."""
    t._fw = tangent
    if tangent is not None:
        forward_state.duals.append(_weakref(t))


# --- custom Functions -----------------------------------------------------------------------------


class FunctionCtx(Node):
    """The `ctx` a custom Function's forward and backward receive; also its grad_fn."""

    _saved: Any = ()
    _fn: Any = None

    def name(self) -> str:
        """'<FunctionName>Backward', as PyTorch names custom nodes."""
        return f"{self._fn.__name__}Backward"

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors (or None) for backward; in-place changes to them are detected."""
        self._saved = tuple(
            (t, t._vc[0]) if isinstance(t, _Tensor) else (t, None) for t in tensors
        )

    saved_tensors = Primitive.saved_tensors

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each forward argument (tensor or not): does backward need its gradient?"""
        flags = [False] * self._n_args
        for pos, (nxt, _) in zip(self._arg_pos, self.next_functions):
            flags[pos] = nxt is not None
        return tuple(flags)

    def mark_dirty(self, *tensors: Any) -> None:
        """Declare inputs that forward changed in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Declare outputs that get no gradient (e.g. integer indices)."""
        self._non_diff = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """Whether missing output gradients reach backward as zeros (default) or None."""
        self._materialize = value


class Function:
    """Base class for custom autograd operations, as `torch.autograd.Function`.

    Example:
        >>> import zerograd as torch
        >>> class Square(torch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * g
        >>> x = torch.tensor(3.0, requires_grad=True)
        >>> Square.apply(x).backward(); x.grad
        tensor(6.)
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        """Compute the output from the inputs (Tensor operations; no graph is recorded)."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        """Return one gradient per forward input (None for inputs without one)."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward and, when an input requires grad, record the custom node."""
        ctx = _new(_CustomNode)
        ctx.__dict__ = {"_fn": cls}
        needs_grad = state.enabled and any(
            isinstance(a, _Tensor) and a.requires_grad for a in args
        )
        # As in torch, only tensor arguments get an edge (next_functions skips numbers);
        # `_arg_pos` maps each edge back to its forward argument.
        ctx._arg_pos = [i for i, a in enumerate(args) if isinstance(a, _Tensor)]
        ctx._n_args = len(args)
        ctx.next_functions = tuple(_edge(args[i]) if needs_grad else (None, 0)
                                   for i in ctx._arg_pos)
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        dirty = {id(t) for t in getattr(ctx, "_dirty", ())}
        non_diff = getattr(ctx, "_non_diff", set())
        wrapped = []
        for i, o in enumerate(outs):
            if not isinstance(o, _Tensor):
                wrapped.append(o)
                continue
            if id(o) not in dirty and any(o is a for a in args):
                o = o.view_as(o)  # an input returned as is becomes a new tensor, as in torch
            if needs_grad and id(o) not in non_diff and o.dtype.is_floating_point:
                o.requires_grad = True
                o.grad_fn = ctx
                o._output_nr = i
            wrapped.append(o)
        if needs_grad:
            ctx._in_meta = tuple((args[i]._data.shape, args[i]._data.dtype) for i in ctx._arg_pos)
            ctx._out_meta = tuple(
                (o._data, o._data.shape) if isinstance(o, _Tensor) else None for o in wrapped
            )
            ctx.n_diff_outputs = len(wrapped)
            if state.anomaly:
                ctx._trace = "".join(traceback.format_stack()[:-1])
        return wrapped[0] if single else tuple(wrapped)


class _CustomNode(FunctionCtx):
    """The node of a custom Function: its rule is the user's `backward`."""

    def run_backward(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        """Call the user's backward with one gradient per output."""
        materialize = getattr(self, "_materialize", True)
        full = []
        for g, meta in zip(grads, self._out_meta):
            if g is None and materialize and meta is not None:
                g = _Tensor._make(meta[0] * 0)
            full.append(g)
        with enable_grad() if create_graph else no_grad():
            res = self._fn.backward(self, *full)
        if not isinstance(res, tuple):
            res = (res,)
        n = self._n_args
        if len(res) > n and all(r is None for r in res[n:]):
            res = res[:n]  # extra Nones are allowed, as in torch
        if len(res) != n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {n}, got {len(res)})"
            )
        tensor_args = set(self._arg_pos)
        for i, r in enumerate(res):
            if r is not None and i not in tensor_args:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable"
                )
        return tuple(res[i] for i in self._arg_pos)


def _late_imports() -> None:
    """Bind the Tensor class once _tensor.py has loaded (it imports this module)."""
    global _Tensor, _wrap
    from .._tensor import Tensor

    _Tensor = Tensor
    _wrap = Tensor._make


_Tensor: Any = None
_wrap: Any = None
