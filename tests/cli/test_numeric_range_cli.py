"""Values near or beyond float32's limit through the CLI: no NumPy RuntimeWarning reaches stderr;
what cannot be computed is one ``error:`` line naming the sample and feature."""

from __future__ import annotations

import json

import numpy as np

from desktop_app.project import example_path

from .cli_run import assert_one_line_error, run_cli


def near_limit_project(tmp_path):
    """The XOR network on samples spread over ±3e38, min-max scaled."""
    x = np.random.default_rng(0).uniform(-3e38, 3e38, (60, 2)).astype(np.float32)
    np.savez(tmp_path / "wide.npz", x=x, y=(x[:, 0] > 0).astype(np.int64))
    data = json.loads(example_path("xor_mlp").read_text())
    data["dataset"] = {"type": "numpy", "options": {"path": "wide.npz"}, "scaling": "minmax",
                       "one_hot": False}
    path = tmp_path / "wide.bps.json"
    path.write_text(json.dumps(data))
    return path


def test_minmax_near_the_limit_trains_and_a_far_input_is_one_error_line(tmp_path):
    project = near_limit_project(tmp_path)
    trained = run_cli("train", project, "--epochs", 2, "--out", tmp_path / "run", "--quiet", home=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "RuntimeWarning" not in trained.stderr and "NaN" not in trained.stderr
    np.save(tmp_path / "far.npy", np.array([[1.0, 2.0], [3.0, 1e300]]))
    result = run_cli("predict", project, "--weights", tmp_path / "run" / "weights.npz", tmp_path / "far.npy",
                     "-o", tmp_path / "out.csv", home=tmp_path)
    assert_one_line_error(result, "far.npy: sample 1, feature 1 once scaled as in training: ",
                          "is beyond the range of float32")
    assert "RuntimeWarning" not in result.stderr and not (tmp_path / "out.csv").exists()


def test_float64_data_beyond_float32_is_one_error_line(tmp_path):
    project = near_limit_project(tmp_path)
    x = np.ones((60, 2))
    x[5, 0] = 1e300
    np.savez(tmp_path / "wide.npz", x=x, y=np.arange(60) % 2)
    result = run_cli("train", project, "--epochs", 1, "--out", tmp_path / "run", "--quiet", home=tmp_path)
    assert_one_line_error(result, "sample 5, feature 0: 1e+300 is beyond the range of float32")
    assert "RuntimeWarning" not in result.stderr and "NaN" not in result.stderr
