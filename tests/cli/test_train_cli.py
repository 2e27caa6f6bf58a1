"""``backprop-studio train`` end to end in a subprocess: results on disk, CLI/in-process parity, errors."""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import numpy as np
import pytest

from desktop_app.engine.errors import NonFiniteLossError
from desktop_app.engine.layer import Layer
from desktop_app.fileio import load_weights_npz, save_weights_npz
from desktop_app.hookspecs import hookimpl
from desktop_app.plugin_system import current_registry
from desktop_app.project import RunOverrides, build_run, example_path, load_project, save_project

from .cli_run import assert_one_line_error, interrupt_when, main_error, run_cli


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
    run = build_run(load_project(project_file), registry=current_registry())
    history = run.fit()
    for key, value in run.model.get_weights().items():
        np.testing.assert_array_equal(weights[key], value)
    assert float(rows[-1]["loss"]) == pytest.approx(history.epochs[-1].loss, rel=1e-12)
    record = json.loads((out / "weights.data.json").read_text())
    assert record["class_names"] == ["class 0", "class 1"]
    manifest = json.loads((out / "run.json").read_text())
    assert (manifest["ended"], manifest["weights_epoch"], manifest["diverged"]) == ("completed", 3, None)
    assert "warning" not in result.stderr


def test_a_diverging_run_completes_with_a_warning_and_a_flag(tmp_path):
    out = tmp_path / "out"
    result = run_cli("train", example_path("spiral_mlp"), "--lr", 1e6, "--epochs", 3, "--out", out, "--quiet",
                     home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(completed, diverged at epoch 1)" in result.stdout
    [warning] = result.stderr.splitlines()
    assert warning.startswith("warning: the loss diverged at epoch 1: ")
    assert "times the best so far" in warning
    assert json.loads((out / "run.json").read_text())["diverged"]["epoch"] == 1


def test_overrides_and_default_output_folder(project_file, tmp_path):
    result = run_cli("train", project_file, "--epochs", 2, "--batch-size", 40, "--lr", 0.02, "--seed", 3,
                     "--no-shuffle", "--quiet", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = project_file.parent / "runs" / "xor"
    rows = read_history(out / "history.csv")
    assert len(rows) == 2 and float(rows[0]["lr"]) == 0.02
    expected = build_run(load_project(project_file),
                         RunOverrides(epochs=2, batch_size=40, learning_rate=0.02, seed=3, shuffle=False),
                         registry=current_registry())
    expected.fit()
    np.testing.assert_array_equal(load_weights_npz(out / "weights.npz")["hidden/kernel"],
                                  expected.model.get_weights()["hidden/kernel"])


def test_weights_start_training_from_a_file(project_file, tmp_path):
    start = build_run(load_project(project_file), RunOverrides(seed=42),
                      registry=current_registry()).model.get_weights()
    save_weights_npz(tmp_path / "start.npz", start)
    result = run_cli("train", project_file, "--epochs", 1, "--weights", tmp_path / "start.npz",
                     "--out", tmp_path / "out", "--quiet", home=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = build_run(load_project(project_file), RunOverrides(epochs=1, weights=tmp_path / "start.npz"),
                         registry=current_registry())
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


def test_ctrl_c_before_the_first_epoch_ends_saves_nothing_and_exits_130(tmp_path):
    """Stopped before any epoch completed, a run has nothing worth replacing the folder with."""
    out = tmp_path / "out"
    code, stdout, stderr = interrupt_when(  # once the progress bar is drawn: training has started
        "train", example_path("digits_cnn"), "--epochs", 10_000, "--batch-size", 1, "--out", out,
        home=tmp_path, ready=lambda seen: b"batch" in seen)
    assert code == 130, stderr.decode()
    assert b"stopping after this batch" in stderr
    assert b"no epoch completed (stopped)" in stdout
    assert f"interrupted: nothing saved, {out} is unchanged".encode() in stderr
    assert not out.exists()


@pytest.fixture
def diverging_file(tmp_path):
    """Sine regression with plain SGD: at --lr 0.5 its loss turns infinite in epoch 3."""
    data = json.loads(example_path("sine_regression").read_text())
    data["training"]["optimizer"] = {"type": "sgd", "config": {"learning_rate": 0.01}}
    path = tmp_path / "sine_sgd.bps.json"
    path.write_text(json.dumps(data))
    return path


def test_a_non_finite_loss_saves_the_last_finite_weights_and_the_history(diverging_file, tmp_path):
    out = tmp_path / "nanrun"
    line = assert_one_line_error(run_cli("train", diverging_file, "--lr", 0.5, "--out", out, "--quiet",
                                         home=tmp_path),
                                 "became non-finite at epoch 3",
                                 f"saved those weights to {out / 'weights.npz'} and the history so far to "
                                 f"{out / 'history.csv'}")
    assert "Traceback" not in line
    expected = build_run(load_project(diverging_file), RunOverrides(learning_rate=0.5),
                         registry=current_registry())
    with pytest.raises(NonFiniteLossError):
        expected.fit()
    saved = load_weights_npz(out / "weights.npz")
    assert saved.keys() == expected.model.get_weights().keys()
    for key, value in expected.model.get_weights().items():
        assert np.isfinite(saved[key]).all()
        np.testing.assert_array_equal(saved[key], value)
    assert [row["epoch"] for row in read_history(out / "history.csv")] == ["1", "2"]
    assert json.loads((out / "weights.data.json").read_text())["sample_shape"] == [1]


def test_a_run_that_fails_before_its_first_epoch_still_writes_a_valid_history(diverging_file, tmp_path):
    out = tmp_path / "nanrun"
    assert_one_line_error(run_cli("train", diverging_file, "--lr", 1e6, "--out", out, "--quiet",
                                  home=tmp_path),
                          "became non-finite at epoch 1")
    assert (out / "history.csv").read_text() == "epoch\n"
    assert (out / "weights.npz").is_file()


class Fragile(Layer):
    """Passes the registration check (a batch of 3) but fails in forward on real batches."""

    type_name = "Fragile"

    def output_shape(self, *shapes):
        return shapes[0]

    def forward(self, x, training=False):
        if len(x) > 3:
            raise RuntimeError("cannot take it")
        return x

    def backward(self, grad):
        return (grad,)


def test_a_failing_layer_leaves_no_output_folder(register_plugin, project_file, tmp_path, capsys):
    register_plugin(SimpleNamespace(register_layers=hookimpl(lambda register: register(Fragile))), "fragile")
    data = json.loads(project_file.read_text())
    data["model"]["nodes"][2]["type"] = "Fragile"
    project_file.write_text(json.dumps(data))
    line = main_error(capsys, "train", project_file, "--out", tmp_path / "run", "--quiet")
    assert "(Fragile, from plugin 'fragile'" in line and "cannot take it" in line
    assert not (tmp_path / "run").exists()
    main_error(capsys, "train", project_file, "--quiet")  # the default folder, runs/xor, neither
    assert not (project_file.parent / "runs").exists()


def test_lr_option_errors_name_the_option_not_the_project(project_file, capsys):
    for value in ("inf", "nan", "-1"):
        line = main_error(capsys, "train", project_file, "--lr", value)
        assert line == f"error: --lr must be a positive finite number. Received: {float(value)}"


def test_an_out_path_that_cannot_be_a_folder_is_refused_before_training(project_file, tmp_path, capsys):
    (tmp_path / "afile").write_text("keep me")
    assert main_error(capsys, "train", project_file, "--out", tmp_path / "afile") == (
        f"error: --out: {tmp_path / 'afile'} exists and is not a folder")
    assert main_error(capsys, "train", project_file, "--out", tmp_path / "afile" / "run") == (
        f"error: --out: cannot create the folder {tmp_path / 'afile' / 'run'}: {tmp_path / 'afile'} "
        "is not a folder")
    assert (tmp_path / "afile").read_text() == "keep me"
    assert not (project_file.parent / "runs").exists()


def test_settings_errors_name_the_project_file_as_given(project_file, monkeypatch, capsys):
    monkeypatch.chdir(project_file.parent.parent)
    given = "proj/xor.bps.json"
    data = json.loads(project_file.read_text())
    data["training"]["early_stopping"] = {"monitor": "val_acc", "patience": 2}
    project_file.write_text(json.dumps(data))
    assert main_error(capsys, "train", given).startswith(
        f"error: {given}: $.training: early stopping monitors 'val_acc', which this run does not log")
    data["training"]["early_stopping"] = None
    data["training"]["validation_split"] = 0.9
    data["dataset"]["options"]["n_samples"] = 4
    project_file.write_text(json.dumps(data))
    assert main_error(capsys, "train", given) == (
        f"error: {given}: $.training.validation_split: a validation split of 0.9 leaves no training samples "
        "out of 4")
    data["training"]["validation_split"] = 0.2
    data["dataset"] = {"type": "csv", "options": {"path": "nosuch.csv"}}
    project_file.write_text(json.dumps(data))
    assert main_error(capsys, "train", given) == (
        f"error: {given}: $.dataset.options.path: the dataset file 'nosuch.csv' (proj/nosuch.csv) "
        "does not exist")
    assert not (project_file.parent / "runs").exists()
