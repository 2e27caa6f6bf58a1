"""Preprocessing: seeded splits, scalers fitted on training samples only, targets shaped per loss."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data import DataError, Dataset
from desktop_app.data.preprocess import Scaler, fit_scaler, format_targets, split_and_scale


def classes(n=20, k=3) -> Dataset:
    rng = np.random.default_rng(0)
    return Dataset(rng.normal(5.0, 3.0, (n, 2)), np.arange(n) % k, "c", tuple("abc"[:k]))


def test_split_is_a_seeded_partition():
    _, train, val = fit_scaler(classes(10), 0.3, 1, "none")
    assert len(val) == 3 and len(train) == 7
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(10))
    _, again, _ = fit_scaler(classes(10), 0.3, 1, "none")
    _, other, _ = fit_scaler(classes(10), 0.3, 2, "none")
    np.testing.assert_array_equal(train, again)
    assert not np.array_equal(train, other)


def test_a_split_that_cannot_be_is_a_data_error_naming_the_setting():
    with pytest.raises(DataError, match=r"validation_split must be in \[0, 1\)\. Received: 1.0") as caught:
        fit_scaler(classes(5), 1.0, 0, "none")
    assert caught.value.setting == "validation_split"
    with pytest.raises(DataError, match="leaves no training samples out of 1") as caught:
        fit_scaler(classes(1), 0.5, 0, "none")
    assert caught.value.setting == "validation_split"


def test_standardize_fitted_on_training_split_only():
    data = classes(40)
    prepared = split_and_scale(data, loss_task="classification", output_shape=(3,), validation_split=0.25,
                       seed=0, scaling="standardize")
    np.testing.assert_allclose(prepared.x_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(prepared.x_train.std(axis=0), 1.0, atol=1e-5)
    train_raw = data.x[prepared.train_indices]
    np.testing.assert_allclose(prepared.scaler.offset, train_raw.mean(axis=0), rtol=1e-5)
    assert not np.allclose(prepared.scaler.offset, data.x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(
        prepared.x_val, (data.x[prepared.val_indices] - prepared.scaler.offset) / prepared.scaler.scale,
        rtol=1e-5,
    )


def test_minmax_and_constant_features():
    x = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    scaler = Scaler.fit("minmax", x)
    np.testing.assert_allclose(scaler.transform(x), [[0, 0], [0.5, 0], [1, 0]])
    assert scaler.transform(x).dtype == np.float32
    assert scaler.transform(x, "float64").dtype == np.float64


def test_scaler_works_per_pixel_and_round_trips():
    x = np.random.default_rng(1).normal(size=(8, 1, 2, 2)).astype(np.float32)
    scaler = Scaler.fit("standardize", x)
    assert scaler.offset.shape == (1, 2, 2)
    copy = Scaler.from_arrays(scaler.to_arrays(), "scaler.npz")
    np.testing.assert_array_equal(copy.transform(x), scaler.transform(x))
    with pytest.raises(DataError, match=r"fitted on samples of shape \(1, 2, 2\)\. Received samples of "
                                        r"shape \(4,\)"):
        scaler.transform(x.reshape(8, 4))
    with pytest.raises(DataError, match=r"scaler\.npz: expected arrays 'offset' and 'scale'"):
        Scaler.from_arrays({"offset": scaler.offset}, "scaler.npz")
    with pytest.raises(DataError, match="must be one of"):
        Scaler.fit("log", x)


def test_no_scaling_is_the_identity():
    data = classes()
    prepared = split_and_scale(data, loss_task="classification", output_shape=(3,))
    np.testing.assert_array_equal(prepared.x_train, data.x)
    assert prepared.x_val is None and prepared.y_val is None


def test_targets_per_loss_task():
    data = classes(6, 2)
    labels = format_targets(data.y, data, "classification", (2,), one_hot=False)
    np.testing.assert_array_equal(labels, data.y)
    one_hot = format_targets(data.y, data, "classification", (2,), one_hot=True)
    np.testing.assert_array_equal(one_hot, np.eye(2)[data.y])
    assert one_hot.dtype == np.float32
    column = format_targets(data.y, data, "binary", (1,), one_hot=False)
    assert column.shape == (6, 1) and column.dtype == np.float32
    np.testing.assert_array_equal(column[:, 0], data.y)
    assert format_targets(data.y, data, "regression", (2,), one_hot=False).shape == (6, 2)


def test_target_mismatches_are_explained():
    data = classes(6, 3)
    with pytest.raises(DataError, match=r"has 3 classes, so the model must output shape \(3,\) "
                                        r".*Received model output shape \(10,\)"):
        format_targets(data.y, data, "classification", (10,), one_hot=False)
    regression = Dataset(np.zeros((4, 1)), np.zeros(4), "r")
    with pytest.raises(DataError, match="holds regression targets; a classification loss needs class labels"):
        format_targets(regression.y, regression, "classification", (1,), one_hot=False)
    with pytest.raises(DataError, match=r"targets of shape \(1,\).*Received model output shape \(2,\)"):
        format_targets(regression.y, regression, "regression", (2,), one_hot=False)


def test_float64_on_request():
    data = Dataset(np.zeros((4, 1)), np.arange(4.0), "r")
    prepared = split_and_scale(data, loss_task="regression", output_shape=(1,), validation_split=0.5,
                               dtype="float64")
    assert prepared.x_train.dtype == np.float64 and prepared.y_train.dtype == np.float64
    assert prepared.x_val.dtype == np.float64
