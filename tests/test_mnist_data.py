"""snippets/mnist_data.py: reading, checking, downloading and the offline fallback, on small IDX files the
tests write themselves; one test reads full MNIST where NN_BASICS_DATA gives it.

Nothing here downloads: the network is replaced by a fake `urlopen`.
"""

import gzip
import hashlib
import io
import logging
import struct
import urllib.error
from pathlib import Path
from typing import ClassVar

import pytest
import torch

from snippets import mnist_data as md

LABELS = md.FILES["test_labels"][0]


def idx(array: bytes, *shape: int) -> bytes:
    return struct.pack(f">HBB{len(shape)}I", 0, 0x08, len(shape), *shape) + array


LABELS_BYTES = idx(bytes(i % 10 for i in range(500)), 500)  # a small labels file, in the real format
LABELS_MD5 = hashlib.md5(LABELS_BYTES).hexdigest()


@pytest.fixture
def small_mnist(tmp_path, monkeypatch):
    """A folder with four small IDX files (20 training and 10 test digits), and FILES naming their checksums."""
    generator = torch.Generator().manual_seed(0)
    contents = {}
    for key, (name, _) in md.FILES.items():
        n = 20 if key.startswith("train") else 10
        if key.endswith("images"):
            contents[key] = idx(torch.randint(0, 256, (n * 784,), generator=generator, dtype=torch.uint8).numpy().tobytes(), n, 28, 28)
        else:
            contents[key] = idx(bytes(i % 10 for i in range(n)), n)
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(contents[key], mtime=0))
    files = {key: (name, hashlib.md5(contents[key]).hexdigest()) for key, (name, _) in md.FILES.items()}
    monkeypatch.setattr(md, "FILES", files)
    return tmp_path


@pytest.fixture
def fresh(monkeypatch):
    """A loader that has loaded nothing yet, and no network: any download attempt fails."""
    monkeypatch.setattr(md, "_loaded", None)

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("no network in the tests")

    monkeypatch.setattr(md.urllib.request, "urlopen", no_network)


def test_parse_idx_reads_the_header_and_the_bytes():
    images = md.parse_idx(idx(bytes(range(18)), 2, 3, 3))
    assert images.shape == (2, 3, 3) and images.dtype == torch.uint8
    assert images[1, 2, 2] == 17
    with pytest.raises(ValueError, match="not an IDX file"):
        md.parse_idx(struct.pack(">HBB", 0, 0x0D, 1) + b"\0" * 8)


def test_gzip_and_raw_files_are_both_accepted(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / LABELS).write_bytes(LABELS_BYTES)
    (tmp_path / f"{LABELS}.gz").write_bytes(gzip.compress(LABELS_BYTES))
    assert md.read_checked(tmp_path / "raw" / LABELS, LABELS_MD5) == LABELS_BYTES
    assert md.read_checked(tmp_path / f"{LABELS}.gz", LABELS_MD5) == LABELS_BYTES
    assert md.find(tmp_path / "raw", LABELS) == tmp_path / "raw" / LABELS
    assert md.find(tmp_path, LABELS) == tmp_path / f"{LABELS}.gz"
    assert md.find(tmp_path, "missing") is None


@pytest.mark.parametrize("compressed", [True, False])
def test_a_truncated_copy_is_refused_naming_the_file_both_checksums_and_the_fix(tmp_path, compressed):
    data = gzip.compress(LABELS_BYTES) if compressed else LABELS_BYTES
    path = tmp_path / (f"{LABELS}.gz" if compressed else LABELS)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(md.DataError) as error:
        md.read_checked(path, LABELS_MD5)
    message = str(error.value)
    assert str(path) in message and f"expected {LABELS_MD5}" in message and "delete it" in message
    assert "MD5 of the decompressed bytes is " in message


def test_a_corrupt_gzip_file_is_refused(tmp_path):
    path = tmp_path / f"{LABELS}.gz"
    path.write_bytes(b"\x1f\x8b" + b"not gzip at all" * 10)
    with pytest.raises(md.DataError, match=f"{path}: not valid gzip .*delete it"):
        md.read_checked(path, LABELS_MD5)


