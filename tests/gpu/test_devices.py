"""Devices as a learner meets them (d2l 5.6): naming them, creating and moving tensors, errors.

The `cuda` fixture gives a real GPU where there is one and otherwise the NumPy-backed fake CuPy
(tests/fake_cupy.py), so these run on CI. The expectations are PyTorch's: its behaviour without
a GPU is checked against the installed (CPU) torch; with a GPU, against torch's documented
rules (the same text torch prints, the same exception classes).
"""

from __future__ import annotations

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")

REAL_GPU = zerograd.cuda.is_available()
no_gpu = pytest.mark.skipif(REAL_GPU, reason="behaviour without a GPU (this machine has one)")
CUDA0 = zerograd.device("cuda", 0)


# --- torch.device -----------------------------------------------------------------------------

SPECS = [("cpu",), ("cuda",), ("cuda:0",), ("cuda:1",), ("cuda", 1), ("cpu", 0), ("cuda:12",)]
BAD = [("gpu",), ("CUDA",), ("cuda:-1",), ("cuda:01",), ("cuda: 1",), ("cuda", -1),
       ("cuda:1", 1), ("cuda", 1.0), (None,), ("cuda:x",)]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_device_objects_match_torch(spec: tuple) -> None:
    z, t = zerograd.device(*spec), torch.device(*spec)
    assert repr(z) == repr(t) and str(z) == str(t)
    assert (z.type, z.index) == (t.type, t.index)
    assert zerograd.device(z) == z and hash(zerograd.device(*spec)) == hash(z)
    assert (z == str(z)) == (t == str(t))  # a device never equals a string


@pytest.mark.parametrize("spec", BAD, ids=str)
def test_bad_device_specs_raise_as_torch(spec: tuple) -> None:
    with pytest.raises(Exception) as expected:
        torch.device(*spec)
    with pytest.raises(expected.type):
        zerograd.device(*spec)


# --- without a GPU ----------------------------------------------------------------------------


@no_gpu
def test_without_gpu_everything_says_so_as_torch() -> None:
    """On this machine torch has no CUDA: zerograd answers and fails exactly as it does."""
    assert zerograd.cuda.is_available() is torch.cuda.is_available() is False
    assert zerograd.cuda.device_count() == torch.cuda.device_count() == 0
    assert zerograd.cuda.memory_allocated() == torch.cuda.memory_allocated() == 0
    for name in ("manual_seed", "manual_seed_all"):
        assert getattr(zerograd.cuda, name)(3) is getattr(torch.cuda, name)(3) is None
    zerograd.cuda.empty_cache()
    calls = [lambda m: m.cuda.current_device(), lambda m: m.cuda.synchronize(),
             lambda m: m.cuda.get_device_name(), lambda m: m.zeros(2, device="cuda"),
             lambda m: m.ones(2).cuda(), lambda m: m.tensor([1.0]).to("cuda:0"),
             lambda m: m.ones(2).to(0), lambda m: m.device(0),
             lambda m: m.cuda.set_device("cpu"), lambda m: m.cuda.manual_seed("x")]
    for call in calls:
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(expected.type):
            call(zerograd)
    assert not zerograd.ones(2).is_cuda and zerograd.ones(2).get_device() == -1


@no_gpu
def test_d2l_try_gpu_without_gpu() -> None:
    from zerograd import d2l

    assert d2l.try_gpu() == zerograd.device("cpu")
    assert d2l.try_all_gpus() == [zerograd.device("cpu")]


# --- zerograd.cuda with a GPU -------------------------------------------------------------------


