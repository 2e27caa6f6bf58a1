"""The .npz and safetensors exports: documented keys, and loading them back reproduces predictions."""

from __future__ import annotations

import json

import numpy as np
import pytest
import safetensors.numpy
from safetensors import safe_open

from desktop_app.engine.errors import GraphError
from desktop_app.engine.graph import Model, NodeSpec
from desktop_app.export import NpzExporter, SafetensorsExporter, load_safetensors_weights, load_weights
from desktop_app.export.weights import SAFETENSORS_FORMAT
from desktop_app.fileio import load_weights_npz, save_weights_npz

from .conftest import randomize, sample_inputs

NODES = [
    NodeSpec("image", "Input", {"shape": [1, 6, 6]}),
    NodeSpec("conv", "Conv2D", {"filters": 3, "padding": "same"}, ["image"]),
    NodeSpec("norm", "BatchNorm", {}, ["conv"]),
    NodeSpec("act", "ReLU", {}, ["norm"]),
    NodeSpec("flat", "Flatten", {}, ["act"]),
    NodeSpec("head", "Dense", {"units": 4}, ["flat"]),
]
EXPECTED_KEYS = {
    "conv/kernel", "conv/bias", "norm/gamma", "norm/beta", "norm/running_mean", "norm/running_var",
    "head/kernel", "head/bias",
}
EXPORTERS = {"npz": NpzExporter, "safetensors": SafetensorsExporter}


def trained_model(registry, dtype="float32") -> Model:
    model = Model(NODES, registry.layers, dtype=dtype, seed=3)
    randomize(model, seed=11)
    return model


@pytest.mark.parametrize("fmt", EXPORTERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loading_the_export_reproduces_the_predictions(registry, tmp_path, fmt, dtype) -> None:
    model = trained_model(registry, dtype)
    path = tmp_path / f"weights{EXPORTERS[fmt].suffix}"
    EXPORTERS[fmt]().export(model, path, registry=registry)

    weights = load_weights(path)
    assert set(weights) == EXPECTED_KEYS
    assert all(array.dtype == np.dtype(dtype) for array in weights.values())
    fresh = Model(NODES, registry.layers, dtype=dtype, seed=99)
    x = sample_inputs(model, 8)["image"]
    assert not np.allclose(fresh.forward(x), model.forward(x))
    fresh.set_weights(weights)
    np.testing.assert_array_equal(fresh.forward(x), model.forward(x))


def test_safetensors_metadata_describes_the_file(registry, tmp_path) -> None:
    path = tmp_path / "w.safetensors"
    SafetensorsExporter().export(trained_model(registry), path, registry=registry)
    with safe_open(path, framework="np") as handle:
        metadata = handle.metadata()
    assert metadata["format"] == SAFETENSORS_FORMAT and metadata["format_version"] == "1"
    assert metadata["dtype"] == "float32"
    assert json.loads(metadata["layers"]) == {spec.name: spec.type for spec in NODES}


def test_npz_export_is_the_project_weight_format(registry, tmp_path) -> None:
    model = trained_model(registry)
    NpzExporter().export(model, tmp_path / "w.npz", registry=registry)
    stored = load_weights_npz(tmp_path / "w.npz")
    for key, value in model.get_weights().items():
        np.testing.assert_array_equal(stored[key], value)


def test_safetensors_from_a_newer_version_is_refused(tmp_path) -> None:
    path = tmp_path / "future.safetensors"
    data = safetensors.numpy.save({"a/kernel": np.ones(2, np.float32)},
                                  metadata={"format": SAFETENSORS_FORMAT, "format_version": "7"})
    path.write_bytes(data)
    with pytest.raises(ValueError, match=r"future.safetensors.*format_version '7' is newer"):
        load_safetensors_weights(path)


def test_foreign_safetensors_without_metadata_load(tmp_path) -> None:
    path = tmp_path / "plain.safetensors"
    path.write_bytes(safetensors.numpy.save({"dense/kernel": np.arange(6, dtype=np.float32).reshape(2, 3)}))
    np.testing.assert_array_equal(load_weights(path)["dense/kernel"], np.arange(6).reshape(2, 3))


def test_non_numeric_safetensors_are_refused(tmp_path) -> None:
    path = tmp_path / "flags.safetensors"
    path.write_bytes(safetensors.numpy.save({"mask/value": np.array([True, False])}))
    with pytest.raises(ValueError, match=r"flags.safetensors.*'mask/value' has dtype bool"):
        load_weights(path)


@pytest.mark.parametrize("name, problem", [("broken.safetensors", "not a readable safetensors weights file"),
                                           ("broken.npz", "not a .npz weights file")])
def test_garbage_files_name_the_file(tmp_path, name, problem) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x00not a weights file" * 5)
    with pytest.raises(ValueError, match=f"{name}: {problem}"):
        load_weights(path)


WRITERS = {
    ".npz": save_weights_npz,
    ".safetensors": lambda path, weights: path.write_bytes(safetensors.numpy.save(weights)),
}


@pytest.mark.parametrize("suffix", WRITERS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused_naming_the_key(registry, tmp_path, suffix, bad) -> None:
    weights = trained_model(registry).get_weights()
    weights["head/kernel"][1, 2] = bad
    path = tmp_path / f"w{suffix}"
    WRITERS[suffix](path, weights)
    model = Model(NODES, registry.layers, seed=3)
    before = model.get_weights()
    with pytest.raises(GraphError, match=r"weight 'head/kernel' holds 1 NaN or inf value\(s\)") as info:
        model.set_weights(load_weights(path))
    assert info.value.node == "head"
    after = model.get_weights()  # refused before anything was loaded
    assert all(np.array_equal(before[key], after[key]) for key in before)


def test_a_float64_weight_beyond_float32_is_refused_after_the_cast(registry) -> None:
    """1e39 is finite as float64 but inf in the float32 model: checked in the model's dtype."""
    weights = {key: value.astype(np.float64) for key, value in trained_model(registry).get_weights().items()}
    weights["head/kernel"][0, 0] = 1e39
    model = Model(NODES, registry.layers, seed=3)
    before = model.get_weights()
    with pytest.raises(GraphError, match=r"weight 'head/kernel' holds 1 value\(s\) too large for float32 "
                       r"\(they would be inf\); expected finite numbers"):
        model.set_weights(weights)
    assert all(np.array_equal(before[key], value) for key, value in model.get_weights().items())
    Model(NODES, registry.layers, dtype="float64", seed=3).set_weights(weights)  # float64 holds it


def test_a_misshaped_weight_changes_nothing(registry) -> None:
    model = Model(NODES, registry.layers, seed=3)
    before = model.get_weights()
    weights = trained_model(registry).get_weights()
    weights["head/bias"] = np.zeros(5, np.float32)
    with pytest.raises(GraphError, match=r"weight 'head/bias' has shape \(5,\); the model expects \(4,\)"):
        model.set_weights(weights)
    after = model.get_weights()
    assert all(np.array_equal(before[key], after[key]) for key in before)


def test_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"nowhere.npz: weights file not found"):
        load_weights(tmp_path / "nowhere.npz")


@pytest.mark.parametrize("fmt", EXPORTERS)
def test_export_replaces_an_existing_file_atomically(registry, tmp_path, fmt) -> None:
    path = tmp_path / f"w{EXPORTERS[fmt].suffix}"
    path.write_bytes(b"old")
    EXPORTERS[fmt]().export(trained_model(registry), path, registry=registry)
    assert set(load_weights(path)) == EXPECTED_KEYS
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
