"""``backprop-studio export`` end to end through a subprocess: each format, and bad input."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from cli.cli_run import assert_one_line_error, run_cli

from desktop_app.engine.losses import CategoricalCrossentropy
from desktop_app.engine.numerics import softmax
from desktop_app.export import load_weights
from desktop_app.fileio import save_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import (
    RunOverrides,
    build_model,
    build_run,
    example_path,
    load_dataset,
    load_project,
    save_project,
    save_trained,
)
from desktop_app.project.exporting import RAW_GRAPH
from desktop_app.project.predict import predict
from desktop_app.project.run import fit_preprocessing

from .conftest import FLOAT64_TOLERANCE, TOLERANCE, run_onnx


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """A copy of the residual example trained for a few epochs: (project, weights, arrays, x, y)."""
    folder = tmp_path_factory.mktemp("trained")
    project = load_project(example_path("residual_mlp"))
    run = build_run(project, RunOverrides(epochs=3), registry=current_registry())
    run.fit()
    weights = folder / "weights.npz"
    save_trained(weights, run.model, run.preprocessing)
    path = save_project(project, folder / "residual.bps.json")
    x = run.data.x_val
    return path, weights, run.model.get_weights(), x, run.model.forward(x)


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, home=cwd, cwd=cwd)


def test_onnx_export_runs_in_onnxruntime(trained, tmp_path) -> None:
    project, weights, _, x, expected = trained
    result = cli("export", project, "--weights", weights, "--format", "onnx", "-o", "model.onnx",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "as onnx to model.onnx" in result.stdout and "note:" not in result.stdout
    proto = onnx.load(tmp_path / "model.onnx")
    output = run_onnx(proto, {"input": x})  # residual_mlp does not scale its inputs
    assert list(output) == ["logits", "probabilities"]
    assert np.abs(output["logits"] - expected).max() <= TOLERANCE
    assert np.abs(output["probabilities"] - softmax(expected, axis=1)).max() <= TOLERANCE


@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> tuple[Path, Path, object]:
    """sine_regression (standardized inputs) trained one epoch: (project, weights, run)."""
    folder = tmp_path_factory.mktemp("scaled")
    project = load_project(example_path("sine_regression"))
    run = build_run(project, RunOverrides(epochs=1), registry=current_registry())
    run.fit()
    save_trained(folder / "sine.npz", run.model, run.preprocessing)
    return save_project(project, folder / "sine.bps.json"), folder / "sine.npz", run


def test_onnx_export_takes_raw_inputs_as_predict_does(scaled, tmp_path) -> None:
    project, weights, run = scaled
    result = cli("export", project, "--weights", weights, "-o", "m.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stdout
    x = run.data.dataset.x
    output = run_onnx(onnx.load(tmp_path / "m.onnx"), {"input": x})
    expected = predict(run.model, run.loss, run.preprocessing, x, "test").values
    assert list(output) == ["values"]
    assert np.abs(output["values"] - expected).max() <= TOLERANCE
    metadata = {prop.key: prop.value for prop in onnx.load(tmp_path / "m.onnx").metadata_props}
    assert metadata["includes_input_scaling"] == "true" and metadata["project_name"] == "Sine regression"


def test_raw_export_is_the_network_on_scaled_inputs(scaled, tmp_path) -> None:
    project, weights, run = scaled
    result = cli("export", project, "--weights", weights, "--raw", "-o", "raw.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: the raw graph expects inputs scaled as in training" in result.stdout
    assert str(weights.with_name("sine.data.json")) in result.stdout
    scaled_x = run.data.x_train
    output = run_onnx(onnx.load(tmp_path / "raw.onnx"), {"input": scaled_x})
    assert list(output) == ["output"]
    assert np.abs(output["output"] - run.model.forward(scaled_x, training=False)).max() <= TOLERANCE
    metadata = {prop.key: prop.value for prop in onnx.load(tmp_path / "raw.onnx").metadata_props}
    assert metadata["includes_input_scaling"] == "false"


def test_raw_is_refused_for_weight_formats(scaled, tmp_path) -> None:
    project, weights, _ = scaled
    result = cli("export", project, "--weights", weights, "--raw", "-o", "w.npz", cwd=tmp_path)
    assert_one_line_error(result, "--raw is for ONNX exports", "npz")
    assert not (tmp_path / "w.npz").exists()


@pytest.mark.parametrize("fmt, name", [("npz", "w.npz"), ("safetensors", "w.safetensors")])
def test_weight_exports_hold_the_trained_arrays(trained, tmp_path, fmt, name) -> None:
    project, weights, arrays, _, _ = trained
    result = cli("export", project, "--weights", weights, "--format", fmt, "-o", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    exported = load_weights(tmp_path / name)
    assert set(exported) == set(arrays)
    for key, value in arrays.items():
        np.testing.assert_array_equal(exported[key], value)


def test_format_from_suffix_and_weights_from_the_project(trained, tmp_path) -> None:
    project, weights, arrays, _, _ = trained
    shutil.copy(project, tmp_path / "p.bps.json")
    shutil.copy(weights, tmp_path / "trained.npz")
    document = load_project(tmp_path / "p.bps.json")
    document.weights = "trained.npz"
    save_project(document)
    result = cli("export", "p.bps.json", "-o", "out.safetensors", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "as safetensors" in result.stdout
    exported = load_weights(tmp_path / "out.safetensors")
    np.testing.assert_array_equal(exported["logits/kernel"], arrays["logits/kernel"])


def test_safetensors_weights_can_be_exported_to_onnx(trained, tmp_path) -> None:
    project, weights, _, x, expected = trained
    assert cli("export", project, "--weights", weights, "-o", "w.safetensors", cwd=tmp_path).returncode == 0
    result = cli("export", project, "--weights", "w.safetensors", "-o", "m.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # no preprocessing record beside w.safetensors: the raw graph, said in one line
    note = f"note: no preprocessing record beside w.safetensors: {RAW_GRAPH}"
    assert result.stdout.splitlines()[-1] == note
    output = run_onnx(onnx.load(tmp_path / "m.onnx"), {"input": x})
    assert np.abs(output["logits"] - expected).max() <= TOLERANCE


def test_float64_cnn_export_runs_in_onnxruntime_to_1e_12(tmp_path) -> None:
    """onnxruntime's CPU provider has no double Conv: the export must still load and agree."""
    project = load_project(example_path("digits_cnn"))
    project.dtype = "float64"
    path = save_project(project, tmp_path / "cnn64.bps.json")
    model = build_model(project, current_registry())
    save_weights_npz(tmp_path / "w.npz", model.get_weights())
    result = cli("export", path, "--weights", "w.npz", "-o", "cnn64.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    x = np.random.default_rng(0).uniform(0.0, 1.0, (7, *model.shapes[model.input_names[0]]))
    output = next(iter(run_onnx(onnx.load(tmp_path / "cnn64.onnx"), {model.input_names[0]: x}).values()))
    assert output.dtype == np.float64
    assert np.abs(output - model.forward(x, training=False)).max() <= FLOAT64_TOLERANCE


def test_float64_deployable_export_answers_as_predict_to_1e_12(tmp_path) -> None:
    project = load_project(example_path("digits_cnn"))
    project.dtype = "float64"
    path = save_project(project, tmp_path / "cnn64.bps.json")
    registry = current_registry()
    model = build_model(project, registry)
    preprocessing = fit_preprocessing(project, registry)
    save_trained(tmp_path / "w.npz", model, preprocessing)
    result = cli("export", path, "--weights", "w.npz", "-o", "cnn64.onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    x = load_dataset(project, current_registry()).x[:50]
    outputs = run_onnx(onnx.load(tmp_path / "cnn64.onnx"), {"input": x.astype(np.float64)})
    probabilities = outputs["probabilities"]
    expected = predict(model, CategoricalCrossentropy(), preprocessing, x, "test").probabilities
    assert probabilities.dtype == np.float64
    assert np.abs(probabilities - expected).max() <= FLOAT64_TOLERANCE


def test_unknown_format(trained, tmp_path) -> None:
    project, weights, *_ = trained
    result = cli("export", project, "--weights", weights, "--format", "keras", "-o", "m.h5", cwd=tmp_path)
    assert_one_line_error(result, "unknown export format", "'onnx'", "'pytorch'", "Received: 'keras'")
    assert not (tmp_path / "m.h5").exists()


def test_unguessable_format(trained, tmp_path) -> None:
    project, weights, *_ = trained
    result = cli("export", project, "--weights", weights, "-o", "model.bin", cwd=tmp_path)
    assert_one_line_error(result, "cannot tell the export format", "model.bin", "--format")


def test_missing_weights_file(trained, tmp_path) -> None:
    project, *_ = trained
    result = cli("export", project, "--weights", "nowhere.npz", "-o", "m.onnx", cwd=tmp_path)
    assert_one_line_error(result, "nowhere.npz", "not found")
    assert not (tmp_path / "m.onnx").exists()


def test_weights_of_another_model(trained, tmp_path) -> None:
    project, *_ = trained
    save_weights_npz(tmp_path / "other.npz", {"dense/kernel": np.zeros((2, 2), np.float32)})
    result = cli("export", project, "--weights", "other.npz", "-o", "m.onnx", cwd=tmp_path)
    assert_one_line_error(result, "other.npz", "weights do not fit this model", "dense/kernel")


def test_project_without_weights(tmp_path) -> None:
    result = cli("export", example_path("xor_mlp"), "-o", "m.onnx", cwd=tmp_path)
    assert_one_line_error(result, "xor_mlp.bps.json", "no trained weights", "--weights")


def test_missing_output_folder(trained, tmp_path) -> None:
    project, weights, *_ = trained
    result = cli("export", project, "--weights", weights, "-o", "missing/m.onnx", cwd=tmp_path)
    assert_one_line_error(result, "missing/m.onnx", "does not exist")


def test_missing_project(tmp_path) -> None:
    result = cli("export", "absent.bps.json", "--weights", "w.npz", "-o", "m.onnx", cwd=tmp_path)
    assert_one_line_error(result, "absent.bps.json")


def test_a_suffix_that_contradicts_the_format_is_refused(trained, tmp_path) -> None:
    project, weights, *_ = trained
    result = cli("export", project, "--weights", weights, "--format", "npz", "-o", "mism.onnx", cwd=tmp_path)
    assert_one_line_error(result, "mism.onnx", "'.onnx' is the onnx format's", "--format is npz",
                          "Expected a file name ending in '.npz'")
    assert not (tmp_path / "mism.onnx").exists()


@pytest.mark.parametrize("fmt, name", [("ONNX", "m.onnx"), ("SafeTensors", "w.safetensors"),
                                       ("Npz", "w.bin")])
def test_the_format_is_matched_in_any_case(trained, tmp_path, fmt, name) -> None:
    project, weights, *_ = trained
    result = cli("export", project, "--weights", weights, "--format", fmt, "-o", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"as {fmt.lower()} to {name}" in result.stdout


@pytest.mark.parametrize("name, damage, problem", [
    ("trunc.npz", lambda data: data[: len(data) // 2], "not a valid .npz file (truncated or corrupt)"),
    ("x.txt", lambda data: b"input/kernel,0.5\n", "not a .npz weights file"),
])
def test_unreadable_weights_are_named(trained, tmp_path, name, damage, problem) -> None:
    project, weights, *_ = trained
    (tmp_path / name).write_bytes(damage(weights.read_bytes()))
    line = assert_one_line_error(cli("export", project, "--weights", name, "-o", "m.onnx", cwd=tmp_path))
    assert line == f"error: {name}: {problem}"
    assert not (tmp_path / "m.onnx").exists()


def test_weights_holding_nan_are_refused(trained, tmp_path) -> None:
    project, _, arrays, *_ = trained
    key = next(key for key in arrays if key.endswith("/kernel"))
    save_weights_npz(tmp_path / "nanw.npz", {**arrays, key: np.full_like(arrays[key], np.nan)})
    result = cli("export", project, "--weights", "nanw.npz", "-o", "m.onnx", cwd=tmp_path)
    assert_one_line_error(result, "nanw.npz", f"weight '{key}'", "NaN or inf")
    assert not (tmp_path / "m.onnx").exists()


def test_train_and_gradcheck_start_from_exported_safetensors(trained, tmp_path) -> None:
    """One loader for every --weights: what export writes, train and gradcheck read."""
    project, weights, arrays, *_ = trained
    assert cli("export", project, "--weights", weights, "-o", "w.safetensors", cwd=tmp_path).returncode == 0
    run = build_run(load_project(project), RunOverrides(weights=tmp_path / "w.safetensors"),
                    registry=current_registry())
    assert all(np.array_equal(run.model.get_weights()[key], arrays[key]) for key in arrays)
    trained_again = cli("train", project, "--weights", "w.safetensors", "--epochs", "1", "--out", "run",
                        cwd=tmp_path)
    assert trained_again.returncode == 0, trained_again.stderr
    assert (tmp_path / "run" / "weights.npz").is_file()
    checked = cli("gradcheck", project, "--weights", "w.safetensors", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("command", ["train", "predict", "export", "gradcheck"])
def test_every_weights_option_names_both_formats(command, tmp_path) -> None:
    result = cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--weights" in result.stdout
    assert ".npz" in result.stdout and ".safetensors" in result.stdout, result.stdout
