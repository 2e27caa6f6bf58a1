"""``backprop-studio predict`` end to end: CSV/.npy/.npz in and out, same numbers as in process, errors."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from desktop_app.data.preprocess import Scaler
from desktop_app.fileio import save_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import (
    Preprocessing,
    RunOverrides,
    build_run,
    example_path,
    load_project,
    save_project,
    save_trained,
    sidecar_path,
)
from desktop_app.project.predict import predict

from .cli_run import assert_one_line_error, main_error, run_cli

POINTS = np.array([[0.9, 0.8], [-0.9, 0.7], [0.5, -0.5], [-0.3, -0.9]], dtype=np.float32)


def trained(tmp_path, name, epochs):
    """A shortened example project, trained in process, with its weights saved beside it."""
    project = load_project(example_path(name))
    path = tmp_path / f"{name}.bps.json"
    save_project(project, path)
    run = build_run(project, RunOverrides(epochs=epochs), registry=current_registry())
    run.fit()
    save_trained(tmp_path / "weights.npz", run.model, run.preprocessing)
    return path, run


@pytest.fixture
def xor(tmp_path):
    return trained(tmp_path, "xor_mlp", 20)


def expected(run, x):
    return predict(run.model, run.loss, run.preprocessing, x, "test")


def test_csv_in_csv_out(xor, tmp_path):
    path, run = xor
    np.savetxt(tmp_path / "points.csv", POINTS, delimiter=",", header="a,b", comments="")
    result = run_cli("predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "points.csv",
                     "-o", tmp_path / "out.csv", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote 4 predictions" in result.stdout
    with open(tmp_path / "out.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["p_class 0", "p_class 1", "predicted"]
    probabilities = np.array([[float(v) for v in row[:2]] for row in rows[1:]])
    reference = expected(run, POINTS)
    np.testing.assert_allclose(probabilities, reference.probabilities, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert [row[2] for row in rows[1:]] == reference.label_names()
    assert [row[2] for row in rows[1:]] == ["class 0", "class 1", "class 1", "class 0"]


def test_npy_in_npz_out_and_npz_in_npy_out(xor, tmp_path):
    path, run = xor
    np.save(tmp_path / "points.npy", POINTS)
    result = run_cli("predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "points.npy",
                     "-o", tmp_path / "out.npz", home=tmp_path)
    assert result.returncode == 0, result.stderr
    reference = expected(run, POINTS)
    with np.load(tmp_path / "out.npz", allow_pickle=False) as out:
        np.testing.assert_array_equal(out["probabilities"], reference.probabilities)
        np.testing.assert_array_equal(out["predicted"], reference.labels)
        assert out["class_names"].tolist() == ["class 0", "class 1"]
    np.savez(tmp_path / "points.npz", x=POINTS)
    result = run_cli("predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "points.npz",
                     "-o", tmp_path / "out.npy", home=tmp_path)
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), reference.probabilities)


def test_regression_values(tmp_path):
    path, run = trained(tmp_path, "sine_regression", 10)
    x = np.linspace(-3, 3, 7, dtype=np.float32).reshape(-1, 1)
    np.savetxt(tmp_path / "x.csv", x, delimiter=",")
    result = run_cli("predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "x.csv",
                     "-o", tmp_path / "y.csv", home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "y.csv").read_text().splitlines()
    assert lines[0] == "y" and len(lines) == 8
    np.testing.assert_allclose([float(v) for v in lines[1:]], expected(run, x).values[:, 0], rtol=1e-6)


@pytest.mark.slow
def test_flat_csv_rows_feed_an_image_model(tmp_path):
    path, run = trained(tmp_path, "digits_cnn", 1)
    images = run.data.dataset.x[:5]
    np.savetxt(tmp_path / "digits.csv", images.reshape(5, 64), delimiter=",")
    result = run_cli("predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "digits.csv",
                     "-o", tmp_path / "p.npz", home=tmp_path)
    assert result.returncode == 0, result.stderr
    with np.load(tmp_path / "p.npz") as out:
        np.testing.assert_array_equal(out["predicted"], expected(run, images).labels)


def test_without_a_preprocessing_record_the_scaler_is_refitted(xor, tmp_path):
    path, run = xor
    (tmp_path / "weights.data.json").unlink()
    np.save(tmp_path / "points.npy", POINTS)
    result = run_cli("predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "points.npy",
                     "-o", tmp_path / "out.npy", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "refitting the input scaler" in result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected(run, POINTS).probabilities, rtol=1e-6)


@pytest.mark.slow
def test_bad_inputs(xor, tmp_path):
    path, _ = xor
    weights = tmp_path / "weights.npz"
    (tmp_path / "three.csv").write_text("1,2,3\n4,5,6\n")
    assert_one_line_error(run_cli("predict", path, "--weights", weights, tmp_path / "three.csv",
                                  "-o", tmp_path / "o.csv", home=tmp_path),
                          "three.csv: the model takes samples of shape (2,)",
                          "Received inputs of shape (2, 3)")
    (tmp_path / "text.csv").write_text("1,2\n3,abc\n")
    assert_one_line_error(run_cli("predict", path, "--weights", weights, tmp_path / "text.csv",
                                  "-o", tmp_path / "o.csv", home=tmp_path),
                          "text.csv: line 2, column 2: not a number")
    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}], dtype=object))
    assert_one_line_error(run_cli("predict", path, "--weights", weights, tmp_path / "objects.npz",
                                  "-o", tmp_path / "o.csv", home=tmp_path),
                          "array 'x' holds Python objects")
    save_weights_npz(tmp_path / "other.npz", {"dense/kernel": np.zeros((2, 2), np.float32)})
    assert_one_line_error(run_cli("predict", path, "--weights", tmp_path / "other.npz",
                                  tmp_path / "three.csv", "-o", tmp_path / "o.csv", home=tmp_path),
                          "other.npz: weights do not fit this model")
    assert_one_line_error(run_cli("predict", path, "--weights", weights, tmp_path / "three.csv",
                                  "-o", tmp_path / "o.json", home=tmp_path),
                          "-o/--output must end in .csv, .npy, .npz. Received: o.json")
    assert not (tmp_path / "o.csv").exists()


def test_missing_files_and_unwritable_outputs_are_named_up_front(xor, tmp_path, monkeypatch, capsys):
    path, _ = xor
    monkeypatch.chdir(tmp_path)
    np.savetxt("points.csv", POINTS, delimiter=",")
    (tmp_path / "dirout.csv").mkdir()
    args = ("predict", path.name, "--weights", "weights.npz")
    assert main_error(capsys, *args, "nosuch.csv", "-o", "o.csv") == "error: INPUT: no such file: nosuch.csv"
    assert main_error(capsys, "predict", path.name, "--weights", "none.npz", "points.csv", "-o", "o.csv") == (
        "error: --weights: no such file: none.npz")
    assert main_error(capsys, *args, "points.csv", "-o", "dirout.csv") == (
        "error: -o/--output: dirout.csv is a folder; expected a file name")
    assert main_error(capsys, *args, "points.csv", "-o", "no/such/o.csv") == (
        "error: -o/--output: cannot write no/such/o.csv: the folder no/such does not exist")
    assert list((tmp_path / "dirout.csv").iterdir()) == []
    assert not (tmp_path / "o.csv").exists()


def test_non_finite_inputs_are_named_for_prediction(xor, tmp_path, capsys):
    path, _ = xor
    (tmp_path / "nan.csv").write_text("a,b\n0.5,0.5\n0.1,nan\n")
    line = main_error(capsys, "predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "nan.csv",
                      "-o", tmp_path / "o.csv")
    assert line == (f"error: {tmp_path / 'nan.csv'}: line 3, column 2 ('b'): NaN or infinite inputs have no "
                    "prediction; fix or remove the row. Received: 'nan'")
    np.save(tmp_path / "inf.npy", np.array([[0.5, 0.5], [0.1, 0.2], [np.inf, 0.0]], dtype=np.float32))
    line = main_error(capsys, "predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "inf.npy",
                      "-o", tmp_path / "o.csv")
    assert line == (f"error: {tmp_path / 'inf.npy'}: sample 2 (0-based), feature 0: NaN or infinite inputs "
                    "have no prediction; fix or remove the sample. Received: inf")
    assert not (tmp_path / "o.csv").exists()


def test_a_preprocessing_record_of_other_weights_is_named(xor, tmp_path, capsys):
    path, run = xor
    other = Preprocessing(Scaler(np.zeros(4, np.float32), np.ones(4, np.float32)), ("a", "b"), "iris")
    sidecar_path(tmp_path / "weights.npz").write_text(json.dumps(other.to_json()))
    np.savetxt(tmp_path / "points.csv", POINTS, delimiter=",")
    line = main_error(capsys, "predict", path, "--weights", tmp_path / "weights.npz", tmp_path / "points.csv",
                      "-o", tmp_path / "o.csv")
    assert line == (f"error: {tmp_path / 'weights.data.json'}: the preprocessing record is for samples of "
                    f"shape (4,), but the model takes (2,); it belongs to other weights than "
                    f"{tmp_path / 'weights.npz'}")


def test_help_says_inputs_are_raw_values_in_the_dataset_units(tmp_path):
    result = run_cli("predict", "--help", home=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "raw values in the units of the project's dataset file" in text
    assert "the scaler saved beside the weights is applied" in text


def test_help_describes_the_input_format(tmp_path):
    result = run_cli("predict", "--help", home=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps lines
    for fragment in ("one sample per row", "the dataset's features in the dataset's order",
                     "`backprop-studio datasets` lists them", "a .csv with one column per feature",
                     "(header row optional)", "an .npy array of shape (samples, features)",
                     "an .npz holding that array as 'x'", "<weights>.data.json"):
        assert fragment in text, fragment
