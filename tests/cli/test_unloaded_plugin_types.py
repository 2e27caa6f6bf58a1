"""A project's type whose plugin is installed but did not load: ``train`` says what became of it."""

from __future__ import annotations

import json
import textwrap

import pytest

from desktop_app.project import example_path

from .cli_run import assert_one_line_error, run_cli

MISH = """
    import numpy as np

    from desktop_app.engine.layer import Layer
    from desktop_app.hookspecs import hookimpl

    class Mish(Layer):
        type_name = "Mish"

        def output_shape(self, *shapes):
            return shapes[0]

        def forward(self, x, training=False):
            self.x = x
            return x * np.tanh(np.log1p(np.exp(x)))

        def backward(self, grad):
            return (grad,)

    @hookimpl
    def register_layers(register):
        register(Mish)
"""
BROKEN_MISH = 'raise ImportError("mish needs the package mishmash")\n'


def mish_project(folder, recorded: bool):
    """The XOR example with its Tanh replaced by Mish; ``recorded``: as the app saves it, naming
    the plugin that provides Mish."""
    data = json.loads(example_path("xor_mlp").read_text())
    [node] = [node for node in data["model"]["nodes"] if node["type"] == "Tanh"]
    node["type"], node["config"] = "Mish", {}
    data["training"]["epochs"] = 1
    if recorded:
        data["plugins"] = {"layers": {"Mish": "mish"}}
    path = folder / ("mish.bps.json" if recorded else "handwritten.bps.json")
    path.write_text(json.dumps(data))
    return path


def install_drop_in(home, source: str) -> None:
    folder = home / "data" / "plugins"
    folder.mkdir(parents=True)
    (folder / "mish.py").write_text(textwrap.dedent(source))


def train(home, project):
    return run_cli("train", project, "--out", home / "run", "--quiet", home=home, plugins=True)


def test_a_plugin_failing_to_import_is_named_with_its_error(tmp_path):
    install_drop_in(tmp_path, BROKEN_MISH)
    assert_one_line_error(
        train(tmp_path, mish_project(tmp_path, recorded=True)),
        "mish.bps.json: layer type 'Mish' ($.model.nodes[2].type) is not available: it is provided by plugin "
        "'mish', which is installed but could not be imported: ImportError: mish needs the package mishmash "
        "(see: backprop-studio plugins list)")
    assert not (tmp_path / "run").exists()


def test_a_disabled_plugin_is_named_with_the_command_that_enables_it(tmp_path):
    install_drop_in(tmp_path, MISH)
    project = mish_project(tmp_path, recorded=True)
    assert run_cli("plugins", "disable", "mish", home=tmp_path).returncode == 0
    line = assert_one_line_error(train(tmp_path, project))
    assert line.endswith("layer type 'Mish' ($.model.nodes[2].type) is not available: it is provided by "
                         "plugin 'mish', which is disabled (turn it on with: backprop-studio plugins "
                         "enable mish)")
    assert "did you mean" not in line
    assert run_cli("plugins", "enable", "mish", home=tmp_path).returncode == 0
    trained = train(tmp_path, project)
    assert trained.returncode == 0, trained.stderr


@pytest.mark.parametrize(("source", "why"), [
    (BROKEN_MISH, "which is installed but could not be imported: ImportError: mish needs the package "
                  "mishmash"),
    (MISH, "which is installed but not loaded: safe mode"),
])
def test_with_no_plugin_recorded_the_plugins_that_did_not_load_are_named_as_possible_sources(
        tmp_path, source, why):
    install_drop_in(tmp_path, source)
    arguments = ["train", mish_project(tmp_path, recorded=False), "--out", tmp_path / "run"]
    result = run_cli(*arguments, home=tmp_path, plugins=source is BROKEN_MISH)
    line = assert_one_line_error(result, "layer type 'Mish' ($.model.nodes[2].type) is not available; "
                                         f"it may come from plugin 'mish', {why}")
    assert "is not installed" not in line
