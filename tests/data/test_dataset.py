"""Dataset checks: dtype, shapes, labels in range, finite values, one target per sample."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data import DataError, Dataset


def test_casts_samples_to_float32_and_regression_targets_to_columns():
    data = Dataset(np.arange(6, dtype=np.int64).reshape(3, 2), np.array([0.5, 1.0, 2.0]), "d")
    assert data.x.dtype == np.float32
    assert data.y.shape == (3, 1) and data.y.dtype == np.float32
    assert data.task == "regression"
    assert data.sample_shape == (2,) and data.target_shape == (1,)
    assert len(data) == 3


def test_task_follows_the_number_of_classes():
    x = np.zeros((4, 2))
    assert Dataset(x, np.array([0, 1, 1, 0]), "d", ("a", "b")).task == "binary"
    assert Dataset(x, np.array([0, 1, 2, 0]), "d", ("a", "b", "c")).task == "classification"


@pytest.mark.parametrize(
    ("x", "y", "classes", "pattern"),
    [
        (np.zeros((3, 2)), np.array([0, 1]), ("a", "b"), "3 samples but 2 targets"),
        (np.zeros((0, 2)), np.zeros(0, int), ("a", "b"), "holds no samples"),
        (np.zeros(3), np.zeros(3, int), ("a", "b"), r"shaped \(N, features...\)"),
        (np.array([["a"], ["b"]]), np.array([0, 1]), ("a", "b"), "samples must be numeric"),
        (np.array([[0.0, np.inf]]), np.array([0]), ("a", "b"), "sample 0 holds a NaN or infinite value "
                                                                "at feature 1"),
        (np.zeros((2, 1)), np.array([0, 2]), ("a", "b"), r"label 2 of sample 1 is not a class index 0\.\.1"),
        (np.zeros((2, 1)), np.array([0.0, 1.0]), ("a", "b"), "class labels must be integers"),
        (np.zeros((2, 1)), np.array([0.0, np.nan]), (), "target 1 is NaN or infinite"),
    ],
)
def test_bad_data_is_named(x, y, classes, pattern):
    with pytest.raises(DataError, match=pattern):
        Dataset(x, y, "d", classes)


def test_image_nan_position_is_given_in_full():
    x = np.zeros((2, 1, 3, 3))
    x[1, 0, 2, 1] = np.nan
    with pytest.raises(DataError, match=r"sample 1 holds a NaN or infinite value at feature \(0, 2, 1\)"):
        Dataset(x, np.array([0, 1]), "img", ("a", "b"))


def test_feature_names_must_match_flat_samples():
    with pytest.raises(DataError, match="3 feature names for samples of shape"):
        Dataset(np.zeros((2, 2)), np.array([0, 1]), "d", ("a", "b"), ("f1", "f2", "f3"))


def test_subset_keeps_metadata():
    data = Dataset(np.arange(8).reshape(4, 2), np.array([0, 1, 1, 0]), "d", ("a", "b"), ("u", "v"))
    part = data.subset(np.array([1, 2]))
    np.testing.assert_array_equal(part.y, [1, 1])
    assert part.class_names == ("a", "b") and part.feature_names == ("u", "v")
