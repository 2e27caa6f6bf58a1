"""The probe lab's NumPy side: activations, the point map's PCA, and the Dense-unit edits, each
checked against an independent computation."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.plugin_system import current_registry
from desktop_app.project import example_path, load_project
from desktop_app.project.predict import predict
from desktop_app.project.probing import (
    accuracy,
    dense_nodes,
    incoming_weights,
    layer_weights,
    node_outputs,
    pixel_layout,
    principal_projection,
    probe,
    scaled_layer,
    set_layer_weights,
    zeroed_unit,
)
from desktop_app.project.run import build_run


def digits_run(name: str = "digits_mlp"):
    return build_run(load_project(example_path(name)), registry=current_registry())


def hand_forward(run, x_raw: np.ndarray) -> dict[str, np.ndarray]:
    """The digits MLP (input -> hidden Dense -> ReLU -> logits Dense) written out in NumPy."""
    scaler = run.preprocessing.scaler
    x = ((x_raw.astype(np.float64) - scaler.offset) / scaler.scale).astype(np.float32)
    params = run.model.layers
    hidden = x @ params["hidden"].params["kernel"] + params["hidden"].params["bias"]
    relu = np.maximum(hidden, 0)
    logits = relu @ params["logits"].params["kernel"] + params["logits"].params["bias"]
    return {"hidden": hidden, "relu": relu, "logits": logits}


def test_probe_gives_every_node_and_the_prediction_predict_gives():
    run = digits_run()
    x = run.data.dataset.x[:3]
    looked = probe(run.model, run.loss, run.preprocessing, x, "test")
    assert list(looked.activations) == run.model.order
    by_hand = hand_forward(run, x)
    for name, expected in by_hand.items():
        np.testing.assert_allclose(looked.activations[name], expected, rtol=1e-5, atol=1e-5)
    expected = predict(run.model, run.loss, run.preprocessing, x, "test")
    np.testing.assert_array_equal(looked.predictions.probabilities, expected.probabilities)


def test_node_outputs_cover_every_sample_in_batches(monkeypatch):
    run = digits_run()
    monkeypatch.setattr("desktop_app.project.probing.BATCH", 7)
    x = run.data.dataset.x[:20]
    outputs = node_outputs(run.model, run.preprocessing, x, "relu", "test")
    np.testing.assert_allclose(outputs, hand_forward(run, x)["relu"], rtol=1e-5, atol=1e-5)


def numpy_pca(values: np.ndarray) -> np.ndarray:
    """The textbook route, independent of the SVD: eigenvectors of the covariance matrix."""
    centred = values - values.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(centred, rowvar=False))
    top = eigenvectors[:, np.argsort(eigenvalues)[::-1][:2]]
    return centred @ top


def test_the_point_map_is_the_pca_projection_up_to_each_axis_sign():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(200, 6)) @ np.diag([5.0, 3.0, 1.0, 0.5, 0.2, 0.1])
    mapped = principal_projection(values)
    expected = numpy_pca(values)
    for axis in range(2):
        sign = np.sign(expected[:, axis] @ mapped.coords[:, axis])
        np.testing.assert_allclose(mapped.coords[:, axis], sign * expected[:, axis], atol=1e-9)
    variance = np.linalg.eigvalsh(np.cov(values, rowvar=False))[::-1]
    np.testing.assert_allclose(mapped.explained, variance[:2] / variance.sum())


def test_the_point_map_of_one_feature_or_one_sample_is_finite():
    assert principal_projection(np.arange(5.0).reshape(5, 1)).coords[:, 1].tolist() == [0.0] * 5
    single = principal_projection(np.ones((1, 4)))
    assert np.all(single.coords == 0) and single.explained == (0.0, 0.0)


def test_the_weights_of_a_pixel_reading_unit_are_a_picture():
    mlp, cnn = digits_run(), digits_run("digits_cnn")
    assert dense_nodes(mlp.model) == ["hidden", "logits"]
    assert pixel_layout(mlp.model, "hidden") == (1, 8, 8)
    assert pixel_layout(mlp.model, "logits") is None
    assert pixel_layout(cnn.model, "hidden") is None  # it reads pooled feature maps
    np.testing.assert_array_equal(incoming_weights(mlp.model, "hidden", 5),
                                  mlp.model.layers["hidden"].params["kernel"][:, 5])


def test_zeroing_a_unit_silences_it_and_changes_the_outputs_as_by_hand():
    run = digits_run()
    x = run.data.dataset.x[:4]
    before = layer_weights(run.model, "hidden")
    set_layer_weights(run.model, "hidden", zeroed_unit(run.model, "hidden", 3))
    looked = probe(run.model, run.loss, run.preprocessing, x, "test")
    assert np.all(looked.activations["hidden"][:, 3] == 0)
    by_hand = hand_forward(run, x)  # with the edited weights
    np.testing.assert_allclose(looked.activations["logits"], by_hand["logits"], rtol=1e-5, atol=1e-5)
    kernel, bias = before["kernel"].copy(), before["bias"].copy()
    kernel[:, 3], bias[3] = 0, 0
    np.testing.assert_array_equal(run.model.layers["hidden"].params["kernel"], kernel)
    np.testing.assert_array_equal(run.model.layers["hidden"].params["bias"], bias)


def test_scaling_a_layer_by_zero_leaves_chance_accuracy():
    run = digits_run()
    x, y = run.data.dataset.x, run.data.dataset.y
    set_layer_weights(run.model, "logits", scaled_layer(run.model, "logits", 0.0))
    # every logit 0: softmax is uniform and argmax picks class 0
    assert accuracy(run.model, run.loss, run.preprocessing, x, y, "test") == pytest.approx(np.mean(y == 0))