def test_cuda_module_answers(cuda: str) -> None:
    assert zerograd.cuda.is_available() and zerograd.cuda.is_initialized()
    n = zerograd.cuda.device_count()
    assert n >= 1 and zerograd.cuda.current_device() == 0
    name = zerograd.cuda.get_device_name()
    assert isinstance(name, str) and name == zerograd.cuda.get_device_name(0)
    assert zerograd.cuda.get_device_name("cuda:0") == name
    major, minor = zerograd.cuda.get_device_capability()
    assert major >= 1 and minor >= 0
    props = zerograd.cuda.get_device_properties(0)
    assert props.total_memory > 0 and props.name == name
    zerograd.cuda.synchronize()
    zerograd.cuda.synchronize("cuda:0")
    zerograd.cuda.manual_seed(1)
    zerograd.cuda.manual_seed_all(1)
    zerograd.cuda.empty_cache()
    with pytest.raises(ValueError):
        zerograd.cuda.set_device("cpu")


def test_memory_allocated_counts_tensors(cuda: str) -> None:
    before = zerograd.cuda.memory_allocated()
    x = zerograd.zeros(1000, 1000, device=cuda)
    during = zerograd.cuda.memory_allocated()
    assert during - before >= x.numel() * x.element_size()
    assert zerograd.cuda.memory_reserved() >= during
    del x
    assert zerograd.cuda.memory_allocated() < during


def test_d2l_try_gpu_with_gpu(cuda: str) -> None:
    from zerograd import d2l

    n = zerograd.cuda.device_count()
    assert d2l.try_gpu() == CUDA0
    assert d2l.try_gpu(n) == zerograd.device("cpu")
    assert d2l.try_all_gpus() == [zerograd.device(f"cuda:{i}") for i in range(n)]


# --- creating and moving ----------------------------------------------------------------------

CREATORS = {
    "tensor": lambda m, **kw: m.tensor([[1.0, 2.0], [3.0, 4.0]], **kw),
    "tensor_int": lambda m, **kw: m.tensor([1, 2, 3], **kw),
    "as_tensor": lambda m, **kw: m.as_tensor(np.arange(4.0), **kw),
    "zeros": lambda m, **kw: m.zeros(2, 3, **kw),
    "ones": lambda m, **kw: m.ones((2, 3), dtype=m.int32, **kw),
    "empty": lambda m, **kw: m.empty(0, 3, **kw),
    "full": lambda m, **kw: m.full((2,), 7, **kw),
    "arange": lambda m, **kw: m.arange(1, 10, 2, **kw),
    "linspace": lambda m, **kw: m.linspace(0, 1, 5, **kw),
    "eye": lambda m, **kw: m.eye(3, 2, **kw),
    "rand": lambda m, **kw: m.rand(2, 3, **kw),
    "randn": lambda m, **kw: m.randn(4, **kw),
    "randint": lambda m, **kw: m.randint(0, 10, (5,), **kw),
    "randperm": lambda m, **kw: m.randperm(6, **kw),
    "normal": lambda m, **kw: m.normal(2.0, 3.0, (3,), **kw),
    "zeros_like": lambda m, **kw: m.zeros_like(m.ones(2), **kw),
    "ones_like": lambda m, **kw: m.ones_like(m.ones(2), **kw),
    "full_like": lambda m, **kw: m.full_like(m.ones(2), 3.5, **kw),
    "empty_like": lambda m, **kw: m.empty_like(m.ones(2), **kw).zero_(),
    "rand_like": lambda m, **kw: m.rand_like(m.ones(2), **kw),
    "randn_like": lambda m, **kw: m.randn_like(m.ones(2), **kw),
    "randint_like": lambda m, **kw: m.randint_like(m.ones(2), 5, **kw),
    "new_zeros": lambda m, **kw: m.ones(2).new_zeros((2, 2), **kw),
    "new_ones": lambda m, **kw: m.ones(2).new_ones(3, **kw),
    "new_full": lambda m, **kw: m.ones(2).new_full((2,), 4.0, **kw),
    "new_tensor": lambda m, **kw: m.ones(2).new_tensor([5, 6], **kw),
}


