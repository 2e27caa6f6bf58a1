"""NumPy import: .npz and .npy pairs load; object arrays, mismatches and NaN are refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data import DataError, NumpyFile, read_numpy_dataset, read_numpy_samples


def test_npz_with_integer_labels(tmp_path):
    path = tmp_path / "d.npz"
    x = np.arange(12, dtype=np.float64).reshape(6, 2)
    np.savez(path, x=x, y=np.array([0, 1, 2, 0, 1, 2]))
    data = read_numpy_dataset(path)
    assert data.x.dtype == np.float32
    np.testing.assert_array_equal(data.x, x)
    np.testing.assert_array_equal(data.y, [0, 1, 2, 0, 1, 2])
    assert data.name == "d"
    assert data.task == "classification"


def test_npz_keys_match_either_case_and_images_keep_their_shape(tmp_path):
    path = tmp_path / "images.npz"
    np.savez(path, X=np.zeros((4, 1, 3, 3)), Y=np.array(["a", "b", "a", "b"]))
    data = read_numpy_dataset(path)
    assert data.sample_shape == (1, 3, 3)
    assert data.class_names == ("a", "b")


def test_npy_pair_regression_and_one_dimensional_x(tmp_path):
    np.save(tmp_path / "x.npy", np.linspace(0, 1, 5))
    np.save(tmp_path / "y.npy", np.linspace(0, 1, 5) ** 2)
    data = read_numpy_dataset(tmp_path / "x.npy", y_path=tmp_path / "y.npy")
    assert data.sample_shape == (1,)
    assert data.task == "regression"
    np.testing.assert_allclose(data.y[:, 0], np.linspace(0, 1, 5) ** 2, rtol=1e-6)


def test_one_hot_targets_become_labels_when_classification_is_asked(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((3, 2)), y=np.eye(3)[[2, 0, 1]])
    assert read_numpy_dataset(path).task == "regression"
    np.testing.assert_array_equal(read_numpy_dataset(path, task="classification").y, [2, 0, 1])


def test_npz_object_array_is_refused_without_running_code(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, x=np.zeros((2, 2)), y=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(DataError, match=r"evil\.npz: array 'y' holds Python objects.*allow_pickle=False"):
        read_numpy_dataset(path)


def test_npy_object_array_is_refused(tmp_path):
    np.save(tmp_path / "x.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True)
    np.save(tmp_path / "y.npy", np.array([0]))
    with pytest.raises(DataError, match=r"x\.npy: holds pickled Python objects"):
        read_numpy_dataset(tmp_path / "x.npy", y_path=tmp_path / "y.npy")


def test_length_mismatch_names_both_counts(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((5, 2)), y=np.zeros(4, dtype=int))
    with pytest.raises(DataError, match=r"d\.npz: X has 5 samples but y has 4"):
        read_numpy_dataset(path)


def test_nan_in_x_names_sample_and_index(tmp_path):
    x = np.zeros((4, 3))
    x[2, 1] = np.nan
    path = tmp_path / "d.npz"
    np.savez(path, x=x, y=np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=r"d\.npz: X sample 2 holds NaN or inf at index \[1\]"):
        read_numpy_dataset(path)


def test_missing_key_lists_the_arrays(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, inputs=np.zeros((2, 2)), y=np.array([0, 1]))
    with pytest.raises(DataError, match=r"no array named 'x'\. Arrays in the file: \['inputs', 'y'\]"):
        read_numpy_dataset(path)
    assert read_numpy_dataset(path, x_key="inputs").sample_shape == (2,)


def test_same_array_for_x_and_y_is_refused(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((2, 2)))
    with pytest.raises(DataError, match="two different arrays"):
        read_numpy_dataset(path, y_key="x")


def test_npy_without_targets_explains(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((2, 2)))
    with pytest.raises(DataError, match="give the targets' .npy file as y_path"):
        read_numpy_dataset(tmp_path / "x.npy")


def test_empty_and_foreign_files(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.npz: the file is empty"):
        read_numpy_dataset(tmp_path / "empty.npz")
    (tmp_path / "text.npy").write_text("1,2,3\n")
    np.save(tmp_path / "y.npy", np.zeros(1))
    with pytest.raises(DataError, match=r"text\.npy: not a NumPy file \(expected an \.npy array or an \.npz"):
        read_numpy_dataset(tmp_path / "text.npy", y_path=tmp_path / "y.npy")


def test_string_samples_are_refused(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.array([["a", "b"]]), y=np.array([0]))
    with pytest.raises(DataError, match=r"X must be numeric\. Received dtype <U1"):
        read_numpy_dataset(path)


def test_source_declares_both_path_options(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.ones((4, 2)), y=np.array([0, 1, 1, 0]))
    assert NumpyFile.path_options == ("path", "y_path")
    assert NumpyFile(path=str(path)).load().class_names == ("0", "1")


def test_samples_for_prediction(tmp_path):
    from desktop_app.data import read_numpy_samples

    np.save(tmp_path / "a.npy", np.ones((3, 2)))
    np.savez(tmp_path / "one.npz", inputs=np.zeros((2, 2)))
    np.savez(tmp_path / "two.npz", X=np.ones((4, 2)), y=np.zeros(4))
    np.savez(tmp_path / "none.npz", a=np.ones(1), b=np.ones(1))
    assert read_numpy_samples(tmp_path / "a.npy").shape == (3, 2)
    assert read_numpy_samples(tmp_path / "one.npz").shape == (2, 2)
    assert read_numpy_samples(tmp_path / "two.npz").shape == (4, 2)
    with pytest.raises(DataError, match=r"none\.npz: no array named 'x'\. Arrays in the file: \['a', 'b'\]"):
        read_numpy_samples(tmp_path / "none.npz")


def test_complex_arrays_are_refused_naming_the_array(tmp_path):
    np.savez(tmp_path / "c.npz", x=np.ones((4, 2)) * (1 + 1j), y=np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=r"c\.npz: array 'x' holds complex numbers \(dtype complex128\); "
                                        r"expected real numbers"):
        read_numpy_dataset(tmp_path / "c.npz")
    np.save(tmp_path / "x.npy", np.ones((4, 2)))
    np.save(tmp_path / "y.npy", np.array([0, 1, 0, 1j]))
    with pytest.raises(DataError, match=r"y\.npy: y holds complex numbers"):
        read_numpy_dataset(tmp_path / "x.npy", y_path=tmp_path / "y.npy")
    np.save(tmp_path / "new.npy", np.ones((2, 2), np.complex64))
    with pytest.raises(DataError, match=r"new\.npy: the array holds complex numbers \(dtype complex64\)"):
        read_numpy_samples(tmp_path / "new.npy")


@pytest.mark.parametrize("name", ["table.csv", "table.npz", "table.npy"])
def test_a_file_that_is_not_numpy_is_named_as_such(tmp_path, name):
    (tmp_path / name).write_text("a,b,label\n1,2,0\n3,4,1\n")
    hint = "; for a CSV table use the dataset type 'csv'" if name.endswith(".csv") else ""
    with pytest.raises(DataError) as caught:
        read_numpy_dataset(tmp_path / name)
    assert str(caught.value) == (f"{tmp_path / name}: not a NumPy file (expected an .npy array or an .npz "
                                 f"archive){hint}")


def _damaged_copies(tmp_path):
    """A truncated .npy, a truncated .npz and an .npz with one flipped byte inside its first array."""
    np.save(tmp_path / "whole.npy", np.ones((100, 3)))
    data = (tmp_path / "whole.npy").read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[: len(data) // 2])
    np.savez(tmp_path / "whole.npz", x=np.ones((100, 3)), y=np.arange(100) % 2)
    data = (tmp_path / "whole.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[200] ^= 0xFF
    (tmp_path / "flipped.npz").write_bytes(bytes(flipped))
    return [tmp_path / name for name in ("cut.npy", "cut.npz", "flipped.npz")]


def test_a_truncated_or_corrupt_file_is_named_as_such(tmp_path):
    np.save(tmp_path / "y.npy", np.arange(100) % 2)
    for path in _damaged_copies(tmp_path):
        for read in (read_numpy_samples, lambda p: read_numpy_dataset(p, y_path=tmp_path / "y.npy")):
            with pytest.raises(DataError) as caught:
                read(path)
            assert str(caught.value).startswith(f"{path}: not a readable NumPy file (truncated or corrupt: ")
