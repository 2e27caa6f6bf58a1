"""Shipped examples by name, ``examples`` and ``examples copy``, and where results go by default.

Each command runs in a subprocess from an empty working folder, as a user who installed the
package would; the shipped examples' folder must stay untouched.
"""

from __future__ import annotations

import os
import shutil

import pytest

from desktop_app.paths import EXAMPLES_DIR
from desktop_app.project import EXAMPLES, PROJECT_SUFFIX, example_path, load_project, save_project

from .cli_run import assert_one_line_error, run_cli


def shipped_files():
    return sorted(path.relative_to(EXAMPLES_DIR).as_posix() for path in EXAMPLES_DIR.rglob("*"))


def test_examples_lists_every_shipped_example_on_one_line(tmp_path):
    result = run_cli("examples", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(f"{name}{PROJECT_SUFFIX}" for name in EXAMPLES) == sorted(
        path.name for path in EXAMPLES_DIR.glob(f"*{PROJECT_SUFFIX}"))
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(EXAMPLES)
    for name, line in zip(EXAMPLES, lines, strict=True):
        assert line.endswith(load_project(example_path(name)).description)
    assert run_cli("examples", "list", home=tmp_path, cwd=tmp_path).stdout == result.stdout


def test_examples_copy_makes_an_editable_copy_and_never_replaces_a_file(tmp_path):
    result = run_cli("examples", "copy", "xor_mlp", "mine", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "mine" / "xor_mlp.bps.json"
    assert copy.read_bytes() == example_path("xor_mlp").read_bytes()
    assert "backprop-studio train mine/xor_mlp.bps.json" in result.stdout
    copy.write_text("edited")
    assert_one_line_error(run_cli("examples", "copy", "xor_mlp", "mine", home=tmp_path, cwd=tmp_path),
                          "mine/xor_mlp.bps.json already exists; not replaced")
    assert copy.read_text() == "edited"
    assert_one_line_error(run_cli("examples", "copy", "nope", home=tmp_path, cwd=tmp_path),
                          "no shipped example named 'nope'. Expected one of: spiral_mlp, xor_mlp")
    result = run_cli("examples", "copy", "sine_regression", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sine_regression.bps.json").is_file()
    result = run_cli("examples", "copy", "sine_regression", "new/sine.bps.json", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "sine.bps.json").read_bytes() == example_path("sine_regression").read_bytes()


def test_an_example_by_name_keeps_its_run_in_the_data_folder_then_predict_and_export_use_it(tmp_path):
    """(Before runs were kept, an example's run went to ./runs/xor_mlp/, where the window could not
    find it.)"""
    before = shipped_files()
    work = tmp_path / "work"
    work.mkdir()
    train = run_cli("train", "xor_mlp", "--epochs", "2", "--quiet", home=tmp_path, cwd=work)
    assert train.returncode == 0, train.stderr
    [run] = (tmp_path / "data" / "runs" / "xor_mlp").iterdir()
    assert f"weights: {run / 'weights.npz'}" in train.stdout.splitlines()
    assert (run / "weights.data.json").is_file()
    assert shipped_files() == before  # nothing written beside the shipped example
    assert list(work.iterdir()) == []
    tmp_path = work

    used = f"weights: {run / 'weights.npz'} (the latest run of xor_mlp; --weights FILE chooses others)"
    export = run_cli("export", "xor_mlp", "-o", "m.onnx", home=tmp_path.parent, cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    assert export.stdout.splitlines()[0] == used
    assert (tmp_path / "m.onnx").is_file()
    (tmp_path / "in.csv").write_text("0.9,0.8\n-0.9,0.7\n")
    predict = run_cli("predict", "xor_mlp", "in.csv", "-o", "out.csv", home=tmp_path.parent, cwd=tmp_path)
    assert predict.returncode == 0, predict.stderr
    assert predict.stdout.splitlines() == [used, "wrote 2 predictions to out.csv"]
    gradcheck = run_cli("gradcheck", "xor_mlp", "--weights", run / "weights.npz", home=tmp_path.parent,
                        cwd=tmp_path)
    assert gradcheck.returncode == 0, gradcheck.stderr
    assert shipped_files() == before


def test_a_project_file_trains_beside_itself_and_export_finds_that_run(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "p.bps.json").write_bytes(example_path("xor_mlp").read_bytes())
    untrained = run_cli("export", "proj/p.bps.json", "-o", "m.npz", home=tmp_path, cwd=tmp_path)
    assert_one_line_error(untrained, "proj/p.bps.json: the project has no trained weights yet (no run with "
                          "weights in proj/runs/p); train it first "
                          "('backprop-studio train proj/p.bps.json') or pass --weights FILE")
    train = run_cli("train", "proj/p.bps.json", "--epochs", "1", "--quiet", home=tmp_path, cwd=tmp_path)
    assert train.returncode == 0, train.stderr
    [run] = (tmp_path / "proj" / "runs" / "p").iterdir()
    weights = run.relative_to(tmp_path) / "weights.npz"
    assert f"weights: {weights}" in train.stdout.splitlines()
    export = run_cli("export", "proj/p.bps.json", "-o", "m.npz", home=tmp_path, cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    assert export.stdout.startswith(f"weights: {weights} (the latest run of proj/p.bps.json;")
    assert not (tmp_path / "runs").exists()


def test_export_takes_the_newer_of_the_last_run_and_the_weights_the_window_saved(tmp_path):
    project = load_project(example_path("xor_mlp"))
    project.weights = "saved/w.npz"  # as the window records them
    save_project(project, tmp_path / "p.bps.json")
    train = run_cli("train", "p.bps.json", "--epochs", "1", "--quiet", home=tmp_path, cwd=tmp_path)
    assert train.returncode == 0, train.stderr
    (tmp_path / "saved").mkdir()
    [run] = (tmp_path / "runs" / "p").iterdir()
    shutil.copy(run / "weights.npz", tmp_path / "saved" / "w.npz")
    os.utime(run / "weights.npz", (1, 1))  # the run is older than the saved weights
    export = run_cli("export", "p.bps.json", "-o", "m.npz", home=tmp_path, cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    assert export.stdout.startswith("weights: saved/w.npz (the latest run of p.bps.json;")
    os.utime(tmp_path / "saved" / "w.npz", (0, 0))
    export = run_cli("export", "p.bps.json", "-o", "m.npz", home=tmp_path, cwd=tmp_path)
    assert export.stdout.startswith(f"weights: runs/p/{run.name}/weights.npz (the latest run of p.bps.json;")


def test_a_real_file_wins_over_an_example_name_and_an_unknown_name_is_named(tmp_path):
    (tmp_path / "xor_mlp").write_text("{not json")
    assert_one_line_error(run_cli("gradcheck", "xor_mlp", home=tmp_path, cwd=tmp_path),
                          "xor_mlp: not valid JSON")
    assert_one_line_error(run_cli("train", "spiral", home=tmp_path, cwd=tmp_path),
                          "spiral: no such project file or shipped example; "
                          "'backprop-studio examples' lists the examples")


@pytest.mark.parametrize("command", ["predict", "export"])
def test_help_says_weights_default_to_the_latest_run(tmp_path, command):
    result = run_cli(command, "--help", home=tmp_path)
    text = " ".join(result.stdout.split())
    assert ("default: the newest kept run of PROJECT (runs/<project name>/<run>/weights.npz, where 'train' "
            "keeps it, or the weights the window saved with the project, whichever is newer)" in text)
    assert "or the name of a shipped example" in text


def test_predict_by_name_ignores_the_run_of_a_copy(tmp_path):
    """``examples copy xor_mlp`` then training the (edited) copy keeps a run of xor_mlp too: predict
    on the shipped example must not take that run's weights for its own."""
    assert run_cli("examples", "copy", "xor_mlp", home=tmp_path, cwd=tmp_path).returncode == 0
    train = run_cli("train", "xor_mlp.bps.json", "--epochs", "1", "--quiet", home=tmp_path, cwd=tmp_path)
    assert train.returncode == 0, train.stderr
    (tmp_path / "in.csv").write_text("0.9,0.8\n")
    by_name = run_cli("predict", "xor_mlp", "in.csv", "-o", "out.csv", home=tmp_path, cwd=tmp_path)
    assert_one_line_error(by_name, "the project has no trained weights yet (no run with weights in "
                          "data/runs/xor_mlp)")
    predict = run_cli("predict", "xor_mlp.bps.json", "in.csv", "-o", "out.csv", home=tmp_path, cwd=tmp_path)
    assert predict.returncode == 0, predict.stderr
    assert predict.stdout.splitlines()[-1] == "wrote 1 prediction to out.csv"
