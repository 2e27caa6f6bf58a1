"""No command writes over a file it reads; weights and predictions that are not finite are refused.

Every case runs the real command in a subprocess and checks the one ``error:`` line, the exit code,
and that every file it was given is byte for byte as before (and no output was created).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop_app.fileio import load_weights_npz, save_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import (
    RunOverrides,
    build_run,
    example_path,
    load_project,
    save_project,
    save_trained,
)

from .cli_run import assert_one_line_error, run_cli

POINTS = "a,b\n0.9,0.8\n-0.9,0.7\n0.5,-0.5\n"


@pytest.fixture
def folder(tmp_path):
    """A CSV-dataset copy of the XOR example, trained briefly: p.bps.json, data.csv, run/weights.npz
    (with its .data.json) and in.csv, in ``tmp_path / "w"``."""
    work = tmp_path / "w"
    (work / "run").mkdir(parents=True)
    (work / "data.csv").write_text("a,b,label\n" + "0.5,0.5,0\n-0.5,0.5,1\n0.5,-0.5,1\n-0.5,-0.5,0\n" * 4)
    project = load_project(example_path("xor_mlp"))
    save_project(project, work / "p.bps.json")
    data = json.loads((work / "p.bps.json").read_text())
    data["dataset"] = {"type": "csv", "options": {"path": "data.csv", "target": "label"}}
    (work / "p.bps.json").write_text(json.dumps(data))
    run = build_run(load_project(work / "p.bps.json"), RunOverrides(epochs=2), registry=current_registry())
    run.fit()
    save_trained(work / "run" / "weights.npz", run.model, run.preprocessing)
    (work / "in.csv").write_text(POINTS)
    return work


def snapshot(folder):
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def refused(folder, home, *args, fragments):
    """Run the command in ``folder``; it fails with one error line and leaves every file as it was."""
    before = snapshot(folder)
    line = assert_one_line_error(run_cli(*args, home=home, cwd=folder), *fragments)
    assert snapshot(folder) == before
    return line


@pytest.mark.parametrize("output, what", [
    ("run/weights.npz", "the weights file"),
    ("run/../run/weights.npz", "the weights file"),
    ("in.csv", "the INPUT file"),
    ("data.csv", "the dataset's file ($.dataset.options.path)"),
])
def test_predict_never_writes_over_what_it_reads(folder, tmp_path, output, what):
    line = refused(folder, tmp_path, "predict", "p.bps.json", "--weights", "run/weights.npz", "in.csv",
                   "-o", output, fragments=[f"-o/--output {output}: that is {what}"])
    assert line.endswith("which this command reads; write the output to another file")


def test_a_symlink_or_hard_link_to_an_input_is_the_input(folder, tmp_path):
    (folder / "alias.npz").symlink_to(folder / "run" / "weights.npz")
    (folder / "twin.csv").hardlink_to(folder / "in.csv")
    refused(folder, tmp_path, "predict", "p.bps.json", "--weights", "run/weights.npz", "in.csv",
            "-o", "alias.npz", fragments=["-o/--output alias.npz: that is the weights file"])
    refused(folder, tmp_path, "predict", "p.bps.json", "--weights", "run/weights.npz", "in.csv",
            "-o", "twin.csv", fragments=["-o/--output twin.csv: that is the INPUT file"])


def test_export_never_writes_over_its_weights_their_record_or_the_project(folder, tmp_path):
    for output, what in (("run/weights.npz", "the weights file"),
                         ("run/weights.data.json", "the preprocessing record of the weights"),
                         ("p.bps.json", "the project file")):
        refused(folder, tmp_path, "export", "p.bps.json", "--weights", "run/weights.npz", "--format", "npz",
                "-o", output, fragments=[f"-o/--output {output}: that is {what}"])


def test_train_never_writes_its_results_over_its_weights_or_data(folder, tmp_path):
    refused(folder, tmp_path, "train", "p.bps.json", "--weights", "run/weights.npz", "--out", "run",
            fragments=["--out run would replace run/weights.npz: that is the weights file",
                       "pass --out DIR to write this run's results elsewhere"])
    (folder / "history.csv").write_text((folder / "data.csv").read_text())  # the data, as history.csv
    data = json.loads((folder / "p.bps.json").read_text())
    data["dataset"]["options"]["path"] = "history.csv"
    (folder / "p.bps.json").write_text(json.dumps(data))
    refused(folder, tmp_path, "train", "p.bps.json", "--out", ".",
            fragments=["--out . would replace history.csv: that is the dataset's file"])


def test_weights_beyond_float32_are_refused_by_every_command(folder, tmp_path):
    """1e39 is a finite float64 and inf in the float32 model: predict, export and train refuse it."""
    trained = load_weights_npz(folder / "run/weights.npz")
    weights = {key: value.astype(np.float64) for key, value in trained.items()}
    key = next(key for key in weights if key.endswith("/kernel"))
    weights[key].flat[0] = 1e39
    save_weights_npz(folder / "big.npz", weights)
    problem = f"big.npz: weight '{key}' holds 1 value(s) too large for float32 (they would be inf)"
    refused(folder, tmp_path, "predict", "p.bps.json", "--weights", "big.npz", "in.csv", "-o", "out.csv",
            fragments=[problem])
    refused(folder, tmp_path, "export", "p.bps.json", "--weights", "big.npz", "-o", "m.onnx",
            fragments=[problem])
    refused(folder, tmp_path, "train", "p.bps.json", "--weights", "big.npz", "--out", "again",
            fragments=[problem])


def test_predictions_that_overflow_are_refused_naming_the_sample(tmp_path):
    """Finite ReLU weights times 1e30 overflow in the forward pass: no NaN is written as 'class 0',
    and the first sample without an answer is named."""
    run = build_run(load_project(example_path("spiral_mlp")), RunOverrides(epochs=1),
                    registry=current_registry())
    run.fit()
    save_trained(tmp_path / "w.npz", run.model, run.preprocessing)
    weights = load_weights_npz(tmp_path / "w.npz")
    # Kernels times 1e30, biases zero: the sample (0, 0) still has a finite output, (0.5, 0.5) not.
    save_weights_npz(tmp_path / "w.npz", {key: value * np.float32(1e30 if key.endswith("/kernel") else 0)
                                          for key, value in weights.items()})
    (tmp_path / "in.csv").write_text("0,0\n0.5,0.5\n")
    refused(tmp_path, tmp_path, "predict", "spiral_mlp", "--weights", "w.npz", "in.csv", "-o", "out.csv",
            fragments=["in.csv: sample 1 (0-based): the network's output is NaN or infinite",
                       "so it has no prediction"])


def test_export_checks_the_preprocessing_record_before_writing(folder, tmp_path):
    (folder / "run" / "weights.data.json").write_text("{broken")
    (folder / "m.onnx").write_bytes(b"the user's older export")
    refused(folder, tmp_path, "export", "p.bps.json", "--weights", "run/weights.npz", "-o", "m.onnx",
            fragments=["weights.data.json: not valid JSON"])


def test_predict_and_export_never_replace_a_file_of_a_training_runs_set(folder, tmp_path):
    """A run's files are replaced only as a set, by train: an -o onto one of them is refused."""
    result = run_cli("train", "p.bps.json", "--epochs", "1", "--quiet", "--out", "trained", home=tmp_path,
                     cwd=folder)
    assert result.returncode == 0, result.stderr
    for command in (("predict", "p.bps.json", "--weights", "run/weights.npz", "in.csv"),
                    ("export", "p.bps.json", "--weights", "run/weights.npz", "--format", "onnx")):
        refused(folder, tmp_path, *command, "-o", "trained/history.csv",
                fragments=["-o/--output trained/history.csv: that is one of the files of the training run in "
                           "trained (see its run.json), which only 'train' replaces"])


def test_the_help_example_that_goes_on_from_trained_weights_runs_as_written(folder, tmp_path):
    """train --help: '--weights runs/my/weights.npz --out runs/my-more' (the run folder it reads from
    would be refused as --out, naming the folder and the file)."""
    first = run_cli("train", "p.bps.json", "--epochs", "1", "--quiet", home=tmp_path, cwd=folder)
    assert first.returncode == 0, first.stderr
    assert "--out runs/my-more" in run_cli("train", "--help", home=tmp_path).stdout
    refused(folder, tmp_path, "train", "p.bps.json", "--weights", "runs/p/weights.npz",
            fragments=["--out runs/p would replace runs/p/weights.npz: that is the weights file"])
    result = run_cli("train", "p.bps.json", "--epochs", "1", "--quiet", "--weights", "runs/p/weights.npz",
                     "--out", "runs/p-more", home=tmp_path, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "runs" / "p-more" / "weights.npz").is_file()