@pytest.mark.parametrize("name", list(CREATORS))
def test_every_creation_function_takes_device(name: str, cuda: str) -> None:
    """device= puts the tensor on the GPU, with the values and dtype the CPU would get (the
    random ones too: CUDA tensors draw on the CPU generator, see zerograd.cuda)."""
    make = CREATORS[name]
    zerograd.manual_seed(5)
    want = make(zerograd)
    for dev in (cuda, "cuda:0", CUDA0):
        zerograd.manual_seed(5)
        got = make(zerograd, device=dev)
        assert got.device == CUDA0 and got.is_cuda and got.get_device() == 0
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())
    zerograd.manual_seed(5)
    t = torch.manual_seed(5) and make(torch)
    np.testing.assert_array_equal(want.numpy(), t.numpy())  # and the CPU's are torch's


def test_requires_grad_on_creation(cuda: str) -> None:
    x = zerograd.ones(3, device=cuda, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.is_cuda
    (x * x).sum().backward()
    assert x.grad.device == CUDA0 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_to_cuda_cpu_and_back(cuda: str) -> None:
    x = zerograd.arange(6.0).reshape(2, 3)
    for y in (x.to(cuda), x.cuda(), x.to(CUDA0), x.to("cuda:0"), x.to(device=cuda),
              x.to(zerograd.empty(0, device=cuda)), x.cuda(0)):
        assert y.device == CUDA0 and y.is_cuda and y.tolist() == x.tolist()
    y = x.to(cuda, zerograd.float64)
    assert y.device == CUDA0 and y.dtype == zerograd.float64
    y = x.to(zerograd.empty(0, dtype=zerograd.int32, device=cuda))
    assert y.device == CUDA0 and y.dtype == zerograd.int32
    assert y.to(cuda) is y and y.cuda() is y  # already there: the same tensor, as torch
    assert y.to(cuda, copy=True) is not y
    back = y.cpu()
    assert back.device == zerograd.device("cpu") and not back.is_cuda and back.get_device() == -1
    assert back.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert x.cpu() is x


def test_moves_are_copies_not_views(cuda: str) -> None:
    x = zerograd.zeros(3)
    y = x.to(cuda)
    y += 1
    assert x.tolist() == [0.0, 0.0, 0.0] and y.tolist() == [1.0, 1.0, 1.0]


def test_gradients_flow_back_across_devices(cuda: str) -> None:
    """to(device) is differentiable: each leaf's gradient lands on the leaf's device."""
    x = zerograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.to(cuda)
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.device == zerograd.device("cpu") and x.grad.tolist() == [2.0, 4.0, 6.0]
    w = zerograd.tensor([1.0, 2.0], device=cuda, requires_grad=True)
    (w.cpu() ** 3).sum().backward()
    assert w.grad.device == CUDA0 and w.grad.tolist() == [3.0, 12.0]


def test_conversions_from_cuda(cuda: str) -> None:
    x = zerograd.tensor([[1.5, 2.0]], device=cuda)
    assert x.tolist() == [[1.5, 2.0]] and x[0, 0].item() == 1.5
    assert float(x[0, 1]) == 2.0 and int(x[0, 0]) == 1 and bool(x[0, 0])
    for call in (lambda t: t.numpy(), lambda t: np.asarray(t)):
        with pytest.raises(TypeError, match=r"cuda:0.*Tensor\.cpu\(\)"):
            call(x)
    np.testing.assert_array_equal(x.cpu().numpy(), [[1.5, 2.0]])
    np.testing.assert_array_equal(x.detach().cpu().numpy(), np.asarray(x.cpu()))


def test_printing_shows_the_device(cuda: str) -> None:
    cases = [zerograd.tensor([1.0, 2.0]), zerograd.tensor([1, 2], dtype=zerograd.int32),
             zerograd.zeros(0, 2, dtype=zerograd.int64), zerograd.tensor(3.5),
             zerograd.arange(2000.0)]
    for c in cases:
        t = torch.tensor(c.numpy())
        want = repr(t)
        # torch puts device= first among the suffixes, right after the data
        data_end = want.index(", dtype=") if ", dtype=" in want else len(want) - 1
        if ", size=" in want:
            data_end = want.index(", size=")
        expected = want[:data_end] + ", device='cuda:0'" + want[data_end:]
        assert repr(c.to(cuda)) == expected
    x = zerograd.ones(2, device=cuda, requires_grad=True)
    assert repr(x) == "tensor([1., 1.], device='cuda:0', requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 2.], device='cuda:0', grad_fn=<MulBackward0>)"
    assert str(x.device) == "cuda:0" and repr(x.device) == "device(type='cuda', index=0)"


# --- mixing devices -----------------------------------------------------------------------------


def test_mixing_devices_raises_torchs_error(cuda: str) -> None:
    g, c = zerograd.ones(2, 3, device=cuda), zerograd.ones(2, 3)
    msg = "Expected all tensors to be on the same device, but found at least two devices, {} and"
    for a, b, first, second in ((g, c, "cuda:0", "cpu"), (c, g, "cpu", "cuda:0")):
        text = msg.format(first) + f" {second}!"
        for op in (lambda a, b: a + b, lambda a, b: a * b, lambda a, b: zerograd.add(a, b),
                   lambda a, b: a == b, lambda a, b: a < b, lambda a, b: zerograd.maximum(a, b),
                   lambda a, b: zerograd.where(a > 0, a, b), lambda a, b: a.mT @ b,
                   lambda a, b: zerograd.cat([a, b]), lambda a, b: zerograd.stack([a, b]),
                   lambda a, b: a.clone().add_(b), lambda a, b: a.clone().mul_(b),
                   lambda a, b: zerograd.nn.functional.mse_loss(a, b)):
            with pytest.raises(RuntimeError) as info:
                op(a, b)
            assert str(info.value).startswith(text), str(info.value)


def test_a_0d_cpu_tensor_joins_cuda_operands(cuda: str) -> None:
    """As torch: a 0-d CPU tensor acts as a scalar next to CUDA tensors (not the other way)."""
    x = zerograd.tensor([1.0, 2.0], device=cuda, requires_grad=True)
    s = zerograd.tensor(3.0, requires_grad=True)
    for y in (x * s, s * x, zerograd.where(x > 1, x, s), x + zerograd.tensor(1)):
        assert y.device == CUDA0
    y = (x * s).sum() + (s - x).sum()
    y.backward()
    assert s.grad.device == zerograd.device("cpu") and s.grad.shape == ()
    assert s.grad.item() == pytest.approx(3.0 + 2.0)  # sum(x) + 2
    assert x.grad.device == CUDA0 and x.grad.tolist() == [2.0, 2.0]
    xg = x.detach().clone()
    xg[0] = zerograd.tensor(9.0)  # a 0-d CPU value into a CUDA tensor
    assert xg.tolist() == [9.0, 2.0]
    with pytest.raises(RuntimeError, match="cpu and cuda:0"):
        zerograd.ones(2) * zerograd.tensor(1.0, device=cuda)  # a 0-d CUDA tensor is no scalar


def test_copy_between_devices(cuda: str) -> None:
    host = zerograd.zeros(3)
    host.copy_(zerograd.tensor([1.0, 2.0, 3.0], device=cuda))
    assert host.tolist() == [1.0, 2.0, 3.0] and not host.is_cuda
    dev = zerograd.zeros(2, 3, device=cuda)
    dev.copy_(zerograd.tensor([1, 2, 3]))  # broadcasting, casting and moving at once
    assert dev.is_cuda and dev.tolist() == [[1.0, 2.0, 3.0]] * 2


def test_indexing_with_tensors_from_either_device(cuda: str) -> None:
    x = zerograd.arange(10.0, device=cuda)
    for idx in (zerograd.tensor([1, 3]), zerograd.tensor([1, 3], device=cuda), [1, 3]):
        assert x[idx].tolist() == [1.0, 3.0] and x[idx].is_cuda
    mask = x > 7
    assert x[mask].tolist() == [8.0, 9.0]
    x[zerograd.tensor([0, 1])] = zerograd.tensor([5.0, 6.0], device=cuda)
    assert x[:3].tolist() == [5.0, 6.0, 2.0]
    with pytest.raises(RuntimeError, match="indices should be either on cpu or on the same"):
        zerograd.arange(4.0)[zerograd.tensor([1], device=cuda)]


def test_out_of_range_indices_raise_on_cuda_too(cuda: str) -> None:
    """CuPy does not check index ranges; zerograd does, with the CPU's (and torch's) error."""
    x = zerograd.arange(12.0).reshape(3, 4)
    for key in ([5], (slice(None), zerograd.tensor([0, 4])), (Ellipsis, [-5]),
                (zerograd.tensor([[0], [3]]), 0)):
        with pytest.raises(IndexError) as expected:
            x[key]
        for k in (key, _on(key, cuda)):
            with pytest.raises(IndexError) as got:
                x.to(cuda)[k]
            assert str(got.value) == str(expected.value)
            with pytest.raises(IndexError):
                x.to(cuda)[k] = 1.0
    with pytest.raises(IndexError):
        zerograd.gather(x.to(cuda), 1, zerograd.tensor([[4]], device=cuda))
    assert x.to(cuda)[[-1], [-4]].tolist() == [8.0]  # negative indices in range are fine


def _on(key: object, device: str) -> object:
    if isinstance(key, tuple):
        return tuple(_on(k, device) for k in key)
    return key.to(device) if isinstance(key, zerograd.Tensor) else key


def test_linalg_errors_on_cuda(cuda: str) -> None:
    """cuSOLVER's failures are reported as on the CPU (CuPy alone would return NaNs)."""
    singular = zerograd.tensor([[1.0, 2.0], [2.0, 4.0]])
    cases = [lambda a: zerograd.linalg.inv(a), lambda a: zerograd.linalg.solve(a, a[0]),
             lambda a: zerograd.linalg.cholesky(a), lambda a: zerograd.inverse(a.expand(3, 2, 2))]
    for case in cases:
        with pytest.raises(zerograd.linalg.LinAlgError) as expected:
            case(singular)
        with pytest.raises(zerograd.linalg.LinAlgError) as got:
            case(singular.to(cuda))
        assert str(got.value) == str(expected.value)


def test_nonzero_of_0d_tensors(cuda: str) -> None:
    for value in (0.0, 2.0):
        for dev in ("cpu", cuda):
            t, z = torch.tensor(value), zerograd.tensor(value, device=dev)
            assert z.nonzero().shape == t.nonzero().shape and z.nonzero().device == z.device
            assert [e.tolist() for e in z.nonzero(as_tuple=True)] == [
                e.tolist() for e in t.nonzero(as_tuple=True)]


def test_copies_pickles_and_lists_of_cuda_tensors(cuda: str) -> None:
    import copy
    import pickle

    x = zerograd.arange(6.0, device=cuda).reshape(2, 3).requires_grad_()
    for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert y.device == CUDA0 and y.requires_grad and y.tolist() == x.tolist()
    net = copy.deepcopy(zerograd.nn.Linear(3, 2).to(cuda))
    assert all(p.device == CUDA0 for p in net.parameters())
    # torch.tensor reads 0-d tensors in a list as numbers, wherever they live
    t = zerograd.tensor([x[0, 1], x[1, 2]])
    assert t.device == zerograd.device("cpu") and t.tolist() == [1.0, 5.0]
    assert zerograd.tensor([x[0, 1]], device=cuda).device == CUDA0
    legacy = zerograd.Tensor(2, 3, device=cuda)
    assert legacy.device == CUDA0 and legacy.shape == (2, 3)
    assert x.type() == "torch.cuda.FloatTensor" and x.cpu().type() == "torch.FloatTensor"
    assert x.detach().type("torch.DoubleTensor").device == zerograd.device("cpu")
    assert zerograd.ones(2).type("torch.cuda.DoubleTensor").device == CUDA0
