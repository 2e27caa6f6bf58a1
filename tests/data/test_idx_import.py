"""IDX import: MNIST-style files (plain and gzipped) read back exactly; malformed files are named."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from desktop_app.data import DataError, IdxFiles, read_idx, read_idx_dataset


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    dtype = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4"}[code]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


@pytest.fixture
def mnist_like(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (10, 4, 5), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], dtype=np.uint8)
    (tmp_path / "images-idx3-ubyte").write_bytes(idx_bytes(images, 0x08))
    (tmp_path / "labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels, 0x08)))
    return tmp_path / "images-idx3-ubyte", tmp_path / "labels-idx1-ubyte.gz", images, labels


def test_round_trip_of_types(tmp_path):
    values = np.array([[-3, 7], [1000, -1]], dtype=np.int16)
    (tmp_path / "a.idx").write_bytes(idx_bytes(values, 0x0B))
    np.testing.assert_array_equal(read_idx(tmp_path / "a.idx"), values)
    floats = np.array([0.5, -2.25], dtype=np.float32)
    (tmp_path / "f.idx").write_bytes(idx_bytes(floats, 0x0D))
    np.testing.assert_array_equal(read_idx(tmp_path / "f.idx"), floats)


def test_image_layout_normalized(mnist_like):
    images_path, labels_path, images, labels = mnist_like
    data = read_idx_dataset(images_path, labels_path)
    assert data.x.shape == (10, 1, 4, 5)
    np.testing.assert_allclose(data.x[:, 0], images / 255.0, rtol=1e-6)
    assert data.class_names == ("1", "2", "3", "4", "5", "6", "9")
    np.testing.assert_array_equal(np.array(data.class_names, dtype=int)[data.y], labels)


def test_flat_layout_raw_values(mnist_like):
    images_path, labels_path, images, _ = mnist_like
    data = IdxFiles(images_path=str(images_path), labels_path=str(labels_path), layout="flat",
                    normalize=False).load()
    np.testing.assert_array_equal(data.x, images.reshape(10, 20))


def test_count_mismatch(tmp_path, mnist_like):
    images_path, _, _, _ = mnist_like
    (tmp_path / "short").write_bytes(idx_bytes(np.zeros(9, np.uint8), 0x08))
    with pytest.raises(DataError, match=r"10 images but .*short has 9 labels"):
        read_idx_dataset(images_path, tmp_path / "short")


@pytest.mark.parametrize(
    ("payload", "pattern"),
    [
        (b"", "the file is empty"),
        (b"\x1f\x8bnot", "not an IDX file.*Received: 0x1f8b6e6f"),
        (bytes([0, 0, 0x08, 3, 0, 0]), "header is cut short: 3 dimensions need 16 bytes"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]), r"shape \[5\] needs 5 bytes of uint8 data\. Received: 2"),
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 1]), "not an IDX file"),
    ],
)
def test_malformed_idx(tmp_path, payload, pattern):
    (tmp_path / "bad.idx").write_bytes(payload)
    with pytest.raises(DataError, match=pattern):
        read_idx(tmp_path / "bad.idx")


def test_bad_gzip(tmp_path):
    (tmp_path / "bad.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match=r"bad\.gz: not a readable gzip file"):
        read_idx(tmp_path / "bad.gz")


def test_gzip_with_corrupt_compressed_data(tmp_path):
    header = gzip.compress(b"")[:10]
    # 0x07: a final deflate block of type 3, which does not exist
    (tmp_path / "corrupt.gz").write_bytes(header + b"\x07" + bytes(8))
    with pytest.raises(DataError, match=r"corrupt\.gz: not a readable gzip file \(.*invalid block type"):
        read_idx(tmp_path / "corrupt.gz")


def test_labels_must_be_one_dimensional(tmp_path, mnist_like):
    images_path, _, _, _ = mnist_like
    (tmp_path / "labels2d").write_bytes(idx_bytes(np.zeros((10, 2), np.uint8), 0x08))
    with pytest.raises(DataError, match=r"labels must have 1 dimension\. Received shape \(10, 2\)"):
        read_idx_dataset(images_path, tmp_path / "labels2d")
