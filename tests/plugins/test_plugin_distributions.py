"""The example plugins of ``plugins/``, pip-installed for real into a temporary virtual environment.

The environment sees this checkout's packages through a ``.pth`` file, and everything runs in it
as a user would: ``backprop-studio plugins install`` (pip), discovery by entry point, a project
using the plugins' layers, loss and optimizer trained with ``backprop-studio train``, exported with
``backprop-studio export`` and compared with onnxruntime, the plugins' own test suites, and the
removal of a plugin that crashes on import.
"""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import pytest

from desktop_app.paths import EXAMPLES_DIR, REPO_ROOT

from .plugin_env import PluginEnv, make_plugin_env

pytestmark = pytest.mark.slow

EXAMPLE_PLUGINS = ("backprop-studio-extra-layers", "backprop-studio-focal-lion")


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> PluginEnv:
    env = make_plugin_env(tmp_path_factory.mktemp("plugin_env"))
    for name in EXAMPLE_PLUGINS:
        installed = env.install(REPO_ROOT / "plugins" / name)
        assert installed.returncode == 0, installed.stdout + installed.stderr
        assert "installed plugin '" in installed.stdout
    return env


def test_installed_plugins_are_discovered_through_their_entry_points(plugin_env):
    plugins = plugin_env.plugins()
    assert set(plugins) == {"extra_layers", "focal_lion"}
    layers, lion = plugins["extra_layers"], plugins["focal_lion"]
    assert (layers["distribution"], layers["version"], layers["source"], layers["status"]) == (
        "backprop-studio-extra-layers", "0.1.0", "entry point", "active")
    both = ["Swish", "LayerNorm"]
    assert layers["contributes"] == {"layers": both, "onnx_mappings": both, "pytorch_code": both}
    assert lion["contributes"] == {"losses": ["focal"], "optimizers": ["lion"],
                                   "pytorch_code": ["focal", "lion"]}
    assert lion["status"] == "active"


def _plugin_project(path: Path) -> Path:
    """The spiral example rebuilt from the plugins' parts: LayerNorm, Swish, focal loss, Lion."""
    project = json.loads((EXAMPLES_DIR / "spiral_mlp.bps.json").read_text())
    for node in project["model"]["nodes"]:
        if node["type"] == "ReLU":
            node["type"], node["config"] = "Swish", {"beta": 1.0}
    dense = next(node for node in project["model"]["nodes"] if node["name"] == "hidden_2")
    dense["type"], dense["config"] = "LayerNorm", {"epsilon": 1e-5}
    project["name"] = "Spiral with plugins"
    project["training"].update(loss={"type": "focal", "config": {"gamma": 2.0}},
                               optimizer={"type": "lion", "config": {"learning_rate": 0.003}},
                               epochs=40)
    path.write_text(json.dumps(project, indent=2))
    return path


COMPARE_WITH_ONNXRUNTIME = """
import json, sys
import numpy as np
import onnxruntime
from desktop_app.fileio import load_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import build_model, load_project

project_file, weights_file, onnx_file = sys.argv[1:]
model = build_model(load_project(project_file), current_registry())
model.set_weights(load_weights_npz(weights_file), strict=False)
x = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
session = onnxruntime.InferenceSession(onnx_file, providers=["CPUExecutionProvider"])
ours = model.forward(x)
theirs = session.run(None, {session.get_inputs()[0].name: x})[0]
ops = sorted({node.op_type for node in __import__("onnx").load(onnx_file).graph.node})
print(json.dumps({"max_diff": float(np.max(np.abs(ours - theirs))), "ops": ops}))
"""


def test_a_project_using_the_plugins_trains_its_loss_falls_and_it_exports_to_onnx(plugin_env, tmp_path):
    project = _plugin_project(tmp_path / "spiral_plugins.bps.json")
    out = tmp_path / "run"
    trained = plugin_env.cli("train", str(project), "--out", str(out), "--quiet")
    assert trained.returncode == 0, trained.stderr
    with open(out / "history.csv", newline="") as handle:
        losses = [float(row["loss"]) for row in csv.DictReader(handle)]
    assert len(losses) == 40
    assert losses[-1] < 0.5 * losses[0], losses

    onnx_file = tmp_path / "spiral.onnx"
    exported = plugin_env.cli("export", str(project), "--weights", str(out / "weights.npz"),
                              "--format", "onnx", "-o", str(onnx_file))
    assert exported.returncode == 0, exported.stderr
    compared = plugin_env.run("-c", COMPARE_WITH_ONNXRUNTIME, str(project), str(out / "weights.npz"),
                              str(onnx_file))
    assert compared.returncode == 0, compared.stderr
    result = json.loads(compared.stdout)
    assert result["max_diff"] <= 1e-5
    assert "LayerNormalization" in result["ops"] and "Sigmoid" in result["ops"]


SAVE_WITH_INSTALLED_PLUGINS = """
import sys
from desktop_app.plugin_system import current_registry
from desktop_app.project import load_project, save_project

save_project(load_project(sys.argv[1]), sys.argv[2], registry=current_registry())
"""


