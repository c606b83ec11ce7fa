"""IDX parsing and bilinear resizing, checked against the format and against PIL itself."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from idx_files import idx_bytes, write_idx

from zerograd.d2l._images import read_idx, resize_batch, target_size


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("arr", [
    np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
    np.array([7, 0, 255, 3], dtype=np.uint8),
    np.array([[-5, 70000], [3, -1]], dtype=">i4"),
    np.array([1.5, -2.25], dtype=">f4"),
])
def test_read_idx_round_trip(tmp_path: Path, arr: np.ndarray, gz: bool) -> None:
    path = write_idx(tmp_path / "a-ubyte", arr, gz)
    out = read_idx(str(path))
    assert out.shape == arr.shape
    np.testing.assert_array_equal(out, arr)
    assert out.dtype.isnative and out.flags.writeable


def test_read_idx_rejects_bad_magic(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"\x1f\x8b\x08\x03" + b"\0" * 16)  # a gzip header, not IDX
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(str(path))


def test_read_idx_rejects_truncated_files(tmp_path: Path) -> None:
    data = idx_bytes(np.zeros((3, 4, 4), dtype=np.uint8))
    path = tmp_path / "t.gz"
    path.write_bytes(gzip.compress(data[:-5]))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(str(path))


def test_target_size_follows_transforms_resize() -> None:
    assert target_size(64, 28, 28) == (64, 64)
    assert target_size((32, 40), 28, 28) == (32, 40)
    assert target_size([20], 28, 28) == (20, 20)
    # An int sets the shorter side and keeps the aspect ratio (truncating the longer side).
    assert target_size(14, 28, 57) == (14, 28)
    assert target_size(10, 30, 20) == (15, 10)


SIZES = [(28, 28), (64, 64), (224, 224), (96, 96), (14, 14), (20, 20), (1, 1), (32, 40),
         (27, 29), (29, 27), (5, 50), (50, 5), (17, 28), (28, 3), (12, 13), (40, 9)]


@pytest.mark.parametrize("size", SIZES)
def test_uint8_resize_matches_pil_exactly(size: tuple[int, int]) -> None:
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(sum(size))
    imgs = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    imgs[0, 5:9] = 255  # hard edges exercise clipping and rounding
    ours = resize_batch(imgs, size)
    ref = np.stack([np.asarray(Image.fromarray(a, mode="L").resize(size[::-1], Image.BILINEAR))
                    for a in imgs])
    assert ours.dtype == np.uint8 and ours.shape == (3, *size)
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("size", [(8, 8), (28, 28), (32, 32), (4, 4), (6, 11)])
def test_float_resize_matches_pil_float_images(size: tuple[int, int]) -> None:
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(1)
    imgs = rng.uniform(0, 16, (2, 8, 8))
    ours = resize_batch(imgs, size)
    ref = np.stack([np.asarray(Image.fromarray(a.astype(np.float32), mode="F")
                               .resize(size[::-1], Image.BILINEAR)) for a in imgs])
    assert ours.shape == (2, *size) and ours.dtype == imgs.dtype
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5)


def test_resize_keeps_constants_and_is_identity_at_same_size() -> None:
    const = np.full((2, 7, 9), 3.5)
    np.testing.assert_allclose(resize_batch(const, (20, 4)), 3.5)
    imgs = np.random.default_rng(0).integers(0, 256, (2, 6, 6), dtype=np.uint8)
    np.testing.assert_array_equal(resize_batch(imgs, (6, 6)), imgs)
