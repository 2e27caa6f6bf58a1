"""Types a project needs: a missing one is named with the plugin that provided it; plugins are recorded."""

from __future__ import annotations

import json

import pytest

from desktop_app.engine.layers.activations import Tanh
from desktop_app.hookspecs import hookimpl
from desktop_app.plugin_system import PluginHost, current_registry
from desktop_app.plugin_system.discovery import Candidate
from desktop_app.project import (
    ProjectError,
    build_run,
    load_project,
    missing_types,
    record_plugins,
    save_project,
)
from desktop_app.project.requirements import install_requirement
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


class SwishPlugin:
    @hookimpl
    def register_layers(self, register):
        register(Swish)


def host_with_swish(distribution: str | None, version: str | None) -> PluginHost:
    """Built-ins plus a plugin 'swish' providing Swish, from ``distribution`` (None: a drop-in file)."""
    host = PluginHost()
    host.add_builtins()
    source = "entry point" if distribution else "folder"
    host.load(Candidate("swish", source, "swish_plugin", distribution, version), SwishPlugin)
    host.collect()
    return host


def test_saving_records_the_distribution_and_version_of_a_distribution_plugin(tiny_project, tmp_path):
    registry = host_with_swish("backprop-studio-swish", "1.2.0").registry
    tiny_project.nodes[2].type = "Swish"
    path = save_project(tiny_project, tmp_path / "p.bps.json", registry=registry)
    saved = json.loads(path.read_text())
    assert saved["plugins"] == {"layers": {"Swish": "swish"}}
    assert saved["plugin_distributions"] == {"swish": {"name": "backprop-studio-swish", "version": "1.2.0"}}
    assert load_project(path).plugin_distributions == {"swish": ("backprop-studio-swish", "1.2.0")}


def test_a_drop_in_plugin_records_its_name_only(tiny_project, tmp_path):
    registry = host_with_swish(None, None).registry
    tiny_project.nodes[2].type = "Swish"
    saved = json.loads(save_project(tiny_project, tmp_path / "p.bps.json", registry=registry).read_text())
    assert saved["plugins"] == {"layers": {"Swish": "swish"}}
    assert "plugin_distributions" not in saved


def test_a_file_without_distributions_loads_and_saves_unchanged(tiny_file, tmp_path):
    data = json.loads(tiny_file.read_text())
    data["model"]["nodes"][2]["type"] = "Swish"
    data["plugins"] = {"layers": {"Swish": "swish"}}
    old = tmp_path / "old.bps.json"
    old.write_text(json.dumps(data))
    project = load_project(old)
    assert project.plugins == {"layers": {"Swish": "swish"}} and project.plugin_distributions == {}
    [missing] = missing_types(project, current_registry())
    assert str(missing).endswith("it was provided by plugin 'swish': install or enable that plugin")
    again = save_project(project, tmp_path / "again.bps.json", registry=current_registry())
    saved = json.loads(again.read_text())
    assert saved == data


def test_a_missing_distribution_plugin_is_named_with_the_install_command(tiny_project):
    tiny_project.nodes[2].type = "Swish"
    tiny_project.plugins = {"layers": {"Swish": "swish"}}
    tiny_project.plugin_distributions = {"swish": ("backprop-studio-swish", "1.2.0")}
    [missing] = missing_types(tiny_project, current_registry())
    assert str(missing) == (
        "layer type 'Swish' ($.model.nodes[2].type) is not installed; it was provided by plugin 'swish' "
        "(backprop-studio-swish 1.2.0): install it with: backprop-studio plugins install "
        "backprop-studio-swish==1.2.0")
    assert install_requirement(missing) == "backprop-studio-swish==1.2.0"


def test_saving_without_the_plugin_keeps_its_recorded_distribution(tiny_project):
    tiny_project.nodes[2].type = "Swish"
    tiny_project.plugins = {"layers": {"Swish": "swish"}}
    tiny_project.plugin_distributions = {"swish": ("backprop-studio-swish", "1.2.0"), "gone": ("gone", "1")}
    record_plugins(tiny_project, current_registry())
    assert tiny_project.plugin_distributions == {"swish": ("backprop-studio-swish", "1.2.0")}


@pytest.mark.parametrize(("field", "value"), [("name", "--index-url=http://example.invalid/simple"),
                                              ("name", "../evil.whl"), ("version", "1.0 ; extra")])
def test_a_recorded_distribution_that_is_not_a_plain_name_and_version_is_refused(tiny_file, field, value):
    """What Install would hand to pip is a name and a version, never an option, a path or a URL."""
    data = json.loads(tiny_file.read_text())
    distribution = {"name": "backprop-studio-swish", "version": "1.2.0", field: value}
    data["plugin_distributions"] = {"swish": distribution}
    tiny_file.write_text(json.dumps(data))
    with pytest.raises(ProjectError, match=rf"\$\.plugin_distributions\.swish\.{field}"):
        load_project(tiny_file)
