"""zerograd.save / zerograd.load: exact round trips of tensors and plain data, module and
optimizer state_dicts, file objects, the atomic write (a failed save leaves the old file
byte for byte, and no temporary file behind), damage detection (every single-bit flip and
every truncation of a file is refused), refusal of pickles, and map_location.
"""

from __future__ import annotations

import errno
import io
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import zerograd
from zerograd import nn, serialization

torch = pytest.importorskip("torch")


def round_trip(obj):
    buf = io.BytesIO()
    zerograd.save(obj, buf)
    buf.seek(0)
    return zerograd.load(buf)


def assert_same(a, b):
    """Equal values, types, dtypes, shapes and requires_grad, recursively."""
    assert type(a) is type(b)
    if isinstance(a, zerograd.Tensor):
        assert a.dtype is b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert_same(u, v)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 3), (2, 3, 4)])
def test_tensor_round_trip_every_dtype_and_shape(dtype, shape):
    rng = np.random.default_rng(0)
    arr = (rng.standard_normal(shape) * 100).astype(dtype)
    t = zerograd.tensor(arr)
    back = round_trip(t)
    assert_same(t, back)
    back.add_(1) if dtype != "bool" else back.logical_not()
    np.testing.assert_array_equal(t.numpy(), arr)  # a copy, not the same memory


def test_views_grad_flags_parameters_and_sharing():
    base = zerograd.arange(12.0).reshape(3, 4)
    leaf = zerograd.ones(2, requires_grad=True)
    param = nn.Parameter(zerograd.zeros(3))
    frozen = nn.Parameter(zerograd.zeros(1), requires_grad=False)
    obj = {"t": base.t(), "col": base[:, 1], "leaf": leaf, "p": param, "again": param,
           "frozen": frozen}
    back = round_trip(obj)
    assert_same({k: v for k, v in obj.items()}, back)
    assert isinstance(back["p"], nn.Parameter) and back["p"] is back["again"]
    assert back["leaf"].is_leaf and back["leaf"].grad is None


def test_plain_data_round_trip():
    obj = OrderedDict([
        ("ints", [0, -1, 2**70, True, False]),
        ("floats", (1.5, -0.0, float("inf"), float("-inf"), float("nan"), 1e-310)),
        ("text", "读写文件 ✓"),
        ("none", None),
        ("bytes", b"\x00\xff"),
        ("complex", 1 - 2j),
        (3, {"int key": 1, (1, "t"): [2]}),
        ("sets", [{1, 2}, frozenset({"a"})]),
        ("np", [np.arange(6, dtype=">i4").reshape(2, 3), np.float32(2.5), np.bool_(True)]),
        ("meta", [zerograd.Size([2, 3]), zerograd.float16, zerograd.device("cpu")]),
        ("empty", [[], (), {}, OrderedDict()]),
    ])
    back = round_trip(obj)
    assert type(back) is OrderedDict and list(back) == list(obj)
    assert back["ints"] == obj["ints"] and type(back["ints"][3]) is bool
    assert back["floats"][:4] == obj["floats"][:4] and np.isnan(back["floats"][4])
    assert back["floats"][5] == 1e-310 and type(back["floats"]) is tuple
    assert back[3] == obj[3] and back["sets"] == obj["sets"]
    assert back["text"] == obj["text"] and back["bytes"] == obj["bytes"] and back["none"] is None
    np.testing.assert_array_equal(back["np"][0], obj["np"][0])
    assert back["np"][0].dtype == np.int32 and back["np"][1] == np.float32(2.5)
    assert type(back["np"][1]) is np.float32 and type(back["np"][2]) is np.bool_
    assert back["meta"] == obj["meta"] and back["meta"][1] is zerograd.float16
    assert back["empty"] == [[], (), {}, OrderedDict()]
    assert back["complex"] == 1 - 2j


