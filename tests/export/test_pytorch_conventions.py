"""Each built-in optimizer, regression loss and schedule that no example uses, with weight decay
and clipping, trains in the exported train.py as in the engine: 20 steps in float64 to 1e-9.

SGD's momentum without dampening (plain and Nesterov), AdamW's decoupled decay, RMSprop's rho and
Adagrad's initial accumulator, the MAE and Huber losses, the step and exponential schedules and a
warm-up cosine on the sine example's data. The variants are exported side by side and trained in
one subprocess.
"""

from __future__ import annotations

import json

import pytest

from desktop_app.project import load_project
from desktop_app.project.examples import example_path
from export.pytorch_runs import (
    assert_same_history,
    builtin_registry,
    engine_run,
    export,
    initial_weights,
    read_history,
    require_torch,
    run_train_py_in,
    twenty_steps,
)

require_torch()

VARIANTS = {
    "sgd_momentum": ({"type": "sgd", "config": {"learning_rate": 0.05, "momentum": 0.9, "weight_decay": 0.01,
                                                "clip_norm": 0.5}},
                     {"type": "huber", "config": {"delta": 0.3}}, {"type": "step", "config": {"step_size": 1,
                                                                                            "gamma": 0.5}}),
    "sgd_nesterov": ({"type": "sgd", "config": {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}},
                     {"type": "mae", "config": {}}, {"type": "exponential", "config": {"gamma": 0.7}}),
    "adamw": ({"type": "adamw", "config": {"learning_rate": 0.01, "weight_decay": 0.05, "clip_norm": 1.0}},
              {"type": "mse", "config": {}}, {"type": "constant", "config": {}}),
    "rmsprop": ({"type": "rmsprop", "config": {"learning_rate": 0.005, "rho": 0.8, "weight_decay": 0.001}},
                {"type": "mse", "config": {}}, {"type": "cosine", "config": {"warmup_epochs": 0.5,
                                                                              "min_lr": 0.0001}}),
    "adagrad": ({"type": "adagrad", "config": {"learning_rate": 0.05, "initial_accumulator": 0.2,
                                               "epsilon": 1e-6}},
                {"type": "huber", "config": {}}, {"type": "step", "config": {"step_size": 1, "gamma": 0.3}}),
}


@pytest.fixture(scope="module")
def variant_runs(tmp_path_factory):
    registry, tmp = builtin_registry(), tmp_path_factory.mktemp("conventions")
    runs, prepared = [], {}
    for name, (optimizer, loss, schedule) in VARIANTS.items():
        data = json.loads(example_path("sine_regression").read_text())
        data["training"].update(optimizer=optimizer, loss=loss, schedule=schedule)
        path = tmp / f"{name}.bps.json"
        path.write_text(json.dumps(data))
        project = load_project(path)
        steps = twenty_steps(project, registry)
        initial, _ = initial_weights(project, registry, tmp)
        folder = export(project, registry, tmp / name)
        runs.append((folder, ["--epochs", steps.epochs, "--batch-size", steps.batch_size, "--no-shuffle",
                              "--dtype", "float64", "--device", "cpu", "--out", tmp / f"{name}-run"]))
        prepared[name] = (path, steps, initial)
    run_train_py_in(runs)
    return tmp, prepared


@pytest.mark.parametrize("name", VARIANTS)
def test_the_variant_trains_as_in_the_engine(variant_runs, name) -> None:
    tmp, prepared = variant_runs
    path, steps, initial = prepared[name]
    history, _ = engine_run(load_project(path), builtin_registry(), "float64", initial, steps.epochs,
                            steps.batch_size)
    assert_same_history(read_history(tmp / f"{name}-run" / "history.csv"), history, rtol=1e-9)
