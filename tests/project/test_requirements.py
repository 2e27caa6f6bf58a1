"""Types a project needs: a missing one is named with the plugin that provided it; plugins are recorded."""

from __future__ import annotations

import pytest

from desktop_app.engine.layers.activations import Tanh
from desktop_app.plugin_manager import current_registry
from desktop_app.project import (
    ProjectError,
    build_run,
    load_project,
    missing_types,
    record_plugins,
    save_project,
)
from desktop_app.registry import Registry


def registry_with(**extra_layers) -> Registry:
    base = current_registry()
    registry = Registry()
    for kind in ("layers", "losses", "optimizers", "schedules", "metrics", "datasets"):
        for name, item in base.table(kind).items():
            registry.add(kind, name, item, "builtin")
    for name, (cls, owner) in extra_layers.items():
        registry.add("layers", name, cls, owner)
    return registry


class Swish(Tanh):
    type_name = "Swish"


def test_builtin_project_needs_nothing(tiny_project):
    assert missing_types(tiny_project, current_registry()) == []


def test_missing_layer_names_type_and_recorded_plugin(tiny_file):
    project = load_project(tiny_file)
    project.nodes[2].type = "Swish"
    project.plugins = {"layers": {"Swish": "backprop-studio-swish"}}
    expected = (r"tiny\.bps\.json: layer type 'Swish' \(\$\.model\.nodes\[2\]\.type\) is not installed; "
                r"it was provided by plugin 'backprop-studio-swish': install or enable that plugin")
    with pytest.raises(ProjectError, match=expected):
        build_run(project, registry=current_registry())


def test_every_missing_type_is_listed_once(tiny_project):
    tiny_project.training.loss.type = "focal"
    tiny_project.training.optimizer.type = "lion"
    tiny_project.training.metrics = ["accuracy", "f1"]
    missing = missing_types(tiny_project, current_registry())
    assert [(m.use.kind, m.use.name, m.use.json_path, m.plugin) for m in missing] == [
        ("losses", "focal", "$.training.loss.type", None),
        ("optimizers", "lion", "$.training.optimizer.type", None),
        ("metrics", "f1", "$.training.metrics[1]", None),
    ]
    assert str(missing[0]) == ("loss type 'focal' ($.training.loss.type) is not installed and no plugin that "
                               "provides it is recorded")


def test_missing_dataset_type(tiny_project):
    tiny_project.dataset.type = "cifar"
    with pytest.raises(ProjectError, match=r"dataset type 'cifar' \(\$\.dataset\.type\) is not installed"):
        build_run(tiny_project, registry=current_registry())


def test_record_plugins_keeps_only_non_builtin_owners(tiny_project, tmp_path):
    registry = registry_with(Swish=(Swish, "backprop-studio-swish"))
    tiny_project.nodes[2].type = "Swish"
    save_project(tiny_project, tmp_path / "p.bps.json", registry=registry)
    assert tiny_project.plugins == {"layers": {"Swish": "backprop-studio-swish"}}
    assert load_project(tmp_path / "p.bps.json").plugins == {"layers": {"Swish": "backprop-studio-swish"}}
    run = build_run(tiny_project, registry=registry)
    assert type(run.model.layers["act"]) is Swish


def test_record_plugins_remembers_plugins_that_are_not_installed(tiny_project):
    tiny_project.nodes[2].type = "Swish"
    tiny_project.plugins = {"layers": {"Swish": "backprop-studio-swish", "Unused": "gone"}}
    record_plugins(tiny_project, current_registry())
    assert tiny_project.plugins == {"layers": {"Swish": "backprop-studio-swish"}}


def test_builtin_owner_names_of_the_plugin_host_count_as_builtin(tiny_project):
    registry = registry_with(Swish=(Swish, "builtin.layers"))
    tiny_project.nodes[2].type = "Swish"
    record_plugins(tiny_project, registry)
    assert tiny_project.plugins == {}


def test_a_misspelled_type_suggests_the_installed_one(tiny_project):
    tiny_project.nodes[1].type = "Dence"
    tiny_project.training.optimizer.type = "Adam"
    tiny_project.training.loss.type = "zzz"
    missing = missing_types(tiny_project, current_registry())
    assert [str(item) for item in missing] == [
        "layer type 'Dence' ($.model.nodes[1].type) is not installed (did you mean 'Dense'?)",
        "loss type 'zzz' ($.training.loss.type) is not installed and no plugin that provides it is recorded",
        "optimizer type 'Adam' ($.training.optimizer.type) is not installed (did you mean 'adam'?)",
    ]
    with pytest.raises(ProjectError, match=r"layer type 'Dence' .* \(did you mean 'Dense'\?\)"):
        build_run(tiny_project, registry=current_registry())
