"""d2l's data hub: DATA_HUB, DATA_URL, download, download_extract, download_all.

d2l downloads files on demand; zerograd never touches the network unless asked. `download`
returns a cached file whose SHA-1 matches; when the file is absent (or stale) it raises an error
that names the file, where to put it and where d2l would fetch it from, or, when the opt-in
mirror $ZEROGRAD_DATA_MIRROR is set (an http(s):// or file:// base URL), copies it from there with
a timeout and checks its SHA-1. Reading image data sets lives in data.py.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.request
import zipfile

__all__ = ["DATA_HUB", "DATA_URL", "download", "download_extract", "download_all"]

DATA_HUB: dict[str, tuple[str, str]] = dict()
DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"

DATA_HUB["kaggle_house_train"] = (
    DATA_URL + "kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce")
DATA_HUB["kaggle_house_test"] = (
    DATA_URL + "kaggle_house_pred_test.csv", "fa19780a7b011d9b009e8bff8e99922a8ee2eb90")

MIRROR_ENV = "ZEROGRAD_DATA_MIRROR"
_TIMEOUT_S = 30.0


def _sha1(path: str) -> str:
    """The hex SHA-1 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, fname: str, sha1_hash: str) -> None:
    """Copy `url` to `fname` (via a temporary file), failing loudly on a wrong SHA-1."""
    tmp = fname + ".part"
    print(f"正在从{url}下载{fname}...", flush=True)
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as r, open(tmp, "wb") as f:
            shutil.copyfileobj(r, f)
    except OSError as e:  # URLError, timeouts and refused connections are all OSErrors
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OSError(f"could not fetch {url} from the mirror ${MIRROR_ENV}: {e}") from e
    got = _sha1(tmp)
    if got != sha1_hash:
        os.remove(tmp)
        raise OSError(f"{url} has SHA-1 {got}, expected {sha1_hash}: the mirror's copy differs")
    os.replace(tmp, fname)


def download(name: str, cache_dir: str = os.path.join("..", "data")) -> str:
    """Return the local path of DATA_HUB[name] in cache_dir (checked by SHA-1); never hangs.

    Raises:
        FileNotFoundError: the file is not in cache_dir (or fails its SHA-1 check) and no
            mirror is configured; the message says which file to put where.
    """
    assert name in DATA_HUB, f"{name} 不存在于 {DATA_HUB}"
    url, sha1_hash = DATA_HUB[name]
    os.makedirs(cache_dir, exist_ok=True)
    base = url.split("/")[-1]
    fname = os.path.join(cache_dir, base)
    stale = os.path.exists(fname)
    if stale and _sha1(fname) == sha1_hash:
        return fname  # 命中缓存
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        _fetch(mirror.rstrip("/") + "/" + base, fname, sha1_hash)
        return fname
    problem = (f"{fname} exists but its SHA-1 is not {sha1_hash} (a partial or different file)"
               if stale else f"{fname} does not exist")
    raise FileNotFoundError(
        f"zerograd does not download data at run time, and {problem}.\n"
        f"Put the file {base} (from {url}, SHA-1 {sha1_hash}) into the folder "
        f"{os.path.abspath(cache_dir)}, or set {MIRROR_ENV} to a base URL (http://, https:// "
        f"or file://) that serves {base} to have it copied from there."
    )


def download_extract(name: str, folder: str | None = None) -> str:
    """Download (see `download`) and extract a zip/tar file; return the extracted folder."""
    fname = download(name)
    base_dir = os.path.dirname(fname)
    data_dir, ext = os.path.splitext(fname)
    if ext == ".zip":
        with zipfile.ZipFile(fname, "r") as fp:
            fp.extractall(base_dir)
    elif ext in (".tar", ".gz"):
        with tarfile.open(fname, "r") as fp:
            # The 'data' filter refuses absolute paths and links out of base_dir (Python 3.12+).
            if hasattr(tarfile, "data_filter"):
                fp.extractall(base_dir, filter="data")
            else:
                fp.extractall(base_dir)
    else:
        raise AssertionError("只有zip/tar文件可以被解压缩")
    return os.path.join(base_dir, folder) if folder else data_dir


def download_all() -> None:
    """Download every file in DATA_HUB."""
    for name in DATA_HUB:
        download(name)
