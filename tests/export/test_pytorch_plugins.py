"""Plugin items in a PyTorch export: the example plugins give the PyTorch code of Swish, LayerNorm,
focal loss and Lion through ``register_pytorch_code``, and a project using all four (with clipping,
weight decay and a warm-up cosine schedule) trains in the exported train.py as in the engine:
20 steps, float64, to 1e-9."""

from __future__ import annotations

import json

import pytest

from desktop_app.hookspecs import PytorchCode
from desktop_app.paths import REPO_ROOT
from desktop_app.plugin_system import load_plugins
from desktop_app.project import load_project
from desktop_app.project.examples import example_path
from export.pytorch_runs import (
    assert_same_history,
    engine_run,
    export,
    initial_weights,
    read_history,
    require_torch,
    run_train_py,
    twenty_steps,
)

require_torch()
SOURCES = {"extra_layers": "backprop-studio-extra-layers/src", "focal_lion": "backprop-studio-focal-lion/src"}


@pytest.fixture
def plugin_registry(monkeypatch):
    """The built-ins and both example plugins, registered from their source folders."""
    host = load_plugins(autoload=False)
    for name, folder in SOURCES.items():
        monkeypatch.syspath_prepend(str(REPO_ROOT / "plugins" / folder))
        package = f"backprop_studio_{name}"
        host.register(__import__(f"{package}.plugin", fromlist=["plugin"]), name)
    registry = host.collect()
    assert not host.problems(), [problem.message for problem in host.problems()]
    return registry


def test_both_example_plugins_give_pytorch_code_for_every_item(plugin_registry) -> None:
    assert sorted(plugin_registry.pytorch_code) == ["LayerNorm", "Swish", "focal", "lion"]
    assert all(isinstance(code, PytorchCode) for code in plugin_registry.pytorch_code.values())


def test_a_project_of_plugin_items_trains_as_in_the_engine(plugin_registry, tmp_path) -> None:
    data = json.loads(example_path("spiral_mlp").read_text())
    data["name"] = "Plugin items"
    nodes = data["model"]["nodes"]
    nodes[2].update(type="Swish", config={"beta": 1.5})
    nodes[4].update(type="LayerNorm", config={"epsilon": 1e-4})
    data["training"].update(
        loss={"type": "focal", "config": {"gamma": 1.5, "alpha": 0.8}},
        optimizer={"type": "lion", "config": {"learning_rate": 0.003, "weight_decay": 0.1, "clip_norm": 0.5}},
        schedule={"type": "cosine", "config": {"warmup_epochs": 0.5, "min_lr": 0.0001}})
    path = tmp_path / "plugins.bps.json"
    path.write_text(json.dumps(data))
    project = load_project(path)
    folder = export(project, plugin_registry, tmp_path / "export")
    assert "class Lion" in (folder / "plugin_code.py").read_text()
    steps = twenty_steps(project, plugin_registry)
    initial, _ = initial_weights(project, plugin_registry, tmp_path)
    run_train_py(folder, ["--epochs", steps.epochs, "--batch-size", steps.batch_size, "--no-shuffle",
                          "--dtype", "float64", "--device", "cpu", "--out", tmp_path / "run"])
    history, _ = engine_run(load_project(path), plugin_registry, "float64", initial, steps.epochs,
                            steps.batch_size)
    assert_same_history(read_history(tmp_path / "run" / "history.csv"), history, rtol=1e-9)
