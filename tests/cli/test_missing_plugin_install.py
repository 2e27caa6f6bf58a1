"""A project's type whose plugin came from a distribution that is not installed: ``train`` names
the command that installs the very version the project was saved with."""

from __future__ import annotations

import json

from desktop_app.project import example_path

from .cli_run import assert_one_line_error, run_cli


def test_a_missing_distribution_plugin_is_named_with_its_install_command(tmp_path):
    data = json.loads(example_path("xor_mlp").read_text())
    [node] = [node for node in data["model"]["nodes"] if node["type"] == "Tanh"]
    node["type"], node["config"] = "Swish", {}
    data["plugins"] = {"layers": {"Swish": "extra_layers"}}
    data["plugin_distributions"] = {"extra_layers": {"name": "backprop-studio-extra-layers",
                                                     "version": "0.1.0"}}
    project = tmp_path / "swish.bps.json"
    project.write_text(json.dumps(data))
    result = run_cli("train", project, "--out", tmp_path / "run", "--quiet", home=tmp_path)
    assert_one_line_error(
        result,
        "swish.bps.json: layer type 'Swish' ($.model.nodes[2].type) is not installed; it was provided by "
        "plugin 'extra_layers' (backprop-studio-extra-layers 0.1.0): install it with: "
        "backprop-studio plugins install backprop-studio-extra-layers==0.1.0")
    assert not (tmp_path / "run").exists()
