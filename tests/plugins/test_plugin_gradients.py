"""Plugin layers and losses are gradient-checked when first loaded: a wrong backward makes its
plugin "suspect gradients" (it still loads), the result is cached per version, and a project
using it is warned."""

from __future__ import annotations

import json
import os
import subprocess

from desktop_app.gui.plugin_details import describe
from desktop_app.gui.plugin_notice import notice_text
from desktop_app.plugin_system import gradients, load_plugins
from desktop_app.plugin_system.gradients import CACHE_FILE
from desktop_app.project import example_path, load_project
from desktop_app.project.suspect_plugins import suspect_uses
from desktop_app.settings import data_dir
from tests.cli.cli_run import cli_command, cli_env

SIGN_ERROR_LAYER = '''
import numpy as np

from desktop_app.engine.layer import Layer
from desktop_app.hookspecs import hookimpl


class Scale(Layer):
    """y = x * w per feature; dL/dw = sum(g * x), dL/dx = g * w ({sign} in backward)."""

    type_name = "Scale"
    description = "Multiplies every feature by a learned factor."

    def output_shape(self, *input_shapes):
        return input_shapes[0]

    def build(self, *input_shapes, rng):
        self.add_param("w", rng.standard_normal(input_shapes[0]).astype(self.dtype))

    def forward(self, x, training=False):
        self._x = x
        return x * self.params["w"]

    def backward(self, grad):
        self.grads["w"] = {sign}(grad * self._x).sum(axis=0)
        return (grad * self.params["w"],)


@hookimpl
def register_layers(register):
    register(Scale)
'''
WRONG = SIGN_ERROR_LAYER.replace("{sign}", "-")
RIGHT = SIGN_ERROR_LAYER.replace("{sign}", "")


def test_a_layer_with_a_sign_error_in_backward_installs_as_suspect_gradients(fake_site, tmp_path):
    fake_site("backprop-studio-scale", "scale", WRONG)
    host = load_plugins(folder=tmp_path / "none")
    info = host.plugins["scale"]
    assert info.status == "suspect gradients" and not info.problems
    [error] = info.suspect_gradients
    assert error.startswith("layer 'Scale': backward disagrees with finite differences of forward: d/dw ")
    assert "(wrong)" in error and "input 0" not in error  # only the parameter gradient is wrong
    assert "Scale" in host.registry.layers  # it still loads: the user decides
    assert host.registry.suspect_gradients == {"scale": (error,)}
    assert info.to_json()["status"] == "suspect gradients"
    shown = describe(info)  # what Help > Plugins shows of it
    assert "suspect gradients</span>" in shown
    assert "<b>Suspect gradients:</b> layer &#x27;Scale&#x27;" in shown


def test_a_correct_layer_is_active_and_the_result_is_cached_per_version(fake_site, tmp_path, monkeypatch):
    fake_site("backprop-studio-scale", "scale", RIGHT)
    assert load_plugins(folder=tmp_path / "none").plugins["scale"].status == "active"
    cache = json.loads((data_dir() / CACHE_FILE).read_text())
    assert cache == {"scale backprop-studio-scale 1.0": []}

    def no_second_check(*_args):
        raise AssertionError("checked again although the version did not change")

    monkeypatch.setattr(gradients, "gradient_errors", no_second_check)
    assert load_plugins(folder=tmp_path / "none").plugins["scale"].status == "active"


def test_a_layer_the_check_cannot_run_on_is_not_suspected(fake_site, tmp_path):
    check = "        assert x.dtype == np.float32\n"  # float64 input: the check cannot run
    float32_only = RIGHT.replace("        self._x = x\n", check + "        self._x = x\n")
    fake_site("backprop-studio-scale", "scale", float32_only)
    info = load_plugins(folder=tmp_path / "none").plugins["scale"]
    assert (info.status, info.suspect_gradients) == ("active", [])


def test_a_project_using_the_suspect_layer_is_warned(fake_site, tmp_path):
    fake_site("backprop-studio-scale", "scale", WRONG)
    host = load_plugins(folder=tmp_path / "none")
    project = load_project(example_path("spiral_mlp"))
    assert suspect_uses(project, host.registry) == []
    data = project.to_json()
    data["model"]["nodes"].insert(1, {"name": "scale", "type": "Scale", "config": {}, "inputs": ["input"],
                                      "position": {"x": 0, "y": 0}})
    data["model"]["nodes"][2]["inputs"] = ["scale"]
    path = tmp_path / "scaled.bps.json"
    path.write_text(json.dumps(data))
    project = load_project(path)
    [warning] = suspect_uses(project, host.registry)
    assert warning.startswith("this project uses layer 'Scale' ($.model.nodes[1].type) from plugin 'scale', "
                              "whose gradients failed the finite-difference check: layer 'Scale': ")
    text, _, _ = notice_text(project, host.registry)
    assert "Warning: This project uses layer 'Scale'" in text


def test_plugins_list_shows_the_status_and_the_errors(fake_site, tmp_path):
    fake_site("backprop-studio-scale", "scale", WRONG)
    env = cli_env(tmp_path / "home", plugins=True)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), env.get("PYTHONPATH", "")])
    done = subprocess.run(cli_command("plugins", "list"), capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    [row] = [line for line in done.stdout.splitlines() if line.startswith("scale ")]
    assert "suspect gradients" in row and "layers: Scale" in row
    assert "    ! layer 'Scale': backward disagrees with finite differences of forward" in done.stdout
