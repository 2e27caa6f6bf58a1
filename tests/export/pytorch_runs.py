"""Helpers of the PyTorch export tests: torch itself, exporting, the exported train.py in a
subprocess, the engine's run of the same settings, and comparing their history.csv.

``make test`` installs torch (the ``pytorch`` extra), so these tests run in CI; a checkout without
it skips them, unless ``CI`` is set, where a missing torch fails them.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from desktop_app.engine.fit_data import split_indices
from desktop_app.fileio import save_weights_npz
from desktop_app.plugin_system import load_plugins
from desktop_app.project import Project, RunOverrides, build_run
from desktop_app.project.pytorch_export import pytorch_project_files, write_pytorch_project
from desktop_app.project.reads import project_inputs
from desktop_app.project.run import build_model, load_dataset
from desktop_app.registry import Registry

# Timing columns: the only ones two runs of the same training may not share.
TIMING = ("seconds", "samples_per_second")
# Runs the exported train.py's main() once per argument list, in one process (torch loads once).
DRIVER = "import json, sys, train\nfor args in json.loads(sys.argv[1]):\n    assert train.main(args) == 0\n"
# The same across several exported folders: each one's modules are imported afresh from it.
FOLDERS_DRIVER = """import importlib, json, os, sys
MODULES = ("train", "recipe", "model", "data", "metrics", "app_weights", "layers", "plugin_code")
for folder, args in json.loads(sys.argv[1]):
    for name in MODULES:
        sys.modules.pop(name, None)
    sys.path.insert(0, folder)
    os.chdir(folder)
    assert importlib.import_module("train").main(args) == 0
    sys.path.remove(folder)
"""


def require_torch():
    """torch, or a skip (a failure in CI, where ``make test`` installed it)."""
    if os.environ.get("CI"):
        import torch

        return torch
    return pytest.importorskip("torch", reason="the PyTorch export's tests need torch: "
                               "pip install -e '.[pytorch]' (make test installs it)")


def builtin_registry() -> Registry:
    return load_plugins(autoload=False).registry


def export(project: Project, registry: Registry, folder: Path) -> Path:
    write_pytorch_project(folder, pytorch_project_files(project, registry), project_inputs(project, registry))
    return folder


def train_env() -> dict[str, str]:
    """One thread per process: the machine's cores are shared, and the results do not depend on it."""
    return {**os.environ, "OMP_NUM_THREADS": "1"}


def run_train_py(folder: Path, *runs: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Each argument list through the exported train.py's main(), in one subprocess."""
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps([list(map(str, r)) for r in runs])],
                            cwd=folder, capture_output=True, text=True, env=train_env(), timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def run_train_py_in(runs: list[tuple[Path, list]], timeout: float = 300) -> None:
    """(folder, arguments) pairs: each folder's train.py main() with its arguments, in one subprocess."""
    payload = json.dumps([(str(folder), list(map(str, args))) for folder, args in runs])
    result = subprocess.run([sys.executable, "-c", FOLDERS_DRIVER, payload], capture_output=True, text=True,
                            env=train_env(), timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr


def read_history(path: Path) -> dict[str, list[float]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {column: [float(row[column]) for row in rows] for column in rows[0]}


def assert_same_history(exported: dict[str, list[float]], engine: dict[str, list[float]],
                        rtol: float) -> None:
    """Same columns in the same order; every value but the timings equal to ``rtol`` (relative)."""
    assert list(exported) == list(engine)
    for column in engine:
        if column not in TIMING:
            np.testing.assert_allclose(exported[column], engine[column], rtol=rtol, atol=0, err_msg=column)


@dataclass
class Steps:
    """Epochs and a batch size that make ``total`` optimizer steps over ``samples`` training samples."""

    epochs: int
    batch_size: int
    samples: int


def twenty_steps(project: Project, registry: Registry) -> Steps:
    """Two epochs of ten batches: 20 optimizer steps."""
    count = len(load_dataset(project, registry))
    samples = len(split_indices(count, project.training.validation_split, project.training.seed)[0])
    batch_size = math.ceil(samples / 10)
    assert 2 * math.ceil(samples / batch_size) == 20
    return Steps(2, batch_size, samples)


def engine_run(project: Project, registry: Registry, dtype: str, weights: dict[str, np.ndarray],
               epochs: int, batch_size: int | None = None, shuffle: bool = False):
    """The app's run of ``project`` in ``dtype`` from ``weights``: (history columns, the trained Run)."""
    project.dtype = dtype
    overrides = RunOverrides(epochs=epochs, batch_size=batch_size, shuffle=shuffle, weights=weights)
    run = build_run(project, overrides, registry=registry)
    history = run.fit()
    return {k: list(map(float, v)) for k, v in history.columns().items()}, run


def initial_weights(project: Project, registry: Registry, folder: Path) -> tuple[dict, Path]:
    """The project's initial weights (as exported) and an app .npz of them in ``folder``."""
    weights = build_model(project, registry).get_weights()
    path = folder / "initial.npz"
    save_weights_npz(path, weights)
    return weights, path
