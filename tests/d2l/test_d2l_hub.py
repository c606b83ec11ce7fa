"""download/download_extract/download_all: cache hits by SHA-1, clear errors, opt-in mirror."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from zerograd import d2l
from zerograd.d2l import hub


def _register(monkeypatch: pytest.MonkeyPatch, name: str, filename: str, content: bytes) -> str:
    sha1 = hashlib.sha1(content).hexdigest()
    monkeypatch.setitem(d2l.DATA_HUB, name, (d2l.DATA_URL + filename, sha1))
    return sha1


def test_data_hub_has_the_books_kaggle_files() -> None:
    assert d2l.DATA_HUB is hub.DATA_HUB
    url, sha1 = d2l.DATA_HUB["kaggle_house_train"]
    assert url == d2l.DATA_URL + "kaggle_house_pred_train.csv" and len(sha1) == 40
    assert d2l.DATA_HUB["kaggle_house_test"][0].endswith("kaggle_house_pred_test.csv")


def test_cache_hit_returns_the_local_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    content = b"a,b\n1,2\n"
    _register(monkeypatch, "toy", "toy.csv", content)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "toy.csv").write_bytes(content)
    assert d2l.download("toy", str(cache)) == os.path.join(str(cache), "toy.csv")


def test_default_cache_dir_is_dotdot_data(monkeypatch: pytest.MonkeyPatch) -> None:
    content = b"x\n"
    _register(monkeypatch, "toy", "toy.csv", content)
    os.makedirs("../data")
    Path("../data/toy.csv").write_bytes(content)
    assert d2l.download("toy") == os.path.join("..", "data", "toy.csv")


def test_missing_file_explains_where_to_put_it(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    sha1 = _register(monkeypatch, "toy", "toy.csv", b"content")
    cache = tmp_path / "cache"
    with pytest.raises(FileNotFoundError) as info:
        d2l.download("toy", str(cache))
    msg = str(info.value)
    for part in ("toy.csv", str(cache.resolve()), d2l.DATA_URL + "toy.csv", sha1,
                 "ZEROGRAD_DATA_MIRROR", "does not exist"):
        assert part in msg
    assert cache.is_dir()  # created, as d2l does, so the learner can drop the file in


def test_wrong_sha1_is_not_a_cache_hit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _register(monkeypatch, "toy", "toy.csv", b"the real content")
    (tmp_path / "toy.csv").write_bytes(b"half a downl")
    with pytest.raises(FileNotFoundError, match="SHA-1"):
        d2l.download("toy", str(tmp_path))


def test_unknown_name_asserts_like_d2l() -> None:
    with pytest.raises(AssertionError, match="不存在于"):
        d2l.download("no-such-data-set")


def test_mirror_copies_and_checks_sha1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    content = b"id,price\n1,100\n"
    _register(monkeypatch, "toy", "toy.csv", content)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "toy.csv").write_bytes(content)
    monkeypatch.setenv("ZEROGRAD_DATA_MIRROR", mirror.as_uri() + "/")
    cache = tmp_path / "cache"
    path = d2l.download("toy", str(cache))
    assert Path(path).read_bytes() == content
    assert "toy.csv" in capsys.readouterr().out
    assert sorted(os.listdir(cache)) == ["toy.csv"]  # no partial file left


def test_mirror_with_a_different_file_fails(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    _register(monkeypatch, "toy", "toy.csv", b"expected")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "toy.csv").write_bytes(b"tampered")
    monkeypatch.setenv("ZEROGRAD_DATA_MIRROR", mirror.as_uri())
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="SHA-1"):
        d2l.download("toy", str(cache))
    assert os.listdir(cache) == []


def test_unreachable_mirror_fails_fast(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _register(monkeypatch, "toy", "toy.csv", b"expected")
    monkeypatch.setenv("ZEROGRAD_DATA_MIRROR", (tmp_path / "nowhere").as_uri())
    with pytest.raises(OSError, match="mirror"):
        d2l.download("toy", str(tmp_path / "cache"))


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("house/train.csv", "a,b\n1,2\n")
    return buf.getvalue()


def _tar_gz_bytes() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        data = b"hello\n"
        info = tarfile.TarInfo("pack/readme.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize(("filename", "maker", "inner"), [
    ("house.zip", _zip_bytes, "house/train.csv"),
    ("pack.tar.gz", _tar_gz_bytes, "pack/readme.txt"),
])
def test_download_extract(monkeypatch: pytest.MonkeyPatch, filename: str,
                          maker: Callable[[], bytes], inner: str) -> None:
    content = maker()
    _register(monkeypatch, "arch", filename, content)
    os.makedirs("../data")
    Path("../data", filename).write_bytes(content)
    folder = inner.split("/")[0]
    out = d2l.download_extract("arch", folder)
    assert out == os.path.join("..", "data", folder)
    assert Path(out, inner.split("/")[1]).is_file()
    # Without a folder, d2l returns the archive's name minus its last extension.
    assert d2l.download_extract("arch") == os.path.splitext(os.path.join("..", "data", filename))[0]


def test_download_extract_rejects_other_files(monkeypatch: pytest.MonkeyPatch) -> None:
    _register(monkeypatch, "plain", "plain.csv", b"1\n")
    os.makedirs("../data")
    Path("../data/plain.csv").write_bytes(b"1\n")
    with pytest.raises(AssertionError, match="zip/tar"):
        d2l.download_extract("plain")


def test_download_all(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(d2l.DATA_HUB):
        monkeypatch.delitem(d2l.DATA_HUB, name)
    os.makedirs("../data")
    for i in range(3):
        content = f"file {i}\n".encode()
        _register(monkeypatch, f"f{i}", f"f{i}.txt", content)
        Path(f"../data/f{i}.txt").write_bytes(content)
    d2l.download_all()  # every file is cached: no error, no network
    monkeypatch.setitem(d2l.DATA_HUB, "absent", (d2l.DATA_URL + "absent.txt", "0" * 40))
    with pytest.raises(FileNotFoundError, match="absent.txt"):
        d2l.download_all()
