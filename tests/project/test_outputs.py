"""History CSV and in-process predictions: what train and predict write, checked at the source."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from desktop_app.data import DataError
from desktop_app.plugin_system import current_registry
from desktop_app.project import RunOverrides, build_run
from desktop_app.project.history import history_csv, write_history_csv
from desktop_app.project.predict import predict, shape_samples


def test_history_csv_has_a_row_per_epoch(tiny_project, tmp_path):
    history = build_run(tiny_project, registry=current_registry()).fit()
    rows = list(csv.DictReader(io.StringIO(history_csv(history))))
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3]
    assert list(rows[0]) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds",
                             "samples_per_second"]
    assert [float(row["val_loss"]) for row in rows] == history.series("val_loss")
    write_history_csv(tmp_path / "h.csv", history)
    assert (tmp_path / "h.csv").read_text() == history_csv(history)


def test_binary_predictions_become_two_class_probabilities(tiny_project):
    run = build_run(tiny_project, RunOverrides(epochs=30), registry=current_registry())
    run.fit()
    x = np.array([[0.8, 0.9], [0.8, -0.9], [-0.7, 0.6], [-0.5, -0.5]], dtype=np.float32)
    result = predict(run.model, run.loss, run.preprocessing, x, "points")
    assert result.is_classification and result.probabilities.shape == (4, 2)
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0, rtol=1e-6)
    logits = run.model.forward(run.data.scaler.transform(x), training=False)
    np.testing.assert_array_equal(result.labels, (logits[:, 0] > 0).astype(int))
    assert result.label_names() == [run.preprocessing.class_names[i] for i in result.labels]


def test_shape_samples():
    assert shape_samples(np.zeros((3, 64)), (1, 8, 8), "x").shape == (3, 1, 8, 8)
    assert shape_samples(np.zeros(5), (1,), "x").shape == (5, 1)
    with pytest.raises(DataError, match=r"x: the model takes samples of shape \(2,\) \(2 values each\)"):
        shape_samples(np.zeros((3, 3)), (2,), "x")
    with pytest.raises(DataError, match="inputs must be numbers"):
        shape_samples(np.array([["a", "b"]]), (2,), "x")


def test_non_finite_inputs_are_refused(tiny_project):
    run = build_run(tiny_project, registry=current_registry())
    with pytest.raises(DataError, match=r"in\.npy: sample 1 \(0-based\), feature 0: NaN or infinite inputs "
                                        r"have no prediction; fix or remove the sample\. Received: inf"):
        predict(run.model, run.loss, run.preprocessing, np.array([[0, 0], [np.inf, 0]]), "in.npy")
