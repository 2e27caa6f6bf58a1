"""Values beyond float32's range are named where they are, never turned into inf with NumPy's
RuntimeWarning and then blamed as "NaN in the data"; the scaler works in float64."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from desktop_app.data import DataError, Dataset, read_csv_dataset, read_numpy_dataset
from desktop_app.data.preprocess import Scaler, split_and_scale
from desktop_app.engine.graph import Model, stack
from desktop_app.engine.layers import BUILTIN_LAYERS
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.project import Preprocessing
from desktop_app.project.predict import predict

NEAR_LIMIT = np.array([[-3e38, 1.0], [0.0, 2.0], [3e38, 3.0]], dtype=np.float32)


@pytest.fixture(autouse=True)
def warnings_are_errors() -> Iterator[None]:
    """Any RuntimeWarning fails the test: none may reach a user."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def test_minmax_near_the_float32_limit_scales_into_zero_to_one():
    scaler = Scaler.fit("minmax", NEAR_LIMIT)
    assert scaler.offset.dtype == scaler.scale.dtype == np.float64
    np.testing.assert_allclose(scaler.transform(NEAR_LIMIT), [[0, 0], [0.5, 0.5], [1, 1]])


def test_training_data_near_the_limit_prepares_finite():
    data = Dataset(NEAR_LIMIT, np.array([0, 1, 0]), "edge", ("a", "b"))
    prepared = split_and_scale(data, loss_task="classification", output_shape=(2,), scaling="minmax")
    assert np.isfinite(prepared.x_train).all()


def test_an_input_that_scales_beyond_float32_is_named():
    scaler = Scaler.fit("minmax", NEAR_LIMIT)
    with pytest.raises(DataError) as caught:
        scaler.transform(np.array([[0.0, 1.0], [1e300, 2.0]]), source="new.npy")
    assert str(caught.value) == (
        "new.npy: sample 1, feature 0 once scaled as in training: 1.66667e+261 is beyond the range of "
        "float32 (±3.403e+38); such an input is far outside the data the model was trained on"
    )


def test_float64_samples_beyond_float32_are_named_in_npz_and_csv(tmp_path):
    x = np.zeros((4, 2))
    x[2, 1] = -1e300
    np.savez(tmp_path / "d.npz", x=x, y=np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=r"^dataset 'd': sample 2, feature 1: -1e\+300 is beyond the range "
                                        r"of float32 \(±3\.403e\+38\); datasets are held in float32"):
        read_numpy_dataset(tmp_path / "d.npz")
    (tmp_path / "d.csv").write_text("a,b,y\n1,2,0\n3,4e39,1\n")
    with pytest.raises(DataError, match=r"d\.csv: line 3, column 2 \('b'\): 4e\+39 is beyond the range"):
        read_csv_dataset(tmp_path / "d.csv", target="y")


def test_regression_targets_beyond_float32_are_named(tmp_path):
    np.savez(tmp_path / "r.npz", x=np.zeros((3, 1)), y=np.array([0.5, 1e39, 2.5]))
    with pytest.raises(DataError, match=r"array 'y': target 1: 1e\+39 is beyond the range of float32"):
        read_numpy_dataset(tmp_path / "r.npz", task="regression")


def test_a_prediction_that_overflows_inside_the_network_is_refused_by_sample():
    model = Model(stack((2,), ("Dense", {"units": 1, "use_bias": False})),
                  {cls.type_name: cls for cls in BUILTIN_LAYERS})
    model.set_weights({"dense_1/kernel": np.array([[3e38], [-3e38]], dtype=np.float32)})
    identity = Preprocessing(Scaler.fit("none", np.zeros((1, 2))), (), "d")
    x = np.array([[0.5, 0.5], [2.0, 2.0], [1.0, 0.0]])  # 6e38 - 6e38 overflows: inf - inf = NaN
    with pytest.raises(DataError) as caught:
        predict(model, MeanSquaredError(), identity, x, "new.csv")
    assert str(caught.value) == (
        "new.csv: sample 1 (0-based): the network's output is NaN or infinite (a value overflowed "
        "float32 inside the network), so it has no prediction (1 of 3 samples are affected)"
    )
