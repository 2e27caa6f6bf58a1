"""Every shipped example: save -> load -> train a little -> export -> onnxruntime matches the engine.

Two float32 computations of the same network differ by summation order (NumPy's BLAS and
onnxruntime's MLAS block their dot products differently): about one float32 ulp of the output.
Outputs below 32 in magnitude therefore agree within 1e-5; fully trained classifiers with larger
logits are held to the same relative precision (``float32_bound``).
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from desktop_app.export import OnnxExporter, SafetensorsExporter, build_onnx_model, load_weights
from desktop_app.plugin_system import current_registry
from desktop_app.project import (
    EXAMPLES,
    RunOverrides,
    build_model,
    build_run,
    example_path,
    load_project,
    save_project,
    save_trained,
)

from .conftest import TOLERANCE, run_onnx


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_round_trip_to_onnxruntime(name, tmp_path) -> None:
    registry = current_registry()
    project = load_project(example_path(name))
    saved = save_project(project, tmp_path / f"{name}.bps.json")
    reloaded = load_project(saved)
    assert reloaded.to_json() == project.to_json()

    run = build_run(reloaded, RunOverrides(epochs=1), registry=registry)
    initial = build_model(reloaded, registry).get_weights()
    run.fit()
    assert any(not np.array_equal(run.model.get_weights()[k], initial[k]) for k in initial), "nothing trained"
    save_trained(tmp_path / "weights.npz", run.model, run.preprocessing)
    reloaded.weights = "weights.npz"
    save_project(reloaded)

    trained_project = load_project(saved)
    model = build_model(trained_project, registry)
    model.set_weights(load_weights(trained_project.weights_path()))
    OnnxExporter().export(model, tmp_path / "model.onnx", registry=registry)
    proto = onnx.load(tmp_path / "model.onnx")
    onnx.checker.check_model(proto, full_check=True)

    x = all_samples(run)
    output = run_onnx(proto, {model.input_names[0]: x})[model.output_names[0]]
    expected = run.model.forward(x, training=False)
    assert output.shape == expected.shape
    assert np.abs(output - expected).max() <= TOLERANCE


def all_samples(run) -> np.ndarray:
    parts = [run.data.x_train] + ([run.data.x_val] if run.data.x_val is not None else [])
    return np.concatenate(parts)


def float32_bound(expected: np.ndarray) -> float:
    """1e-5 for outputs up to 32 in magnitude; beyond, the same relative precision (~2.6 ulp)."""
    return TOLERANCE * max(1.0, float(np.abs(expected).max()) / 32.0)


@pytest.mark.parametrize("name", EXAMPLES)
def test_fully_trained_example_matches_to_float32_precision(name) -> None:
    registry = current_registry()
    run = build_run(load_project(example_path(name)), registry=registry)
    run.fit()
    x = all_samples(run)
    proto = build_onnx_model(run.model, registry)
    output = run_onnx(proto, {run.model.input_names[0]: x})[run.model.output_names[0]]
    expected = run.model.forward(x)
    assert np.abs(output - expected).max() <= float32_bound(expected)


def test_safetensors_export_of_a_trained_example_predicts_the_same(tmp_path) -> None:
    registry = current_registry()
    run = build_run(load_project(example_path("digits_cnn")), RunOverrides(epochs=1), registry=registry)
    run.fit()
    SafetensorsExporter().export(run.model, tmp_path / "digits.safetensors", registry=registry)
    model = build_model(run.project, registry, seed=123)
    model.set_weights(load_weights(tmp_path / "digits.safetensors"))
    x = run.data.x_val
    np.testing.assert_array_equal(model.forward(x), run.model.forward(x))
