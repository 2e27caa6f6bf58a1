"""Versions: a version 0 file is migrated and trains; newer or nonsense versions get a clear message."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from desktop_app.plugin_system import current_registry
from desktop_app.project import (
    FORMAT_VERSION,
    ProjectError,
    RunOverrides,
    build_run,
    load_project,
    parse_project,
    save_project,
)
from desktop_app.project.migrations import MIGRATIONS, migrate

V0 = {
    "format_version": 0,
    "name": "old spiral",
    "input_shape": [2],
    "layers": [{"type": "Dense", "units": 16}, {"type": "ReLU"}, {"type": "Dense", "units": 3}],
    "dataset": "spiral",
    "dataset_options": {"n_samples": 90, "seed": 2},
    "loss": "categorical_crossentropy",
    "optimizer": "adam",
    "learning_rate": 0.02,
    "batch_size": 30,
    "epochs": 4,
    "seed": 5,
    "validation_split": 0.1,
    "weights": "old.npz",
}


def test_every_older_version_has_a_migration():
    assert sorted(MIGRATIONS) == list(range(FORMAT_VERSION))


def test_v0_is_migrated_to_the_current_layout():
    project = parse_project(json.dumps(V0), "old.bps.json")
    assert [(n.name, n.type, n.inputs) for n in project.nodes] == [
        ("input", "Input", []),
        ("dense_1", "Dense", ["input"]),
        ("relu_2", "ReLU", ["dense_1"]),
        ("dense_3", "Dense", ["relu_2"]),
    ]
    assert project.nodes[0].config == {"shape": [2]}
    assert project.nodes[1].config == {"units": 16}
    assert [n.position.x for n in project.nodes] == [0, 200, 400, 600]
    assert project.dataset.type == "spiral" and project.dataset.options == {"n_samples": 90, "seed": 2}
    training = project.training
    assert training.loss.type == "categorical_crossentropy"
    assert training.optimizer.type == "adam" and training.optimizer.config == {"learning_rate": 0.02}
    assert (training.batch_size, training.epochs, training.seed, training.validation_split) == (30, 4, 5, 0.1)
    assert project.weights == "old.npz" and project.name == "old spiral"


def test_migration_does_not_modify_its_input():
    data = copy.deepcopy(V0)
    migrate(data, "old")
    assert data == V0


def test_migrated_project_saves_as_current_and_trains(tmp_path):
    path = tmp_path / "old.bps.json"
    path.write_text(json.dumps(V0))
    project = load_project(path)
    saved = tmp_path / "new.bps.json"
    from desktop_app.project import save_project

    save_project(project, saved)
    assert json.loads(saved.read_text())["format_version"] == FORMAT_VERSION
    run = build_run(load_project(saved), RunOverrides(epochs=3), registry=current_registry())
    history = run.fit()
    assert history.epochs[-1].loss < history.epochs[0].loss
    assert np.isfinite(history.epochs[-1].loss)


V1 = {
    "format_version": 1,
    "name": "tiny",
    "model": {"nodes": [
        {"name": "input", "type": "Input", "params": {"shape": [2]}},
        {"name": "out", "type": "Dense", "params": {"units": 1}, "inputs": ["input"]},
    ]},
    "dataset": {"type": "xor"},
    "training": {"loss": {"type": "binary_crossentropy", "params": {}},
                 "optimizer": {"type": "adam", "params": {"learning_rate": 0.05}},
                 "schedule": {"type": "constant"}, "epochs": 2},
}


def test_v1_settings_called_params_open_as_config_and_are_written_as_config(tmp_path):
    """Version 1 called a node's and a component's settings ``params``, the engine's word for weights."""
    source = tmp_path / "v1.bps.json"
    source.write_text(json.dumps(V1))
    project = load_project(source)
    assert [node.config for node in project.nodes] == [{"shape": [2]}, {"units": 1}]
    assert project.training.optimizer.config == {"learning_rate": 0.05}
    assert project.training.schedule.config == {}
    saved = json.loads(save_project(project, tmp_path / "v2.bps.json").read_text())
    assert saved["format_version"] == FORMAT_VERSION == 2
    assert saved["model"]["nodes"][1]["config"] == {"units": 1}
    assert saved["training"]["optimizer"] == {"type": "adam", "config": {"learning_rate": 0.05}}
    assert '"params"' not in json.dumps(saved)


def test_a_v1_file_with_a_bad_setting_names_its_path_in_the_current_form(tmp_path):
    broken = copy.deepcopy(V1)
    broken["model"]["nodes"][1]["params"] = []
    with pytest.raises(ProjectError, match=r"\$\.model\.nodes\[1\]\.config: \[\] is not of type"):
        parse_project(json.dumps(broken), "v1.bps.json")


def test_invalid_v0_names_the_version_and_path():
    bad = {**V0, "layers": [{"units": 3}]}
    with pytest.raises(ProjectError,
                       match=r"old\.json \(format_version 0\): \$\.layers\[0\]: 'type' is a required"):
        parse_project(json.dumps(bad), "old.json")


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        ({**V0, "format_version": 99},
         r"\$\.format_version: format_version 99 is newer than this Backprop Studio reads \(up to 2\); "
         r"update Backprop Studio"),
        ({**V0, "format_version": "1"}, r"format_version must be a whole number >= 0\. Received: '1'"),
        ({**V0, "format_version": -1}, r"Received: -1"),
        ({**V0, "format_version": True}, r"Received: True"),
        ({"name": "x"}, r"\$: missing 'format_version'; is this a Backprop Studio project\?"),
        ([1, 2], r"\$: a project file holds a JSON object\. Received: list"),
    ],
)
def test_unreadable_versions(data, pattern):
    with pytest.raises(ProjectError, match=r"p\.bps\.json: .*" + pattern):
        parse_project(json.dumps(data), "p.bps.json")