def test_saving_a_project_records_its_plugins_distributions_and_versions(plugin_env, tmp_path):
    saved = tmp_path / "saved.bps.json"
    result = plugin_env.run("-c", SAVE_WITH_INSTALLED_PLUGINS,
                            str(_plugin_project(tmp_path / "spiral_plugins.bps.json")), str(saved))
    assert result.returncode == 0, result.stderr
    data = json.loads(saved.read_text())
    assert data["plugins"] == {"layers": {"LayerNorm": "extra_layers", "Swish": "extra_layers"},
                               "losses": {"focal": "focal_lion"}, "optimizers": {"lion": "focal_lion"}}
    assert data["plugin_distributions"] == {
        "extra_layers": {"name": "backprop-studio-extra-layers", "version": "0.1.0"},
        "focal_lion": {"name": "backprop-studio-focal-lion", "version": "0.1.0"}}


@pytest.mark.parametrize("name", EXAMPLE_PLUGINS)
def test_the_example_plugins_own_tests_pass_where_they_are_installed(plugin_env, name):
    folder = plugin_env.root / "src" / name
    result = plugin_env.run("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


BROKEN_PLUGIN = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "backprop-studio-broken-probe"
        version = "0.3.0"

        [project.entry-points."backprop_studio.plugins"]
        broken_probe = "broken_probe"

        [tool.setuptools]
        py-modules = ["broken_probe"]
    """,
    "broken_probe.py": """
        import os
        from pathlib import Path

        Path(os.environ["BROKEN_PROBE_MARKER"]).write_text("imported")
        raise ImportError("broken_probe needs a library that is not installed")
    """,
}


def test_a_plugin_crashing_on_import_is_reported_and_can_be_uninstalled_without_importing_it(
        plugin_env, tmp_path):
    source = tmp_path / "broken-probe"
    source.mkdir()
    for name, text in BROKEN_PLUGIN.items():
        (source / name).write_text(textwrap.dedent(text))
    marker = tmp_path / "imported.txt"
    plugin_env.environ["BROKEN_PROBE_MARKER"] = str(marker)
    installed = plugin_env.install(source)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    plugins = plugin_env.plugins()
    broken = plugins["broken_probe"]
    assert (broken["status"], broken["distribution"], broken["version"]) == (
        "failed", "backprop-studio-broken-probe", "0.3.0")
    assert broken["problems"][0]["message"] == (
        "plugin 'broken_probe' (backprop-studio-broken-probe 0.3.0) could not be imported: "
        "ImportError: broken_probe needs a library that is not installed")
    assert plugins["extra_layers"]["status"] == plugins["focal_lion"]["status"] == "active"
    assert marker.exists()

    marker.unlink()
    removed = plugin_env.cli("plugins", "uninstall", "broken_probe")
    assert removed.returncode == 0, removed.stderr
    assert "removed backprop-studio-broken-probe" in removed.stdout
    assert not marker.exists(), "uninstall imported the plugin"
    assert set(plugin_env.plugins()) == {"extra_layers", "focal_lion"}


NOT_A_PLUGIN = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "notplug-probe"
        version = "0.2"

        [tool.setuptools]
        py-modules = ["notplug_probe"]
    """,
    "notplug_probe.py": "X = 1\n",
}


def test_a_distribution_without_a_plugin_is_reported_by_pip_install_and_removed_by_name(plugin_env, tmp_path):
    source = tmp_path / "notplug"
    source.mkdir()
    for name, text in NOT_A_PLUGIN.items():
        (source / name).write_text(textwrap.dedent(text))
    installed = plugin_env.install(source)
    assert installed.returncode == 2, installed.stdout + installed.stderr
    copy = plugin_env.root / "src" / "notplug"
    assert installed.stderr.endswith(
        f"error: {copy}: pip installed notplug-probe 0.2, which exposes no 'backprop_studio.plugins' entry "
        "point, so it is not a Backprop Studio plugin; remove it with: "
        "backprop-studio plugins uninstall notplug-probe\n")
    version = ("-c", "import importlib.metadata as m; print(m.version('notplug-probe'))")
    assert plugin_env.run(*version).stdout == "0.2\n"
    removed = plugin_env.cli("plugins", "uninstall", "notplug-probe")
    assert (removed.returncode, removed.stdout.splitlines()[-1]) == (0, "removed notplug-probe")
    assert plugin_env.run(*version).returncode != 0


def test_a_drop_in_named_like_an_installed_plugin_is_refused(plugin_env, tmp_path):
    source = tmp_path / "extra_layers.py"
    source.write_text("X = 1\n")
    refused = plugin_env.cli("plugins", "install", str(source))
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"error: {source}: the plugin name 'extra_layers' is already taken by entry point plugin "
        "'extra_layers' (distribution backprop-studio-extra-layers 0.1.0); rename the file, or "
        "uninstall that plugin first\n")
    assert not (plugin_env.root / "data" / "plugins" / "extra_layers.py").exists()
