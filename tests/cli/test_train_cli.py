"""``backprop-studio train`` end to end in a subprocess: results on disk, CLI/in-process parity, errors."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess

import numpy as np
import pytest

from desktop_app.fileio import load_weights_npz, save_weights_npz
from desktop_app.project import RunOverrides, build_run, example_path, load_project, save_project

from .cli_run import assert_one_line_error, cli_command, cli_env, run_cli


@pytest.fixture
def project_file(tmp_path):
    """The XOR example, shortened to 3 epochs, in its own folder."""
    project = load_project(example_path("xor_mlp"))
    project.training.epochs = 3
    path = tmp_path / "proj" / "xor.bps.json"
    path.parent.mkdir()
    save_project(project, path)
    return path


def read_history(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_train_writes_weights_history_and_matches_an_in_process_run(project_file, tmp_path):
    out = tmp_path / "out"
    result = run_cli("train", project_file, "--out", out, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch 3/3 (completed)" in result.stdout and "val_accuracy" in result.stdout
    assert "epoch 3/3" in result.stderr and "batch" in result.stderr  # the progress bar
    rows = read_history(out / "history.csv")
    assert [row["epoch"] for row in rows] == ["1", "2", "3"]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(rows[0])
    weights = load_weights_npz(out / "weights.npz")
    run = build_run(load_project(project_file))
    history = run.fit()
    for key, value in run.model.get_weights().items():
        np.testing.assert_array_equal(weights[key], value)
    assert float(rows[-1]["loss"]) == pytest.approx(history.epochs[-1].loss, rel=1e-12)
    record = json.loads((out / "weights.data.json").read_text())
    assert record["class_names"] == ["class 0", "class 1"]


def test_overrides_and_default_output_folder(project_file, tmp_path):
    result = run_cli("train", project_file, "--epochs", 2, "--batch-size", 40, "--lr", 0.02, "--seed", 3,
                     "--no-shuffle", "--quiet", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = project_file.parent / "runs" / "xor"
    rows = read_history(out / "history.csv")
    assert len(rows) == 2 and float(rows[0]["lr"]) == 0.02
    expected = build_run(load_project(project_file),
                         RunOverrides(epochs=2, batch_size=40, learning_rate=0.02, seed=3, shuffle=False))
    expected.fit()
    np.testing.assert_array_equal(load_weights_npz(out / "weights.npz")["hidden/kernel"],
                                  expected.model.get_weights()["hidden/kernel"])


def test_weights_start_training_from_a_file(project_file, tmp_path):
    start = build_run(load_project(project_file), RunOverrides(seed=42)).model.get_weights()
    save_weights_npz(tmp_path / "start.npz", start)
    result = run_cli("train", project_file, "--epochs", 1, "--weights", tmp_path / "start.npz",
                     "--out", tmp_path / "out", "--quiet", home=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = build_run(load_project(project_file), RunOverrides(epochs=1, weights=tmp_path / "start.npz"))
    expected.fit()
    np.testing.assert_array_equal(load_weights_npz(tmp_path / "out" / "weights.npz")["logit/kernel"],
                                  expected.model.get_weights()["logit/kernel"])


@pytest.mark.slow
def test_bad_options_and_files(project_file, tmp_path):
    assert_one_line_error(run_cli("train", tmp_path / "missing.bps.json", home=tmp_path),
                          "missing.bps.json: cannot read the project file")
    assert_one_line_error(run_cli("train", project_file, "--epochs", 0, home=tmp_path),
                          "--epochs must be at least 1. Received: 0")
    assert_one_line_error(run_cli("train", project_file, "--weights", tmp_path / "none.npz", home=tmp_path),
                          "--weights: no such file")
    assert not (project_file.parent / "runs").exists()


def test_broken_project_file(project_file, tmp_path):
    project_file.write_text(project_file.read_text().replace('"batch_size": 16', '"batch_size": "big"'))
    assert_one_line_error(run_cli("train", project_file, home=tmp_path),
                          "xor.bps.json: $.training.batch_size: 'big' is not of type 'integer'")


def test_missing_plugin_type_names_the_plugin(project_file, tmp_path):
    data = json.loads(project_file.read_text())
    data["model"]["nodes"][2]["type"] = "Swish"
    data["plugins"] = {"layers": {"Swish": "backprop-studio-extra-layers"}}
    project_file.write_text(json.dumps(data))
    assert_one_line_error(run_cli("train", project_file, home=tmp_path),
                          "layer type 'Swish'", "provided by plugin 'backprop-studio-extra-layers'")


def test_bad_data_is_named_before_training(project_file, tmp_path):
    (project_file.parent / "points.csv").write_text("a,b,label\n0.5,0.5,0\n-0.5,nan,1\n0.1,0.2,1\n")
    data = json.loads(project_file.read_text())
    data["dataset"] = {"type": "csv", "options": {"path": "points.csv", "target": "label"}}
    project_file.write_text(json.dumps(data))
    line = assert_one_line_error(run_cli("train", project_file, home=tmp_path),
                                 "points.csv: line 3, column 2 ('b'): NaN or infinite")
    assert "epoch" not in line


def test_ctrl_c_stops_after_the_batch_and_still_saves(tmp_path):
    out = tmp_path / "out"
    command = cli_command("train", example_path("digits_cnn"), "--epochs", 10_000, "--out", out)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(tmp_path))
    try:
        seen = b""
        while b"batch" not in seen:  # the progress bar is drawn once training has started
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, "the command ended before training started"
            seen += chunk
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0, stderr.decode()
    assert b"stopping after this batch" in seen + stderr
    assert b"(stopped)" in stdout or b"no epoch completed (stopped)" in stdout
    assert (out / "weights.npz").is_file() and (out / "history.csv").is_file()
