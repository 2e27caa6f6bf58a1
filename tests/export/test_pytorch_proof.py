"""The proof of the PyTorch export: the exported train.py trains every example project as the
engine does. 20 steps with --no-shuffle from the same initial weights give the engine's
history.csv to 1e-9 (relative) in float64 and to 1e-5 in float32; torchrun with two processes
(gloo, CPU) gives the engine's losses to 1e-6; the weights train.py writes open in the app.

One export per example; one subprocess runs its float64 run (from the exported weights.pt) and
its float32 run (from the same weights as the app's .npz, so both ``--weights`` forms are used).
None of the examples has Dropout, whose masks PyTorch draws from its own generator: its layer is
checked on its own in test_pytorch_layers.py.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from desktop_app.fileio import load_weights
from desktop_app.project import load_project
from desktop_app.project.examples import EXAMPLES, example_path
from desktop_app.project.exporting import load_trained
from desktop_app.project.weights import graph_fingerprint, recorded_fingerprint
from export.pytorch_runs import (
    Steps,
    assert_same_history,
    builtin_registry,
    engine_run,
    export,
    initial_weights,
    read_history,
    require_torch,
    run_train_py,
    train_env,
    twenty_steps,
)

require_torch()


@dataclass
class ExampleRuns:
    name: str
    folder: Path
    steps: Steps
    initial: dict[str, np.ndarray]


@pytest.fixture(scope="module", params=EXAMPLES)
def example_runs(request, tmp_path_factory) -> ExampleRuns:
    name, registry = request.param, builtin_registry()
    tmp = tmp_path_factory.mktemp(f"pytorch_{name}")
    project = load_project(example_path(name))
    folder = export(project, registry, tmp / "export")
    steps = twenty_steps(project, registry)
    initial, initial_npz = initial_weights(project, registry, tmp)
    common = ["--epochs", steps.epochs, "--batch-size", steps.batch_size, "--no-shuffle", "--device", "cpu"]
    run_train_py(folder, [*common, "--dtype", "float64", "--out", tmp / "float64"],
                 [*common, "--dtype", "float32", "--weights", initial_npz, "--out", tmp / "float32"])
    return ExampleRuns(name, tmp, steps, initial)


def engine(runs: ExampleRuns, dtype: str):
    project = load_project(example_path(runs.name))
    return engine_run(project, builtin_registry(), dtype, runs.initial, runs.steps.epochs,
                      runs.steps.batch_size)


def test_float64_run_gives_the_engines_history_and_weights(example_runs) -> None:
    history, run = engine(example_runs, "float64")
    weights = run.model.get_weights()
    assert_same_history(read_history(example_runs.folder / "float64" / "history.csv"), history, rtol=1e-9)
    exported = load_weights(example_runs.folder / "float64" / "weights.npz")
    assert set(exported) == set(weights)
    for key, value in weights.items():
        np.testing.assert_allclose(exported[key], value, rtol=1e-9, atol=1e-12, err_msg=key)


def test_float32_run_gives_the_engines_history(example_runs) -> None:
    history, _ = engine(example_runs, "float32")
    assert_same_history(read_history(example_runs.folder / "float32" / "history.csv"), history, rtol=1e-5)


def test_trained_weights_open_in_the_app_as_the_engines_would(example_runs) -> None:
    registry = builtin_registry()
    project = load_project(example_path(example_runs.name))
    weights_path = example_runs.folder / "float32" / "weights.npz"
    trained = load_trained(project, weights_path, registry)
    assert recorded_fingerprint(weights_path) == graph_fingerprint(project, trained.model)
    _, run = engine(example_runs, "float32")
    recorded, expected = trained.preprocessing, run.preprocessing
    np.testing.assert_array_equal(recorded.scaler.offset, expected.scaler.offset)
    np.testing.assert_array_equal(recorded.scaler.scale, expected.scaler.scale)
    assert (recorded.class_names, recorded.dataset) == (expected.class_names, expected.dataset)
    x = run.data.x_train[:64]
    np.testing.assert_allclose(trained.model.forward(x), run.model.forward(x), rtol=1e-4, atol=1e-5)


def test_torchrun_with_two_processes_gives_the_single_process_losses(tmp_path) -> None:
    """Spiral, 2 epochs, shuffled as the project says, global batch 32 shared by two gloo processes."""
    registry = builtin_registry()
    project = load_project(example_path("spiral_mlp"))
    folder = export(project, registry, tmp_path / "export")
    initial, _ = initial_weights(project, registry, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "train.py",
         "--epochs", "2", "--dtype", "float64", "--device", "cpu", "--out", tmp_path / "ddp"],
        cwd=folder, capture_output=True, text=True, env=train_env(), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 processes (gloo)" in result.stdout
    history, _ = engine_run(load_project(example_path("spiral_mlp")), registry, "float64", initial, 2,
                            shuffle=True)
    exported = read_history(tmp_path / "ddp" / "history.csv")
    assert_same_history(exported, history, rtol=1e-6)
