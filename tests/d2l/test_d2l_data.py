"""Data helpers: synthetic_data and load_array against torch, Fashion-MNIST from generated IDX
files (gz and raw, every search location, resize, clear errors), and the offline digits."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from idx_files import write_fashion_mnist, write_idx

import zerograd
from zerograd import d2l
from zerograd.utils import data

torch = pytest.importorskip("torch")


def test_synthetic_data_matches_torch_after_manual_seed() -> None:
    zerograd.manual_seed(42)
    X, y = d2l.synthetic_data(zerograd.tensor([2, -3.4]), 4.2, 1000)
    torch.manual_seed(42)
    # d2l's own lines, on torch.
    w = torch.tensor([2, -3.4])
    tX = torch.normal(0, 1, (1000, len(w)))
    ty = torch.matmul(tX, w) + 4.2
    ty += torch.normal(0, 0.01, ty.shape)
    ty = ty.reshape((-1, 1))
    assert X.dtype == zerograd.float32 and tuple(X.shape) == (1000, 2)
    assert tuple(y.shape) == (1000, 1)
    np.testing.assert_array_equal(X.numpy(), tX.numpy())
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6, atol=1e-6)


def test_load_array_batches_in_order_or_shuffled() -> None:
    features = zerograd.arange(20.0).reshape(10, 2)
    labels = zerograd.arange(10)
    it = d2l.load_array((features, labels), 4, is_train=False)
    assert isinstance(it, data.DataLoader)
    batches = list(it)
    assert [len(y) for _, y in batches] == [4, 4, 2]
    np.testing.assert_array_equal(batches[1][0].numpy(), features[4:8].numpy())
    shuffled = d2l.load_array((features, labels), 10)
    X, y = next(iter(shuffled))
    assert sorted(y.tolist()) == list(range(10))
    np.testing.assert_array_equal(X.numpy(), features.numpy()[y.numpy()])


def test_labels_and_workers_as_d2l() -> None:
    assert d2l.get_fashion_mnist_labels(zerograd.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])) == [
        "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
        "ankle boot"]
    assert d2l.get_dataloader_workers() == 4


def _check_loaders(train_iter: data.DataLoader, test_iter: data.DataLoader,
                   arrays: dict[str, np.ndarray], batch_size: int) -> None:
    assert len(train_iter.dataset) == len(arrays["train-labels-idx1-ubyte"])
    # The test loader keeps the file's order: values are exactly ToTensor's uint8 / 255.
    X, y = next(iter(test_iter))
    assert X.dtype == zerograd.float32 and y.dtype == zerograd.int64
    assert tuple(X.shape) == (batch_size, 1, 28, 28)
    imgs = arrays["t10k-images-idx3-ubyte"][:batch_size]
    np.testing.assert_array_equal(X.numpy()[:, 0], imgs.astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(y.numpy(), arrays["t10k-labels-idx1-ubyte"][:batch_size])
    # The training loader visits every example once per epoch, shuffled.
    labels = np.concatenate([y.numpy() for _, y in train_iter])
    np.testing.assert_array_equal(np.sort(labels), np.sort(arrays["train-labels-idx1-ubyte"]))


@pytest.mark.parametrize("gz", [True, False])
def test_fashion_mnist_from_torchvision_layout(tmp_path: Path, gz: bool) -> None:
    # cwd is tmp/work, so d2l's ../data is tmp/data.
    arrays = write_fashion_mnist(tmp_path / "data" / "FashionMNIST" / "raw", 50, 20, gz)
    train_iter, test_iter = d2l.load_data_fashion_mnist(8)
    _check_loaders(train_iter, test_iter, arrays, 8)
    assert train_iter.num_workers == 4


@pytest.mark.parametrize("nested", [True, False])
def test_fashion_mnist_from_zerograd_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          nested: bool) -> None:
    root = tmp_path / "elsewhere"
    folder = root / "FashionMNIST" / "raw" if nested else root
    arrays = write_fashion_mnist(folder, 30, 12, gz=nested)
    monkeypatch.setenv("ZEROGRAD_DATA", str(root))
    train_iter, test_iter = d2l.load_data_fashion_mnist(4)
    _check_loaders(train_iter, test_iter, arrays, 4)


def test_fashion_mnist_dataset_items_like_torchvision(tmp_path: Path) -> None:
    arrays = write_fashion_mnist(tmp_path / "data" / "FashionMNIST" / "raw", 6, 5, gz=True)
    train_iter, _ = d2l.load_data_fashion_mnist(2)
    x, label = train_iter.dataset[3]
    assert tuple(x.shape) == (1, 28, 28) and x.dtype == zerograd.float32
    assert type(label) is int and label == arrays["train-labels-idx1-ubyte"][3]
    image = arrays["train-images-idx3-ubyte"][3]
    np.testing.assert_array_equal(x.numpy()[0], image / np.float32(255))
    assert len(train_iter.dataset) == 6
    with pytest.raises(IndexError):
        train_iter.dataset[6]


@pytest.mark.parametrize("resize", [64, (32, 40), 14])
def test_fashion_mnist_resize_equals_resize_then_totensor(tmp_path: Path, resize) -> None:
    Image = pytest.importorskip("PIL.Image")
    arrays = write_fashion_mnist(tmp_path / "data" / "FashionMNIST" / "raw", 10, 6, gz=True)
    _, test_iter = d2l.load_data_fashion_mnist(6, resize=resize)
    X, _ = next(iter(test_iter))
    h, w = (resize, resize) if isinstance(resize, int) else resize
    assert tuple(X.shape) == (6, 1, h, w)
    # torchvision: Resize on the PIL image, then ToTensor (float32 / 255).
    ref = np.stack([np.asarray(Image.fromarray(a, mode="L").resize((w, h), Image.BILINEAR))
                    for a in arrays["t10k-images-idx3-ubyte"]])
    np.testing.assert_array_equal(X.numpy()[:, 0], ref.astype(np.float32) / np.float32(255))


def test_missing_fashion_mnist_says_what_to_put_where(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEROGRAD_DATA", str(tmp_path / "mine"))
    with pytest.raises(FileNotFoundError) as info:
        d2l.load_data_fashion_mnist(256)
    msg = str(info.value)
    for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert stem + ".gz" in msg
    assert str((tmp_path / "data" / "FashionMNIST" / "raw").resolve()) in msg
    assert str((tmp_path / "mine").resolve()) in msg and "ZEROGRAD_DATA" in msg
    assert "load_data_digits" in msg


def test_partial_fashion_mnist_names_the_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "FashionMNIST" / "raw"
    write_fashion_mnist(folder, 5, 5, gz=True)
    os.remove(folder / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError, match=r"missing: t10k-labels-idx1-ubyte\)"):
        d2l.load_data_fashion_mnist(2)


def test_mismatched_fashion_mnist_files_are_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "FashionMNIST" / "raw"
    write_fashion_mnist(folder, 5, 5, gz=False)
    write_idx(folder / "train-labels-idx1-ubyte", np.zeros(4, dtype=np.uint8), gz=False)
    with pytest.raises(ValueError, match="5 images but .* 4 labels"):
        d2l.load_data_fashion_mnist(2)


def test_digits_loader_is_a_real_offline_data_set() -> None:
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_digits()
    train_iter, test_iter = d2l.load_data_digits(100)
    assert (len(train_iter.dataset), len(test_iter.dataset)) == (1438, 359)
    X, y = next(iter(test_iter))
    assert tuple(X.shape) == (100, 1, 8, 8) and X.dtype == zerograd.float32
    assert y.dtype == zerograd.int64
    # Every image appears once, as images / 16, with its own label.
    batches = list(test_iter) + list(train_iter)  # one pass: each pass reshuffles train_iter
    xs = np.concatenate([X.numpy() for X, _ in batches])
    ys = np.concatenate([y.numpy() for _, y in batches])
    assert xs.shape == (1797, 1, 8, 8) and 0.0 <= xs.min() and xs.max() == 1.0
    ours = sorted(zip(ys.tolist(), map(bytes, (xs[:, 0] * 16).round().astype(np.uint8))))
    ref = sorted(zip(bunch.target.tolist(), map(bytes, bunch.images.astype(np.uint8))))
    assert ours == ref


def test_digits_split_is_fixed_and_configurable() -> None:
    pytest.importorskip("sklearn")
    a, a_test = d2l.load_data_digits(2000, test_fraction=0.5)
    b, _ = d2l.load_data_digits(2000, test_fraction=0.5)
    assert (len(a.dataset), len(a_test.dataset)) == (899, 898)  # round(898.5) == 898
    np.testing.assert_array_equal(a.dataset.targets, b.dataset.targets)
    c, _ = d2l.load_data_digits(2000, test_fraction=0.5, seed=1)
    assert not np.array_equal(a.dataset.targets, c.dataset.targets)
    with pytest.raises(ValueError, match="test_fraction"):
        d2l.load_data_digits(10, test_fraction=1.0)


def test_digits_resize() -> None:
    pytest.importorskip("sklearn")
    _, test_iter = d2l.load_data_digits(5, resize=28)
    _, plain = d2l.load_data_digits(5)
    X, _ = next(iter(test_iter))
    X8, _ = next(iter(plain))
    assert tuple(X.shape) == (5, 1, 28, 28)
    # Upsampling by a whole factor keeps the mean brightness of the interior close.
    assert abs(float(X.mean()) - float(X8.mean())) < 0.02
    assert 0.0 <= float(X.min()) and float(X.max()) <= 1.0
