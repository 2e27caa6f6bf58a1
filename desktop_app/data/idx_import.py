"""Import MNIST-style IDX files (images and labels, optionally gzipped).

The IDX format: two zero bytes, a type code, the number of dimensions, each dimension as a
big-endian uint32, then the values big-endian. The reader checks every part of it against the
file's size, so a truncated or foreign file is named, not half-read.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..engine.schema import ParamSpec, schema
from .dataset import Dataset
from .errors import DataError
from .source import DatasetSource
from .targets import encode_targets

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
LAYOUTS = ("image", "flat")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in one IDX file (``.gz`` files are decompressed first)."""
    source = Path(path)
    try:
        raw = gzip.decompress(source.read_bytes()) if source.suffix == ".gz" else source.read_bytes()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise DataError(f"{source}: not a readable gzip file ({error})") from None
    if not raw:
        raise DataError(f"{source}: the file is empty; expected an IDX file")
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in IDX_TYPES or raw[3] == 0:
        raise DataError(
            f"{source}: not an IDX file; expected the magic number 0x0000TTDD (type, dimensions). "
            f"Received: 0x{raw[:4].hex()}"
        )
    ndim = raw[3]
    start = 4 + 4 * ndim
    if len(raw) < start:
        raise DataError(f"{source}: the header is cut short: {ndim} dimensions need {start} bytes")
    dims = struct.unpack(f">{ndim}I", raw[4:start])
    dtype = np.dtype(IDX_TYPES[raw[2]])
    count = int(np.prod(dims))
    if len(raw) - start != count * dtype.itemsize:
        raise DataError(
            f"{source}: shape {list(dims)} needs {count * dtype.itemsize} bytes of {dtype.name} data. "
            f"Received: {len(raw) - start} bytes"
        )
    return np.frombuffer(raw, dtype, count, offset=start).reshape(dims).astype(dtype.newbyteorder("="))


def read_idx_dataset(
    images_path: str | os.PathLike,
    labels_path: str | os.PathLike,
    layout: str = "image",
    normalize: bool = True,
    name: str | None = None,
) -> Dataset:
    """Images (N, H, W) as (N, 1, H, W) or flat (N, H*W), with their class labels (N,)."""
    if layout not in LAYOUTS:
        raise DataError(f"IDX dataset: layout must be one of {list(LAYOUTS)}. Received: {layout!r}")
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim < 2:
        raise DataError(
            f"{images_path}: images must have at least 2 dimensions. Received shape {images.shape}"
        )
    if labels.ndim != 1:
        raise DataError(f"{labels_path}: labels must have 1 dimension. Received shape {labels.shape}")
    if len(images) != len(labels):
        raise DataError(
            f"{images_path}: {len(images)} images but {labels_path} has {len(labels)} labels; "
            "expected one label per image"
        )
    x = images.astype(np.float32)
    if normalize and images.dtype == np.uint8:
        x /= np.float32(255.0)
    x = x.reshape(len(x), -1) if layout == "flat" else x.reshape(len(x), 1, *images.shape[1:])
    y, class_names = encode_targets(labels, "classification", str(labels_path))
    return Dataset(x, y, name or Path(images_path).name.split(".")[0], class_names,
                   description=f"imported from {images_path}")


class IdxFiles(DatasetSource):
    type_name = "idx"
    category = "Imported"
    description = "MNIST-style IDX files: an images file and a labels file (.gz allowed)."
    path_options = ("images_path", "labels_path")
    schema = schema(
        ParamSpec("images_path", "str", "", "the images IDX file", required=True),
        ParamSpec("labels_path", "str", "", "the labels IDX file", required=True),
        ParamSpec("layout", "choice", "image", "image: (1, H, W) samples for convolutions; flat: (H*W,)",
                  choices=LAYOUTS),
        ParamSpec("normalize", "bool", True, "divide 8-bit pixel values by 255"),
    )

    def load(self) -> Dataset:
        return read_idx_dataset(**self.config)