def test_the_four_files_load_as_uint8_images_and_int64_labels(small_mnist, monkeypatch, fresh):
    monkeypatch.setenv("NN_BASICS_DATA", str(small_mnist))
    data = md.load_mnist()
    assert data.source == "full" and data.train_images.shape == (20, 28, 28) and data.test_labels.shape == (10,)
    assert data.train_images.dtype == torch.uint8 and data.train_labels.dtype == torch.int64


def test_a_bad_file_in_the_data_folder_stops_the_loader_rather_than_falling_back(small_mnist, monkeypatch, fresh):
    path = small_mnist / f"{LABELS}.gz"
    path.write_bytes(path.read_bytes()[:15])  # cut inside the compressed data, not only its trailer
    monkeypatch.setenv("NN_BASICS_DATA", str(small_mnist))
    with pytest.raises(md.DataError, match=LABELS):
        md.load_mnist()


def test_the_folder_comes_from_the_setting_relative_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NN_BASICS_DATA", "data/mnist")
    assert md.data_folder() == tmp_path / "data" / "mnist"
    monkeypatch.delenv("NN_BASICS_DATA")
    assert md.data_folder() == Path.home() / ".cache" / "nn-basics" / "mnist"


def test_full_mnist_loads_with_the_published_shapes(mnist_folder):
    data = md.load_full(mnist_folder)
    assert data.source == "full"
    assert data.train_images.shape == (60_000, 28, 28) and data.test_images.shape == (10_000, 28, 28)
    assert data.train_images.dtype == torch.uint8 and data.train_labels.dtype == torch.int64
    assert data.train_labels.bincount().tolist()[:2] == [5923, 6742]
    assert "full MNIST: 60,000 training and 10,000 test digits" == data.describe()


def test_missing_files_and_no_network_fall_back_to_the_sample_and_say_so(tmp_path, monkeypatch, fresh, caplog):
    monkeypatch.setenv("NN_BASICS_DATA", str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="nn_basics.mnist"):
        data = md.load_mnist()
    assert data.source == "sample" and md.loaded_source() == "sample"
    assert data.train_images.shape == (4000, 28, 28) and data.test_images.shape == (1000, 28, 28)
    assert data.train_images.dtype == torch.uint8 and data.train_labels.dtype == torch.int64
    assert sorted(set(data.test_labels.tolist())) == list(range(10))
    assert "5,000-digit MNIST sample" in caplog.text and str(tmp_path) in caplog.text
    assert "no network in the tests" in caplog.text
    assert list(tmp_path.iterdir()) == []  # nothing half-written


class FakeResponse(io.BytesIO):
    headers: ClassVar[dict] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_a_download_appears_only_once_its_checksum_matches(tmp_path, monkeypatch):
    good = gzip.compress(LABELS_BYTES)
    served = []

    def urlopen(url, timeout):
        served.append(url)
        return FakeResponse(good if len(served) > 1 else good[: len(good) // 2])  # the first mirror sends a truncated file

    monkeypatch.setattr(md.urllib.request, "urlopen", urlopen)
    path = md.download(LABELS, LABELS_MD5, tmp_path)
    assert served == [mirror + f"{LABELS}.gz" for mirror in md.MIRRORS]
    assert path == tmp_path / f"{LABELS}.gz" and list(tmp_path.iterdir()) == [path]
    assert hashlib.md5(gzip.decompress(path.read_bytes())).hexdigest() == LABELS_MD5


def test_a_download_that_never_matches_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(md.urllib.request, "urlopen", lambda url, timeout: FakeResponse(b"\x1f\x8b" + b"\0" * 100))
    with pytest.raises(OSError, match=f"could not download {LABELS}.gz: .*not valid gzip"):
        md.download(LABELS, LABELS_MD5, tmp_path)
    assert list(tmp_path.iterdir()) == []