def test_d2l_file_io_section(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x = zerograd.arange(4)
    zerograd.save(x, "x-file")
    assert_same(zerograd.load("x-file"), x)
    y = zerograd.zeros(4)
    zerograd.save([x, y], "x-files")
    x2, y2 = zerograd.load("x-files")
    assert_same([x2, y2], [x, y])
    mydict = {"x": x, "y": y}
    zerograd.save(mydict, "mydict")
    assert_same(zerograd.load("mydict"), mydict)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(20, 256)
            self.output = nn.Linear(256, 10)

        def forward(self, x):
            return self.output(zerograd.relu(self.hidden(x)))

    net = MLP()
    X = zerograd.randn(size=(2, 20))
    Y = net(X)
    zerograd.save(net.state_dict(), "mlp.params")
    clone = MLP()
    clone.load_state_dict(zerograd.load("mlp.params"))
    clone.eval()
    assert (clone(X) == Y).all().item()
    assert_same(zerograd.load("mlp.params"), net.state_dict())


def test_optimizer_state_dict_round_trip():
    w = zerograd.tensor([1.0, -2.0], requires_grad=True)
    opt = zerograd.optim.Adam([w], lr=0.1, amsgrad=True)
    (w * w).sum().backward()
    opt.step()
    sd = opt.state_dict()
    back = round_trip(sd)
    assert back["param_groups"] == sd["param_groups"]
    assert_same(back["state"], sd["state"])
    opt2 = zerograd.optim.Adam([w.detach().clone().requires_grad_()], lr=0.5)
    opt2.load_state_dict(back)
    assert opt2.param_groups[0]["lr"] == 0.1


def test_several_objects_in_one_stream():
    buf = io.BytesIO()
    zerograd.save(zerograd.ones(2), buf)
    zerograd.save({"a": 1}, buf)
    buf.seek(0)
    assert zerograd.load(buf).tolist() == [1.0, 1.0]
    assert zerograd.load(buf) == {"a": 1}


# --- never lose data ---------------------------------------------------------------------------


def _directory_state(path):
    return sorted(os.listdir(path))


def test_unsavable_object_deep_inside_leaves_old_file_intact(tmp_path):
    target = tmp_path / "model.pt"
    zerograd.save({"w": zerograd.ones(3)}, target)
    before, listing = target.read_bytes(), _directory_state(tmp_path)
    bad = {"w": zerograd.zeros(3), "extra": [1, 2, {"fn": lambda: 0}]}
    with pytest.raises(TypeError, match=r"function.*\['extra'\]\[2\]\['fn'\]"):
        zerograd.save(bad, target)
    assert target.read_bytes() == before and _directory_state(tmp_path) == listing
    with pytest.raises(TypeError, match="state_dict"):
        zerograd.save(nn.Linear(2, 2), target)
    cyclic = [1]
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="contains itself"):
        zerograd.save(cyclic, target)
    assert target.read_bytes() == before


def test_failure_mid_write_leaves_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "ckpt"
    zerograd.save(list(range(5)), target)
    before, listing = target.read_bytes(), _directory_state(tmp_path)

    def disk_full(fh, data):
        fh.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(serialization, "_write_all", disk_full)
    with pytest.raises(OSError, match="No space left"):
        zerograd.save({"new": zerograd.randn(100)}, target)
    assert target.read_bytes() == before and _directory_state(tmp_path) == listing
    assert zerograd.load(target) == list(range(5))


def test_missing_directory_and_overwrite_keeps_mode(tmp_path):
    with pytest.raises(RuntimeError, match="does not exist"):
        zerograd.save(1, tmp_path / "no" / "such" / "file")
    target = tmp_path / "f"
    zerograd.save(1, target)
    os.chmod(target, 0o640)
    zerograd.save(2, target)
    assert zerograd.load(target) == 2 and (os.stat(target).st_mode & 0o777) == 0o640
    assert _directory_state(tmp_path) == ["f"]


# --- damaged files -----------------------------------------------------------------------------


def _saved_bytes():
    buf = io.BytesIO()
    zerograd.save({"w": zerograd.tensor([[1.0, 2.0]]), "step": 3, "name": "net"}, buf)
    return buf.getvalue()


def test_every_single_bit_flip_is_detected(tmp_path):
    good = _saved_bytes()
    path = tmp_path / "f"
    for i in range(len(good)):
        for bit in (0, 7):
            bad = bytearray(good)
            bad[i] ^= 1 << bit
            path.write_bytes(bytes(bad))
            with pytest.raises(RuntimeError, match="damaged"):
                zerograd.load(path)


def test_every_truncation_and_trailing_garbage_is_detected(tmp_path):
    good = _saved_bytes()
    path = tmp_path / "f"
    for n in range(len(good)):
        path.write_bytes(good[:n])
        with pytest.raises(RuntimeError, match="damaged"):
            zerograd.load(path)
        with pytest.raises(RuntimeError, match="damaged"):
            zerograd.load(io.BytesIO(good[:n]))
    path.write_bytes(good + b"\x00")
    with pytest.raises(RuntimeError, match="damaged"):
        zerograd.load(path)
    path.write_bytes(good)
    assert zerograd.load(path)["step"] == 3


class _Exploit:
    def __reduce__(self):
        return (os.mkdir, ("pwned",))


def test_pickles_are_refused_without_running_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(_Exploit()))
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")
    for name in ("evil.pkl", "torch.pt"):
        with pytest.raises(RuntimeError, match="never unpickles"):
            zerograd.load(tmp_path / name)
    assert not (tmp_path / "pwned").exists()
    (tmp_path / "text").write_bytes(b"hello world, not a checkpoint at all" * 3)
    with pytest.raises(RuntimeError, match="not a zerograd file"):
        zerograd.load(tmp_path / "text")


def test_map_location_forms():
    t = zerograd.ones(2, requires_grad=True)
    for loc in ["cpu", zerograd.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage]:
        buf = io.BytesIO()
        zerograd.save({"t": t}, buf)
        buf.seek(0)
        back = zerograd.load(buf, map_location=loc, weights_only=True)["t"]
        assert back.device.type == "cpu" and back.requires_grad and back.tolist() == [1.0, 1.0]
    if not zerograd.cuda.is_available():
        buf = io.BytesIO()
        zerograd.save(t, buf)
        buf.seek(0)
        with pytest.raises(RuntimeError, match="map_location"):
            zerograd.load(buf, map_location="cuda")
