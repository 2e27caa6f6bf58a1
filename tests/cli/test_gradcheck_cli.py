"""``backprop-studio gradcheck`` end to end: a row per layer and one for the loss, exit 0 when correct,
1 when a layer or the loss is wrong."""

from __future__ import annotations

import json

from desktop_app.project import FORMAT_VERSION, example_path, load_project, save_project

from .cli_run import assert_one_line_error, main_error, run_cli

# A drop-in plugin whose layer has a wrong derivative (twice ReLU's): forward is fine, backward is not.
WRONG_GRADIENT_PLUGIN = '''
import numpy as np

from desktop_app.engine.layer import Layer
from desktop_app.hookspecs import hookimpl


class DoubledGradReLU(Layer):
    type_name = "DoubledGradReLU"
    description = "ReLU whose backward pass is off by a factor of two (a deliberate bug)."
    example_input_shapes = ((4,),)

    def output_shape(self, *input_shapes):
        return input_shapes[0]

    def forward(self, x, training=False):
        self._mask = x > 0
        return x * self._mask

    def backward(self, grad):
        return (2 * grad * self._mask,)


@hookimpl
def register_layers(register):
    register(DoubledGradReLU)
'''

# A drop-in plugin whose loss has the wrong sign in backward: training with it would climb the loss.
WRONG_SIGN_LOSS_PLUGIN = '''
from desktop_app.engine.losses import BinaryCrossentropy
from desktop_app.hookspecs import hookimpl


class FlippedBCE(BinaryCrossentropy):
    type_name = "flipped_bce"
    description = "Binary cross-entropy whose backward has the wrong sign (a deliberate bug)."

    def backward(self):
        return -super().backward()


@hookimpl
def register_losses(register):
    register(FlippedBCE)
'''


def with_drop_in(home, name: str, source: str) -> None:
    plugins = home / "data" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / name).write_text(source)


def test_example_passes_with_a_row_per_layer(tmp_path):
    result = run_cli("gradcheck", example_path("residual_mlp"), home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("gradient check of Residual MLP on 4 sample(s), float64")
    nodes = [node.name for node in load_project(example_path("residual_mlp")).nodes if node.type != "Input"]
    rows = [line.split() for line in lines[2:2 + len(nodes)]]
    assert lines[1].split() == ["NODE", "TYPE", "PARAMS", "INPUT", "GRADE", "STATUS"]
    assert [row[0] for row in rows] == nodes
    assert all(row[-2:] == ["excellent", "ok"] for row in rows)
    assert rows[0][:2] == ["stem", "Dense"] and float(rows[0][2]) < 1e-7
    loss_row = lines[2 + len(nodes)].split()
    assert loss_row[:4] == ["loss", "(categorical_crossentropy)", "Loss", "-"]
    assert float(loss_row[4]) < 1e-7 and loss_row[5:] == ["excellent", "ok"]
    assert lines[-1] == f"ok: all {len(nodes)} layers and the loss pass"


def test_a_wrong_layer_fails_and_exits_non_zero(tmp_path):
    with_drop_in(tmp_path, "wrong_gradient.py", WRONG_GRADIENT_PLUGIN)
    project = load_project(example_path("xor_mlp"))
    project.nodes[2].type = "DoubledGradReLU"
    save_project(project, tmp_path / "wrong.bps.json")
    result = run_cli("gradcheck", tmp_path / "wrong.bps.json", home=tmp_path, plugins=True)
    assert result.returncode == 1, result.stdout + result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[2:-1]}
    assert rows["tanh"][1:] == ["DoubledGradReLU", "-", rows["tanh"][3], "wrong", "FAILED"]
    assert float(rows["tanh"][3]) > 0.1
    # parameters are checked end to end, so the layer below the wrong one fails too
    assert rows["hidden"][-1] == "FAILED" and float(rows["hidden"][2]) > 0.1
    assert rows["logit"][-1] == "ok" and rows["loss"][-1] == "ok"
    assert result.stdout.splitlines()[-1] == "FAILED: hidden, tanh"


def test_a_wrong_loss_is_named_in_its_row_and_no_layer_is_blamed(tmp_path):
    with_drop_in(tmp_path, "wrong_loss.py", WRONG_SIGN_LOSS_PLUGIN)
    project = load_project(example_path("xor_mlp"))
    project.training.loss.type = "flipped_bce"
    save_project(project, tmp_path / "wrong_loss.bps.json")
    result = run_cli("gradcheck", tmp_path / "wrong_loss.bps.json", home=tmp_path, plugins=True)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    rows = [line.split() for line in lines[2:-2]]
    assert [row[0] for row in rows] == ["hidden", "tanh", "logit", "loss"]
    assert all(row[-2:] == ["excellent", "ok"] for row in rows[:3]), result.stdout
    assert rows[3][:4] == ["loss", "(flipped_bce)", "Loss", "-"]
    assert float(rows[3][4]) == 1.0 and rows[3][5:] == ["wrong", "FAILED"]  # opposite signs everywhere
    assert lines[-2] == ("the loss's backward disagrees with its forward; the layer rows do not depend on it "
                         "(their check starts from the finite-difference dL/dpred)")
    assert lines[-1] == "FAILED: loss (flipped_bce)"


def test_bad_input(tmp_path):
    assert_one_line_error(run_cli("gradcheck", example_path("xor_mlp"), "--samples", 0, home=tmp_path),
                          "--samples must be at least 1. Received: 0")
    newer = FORMAT_VERSION + 1
    (tmp_path / "not.bps.json").write_text(json.dumps({"format_version": newer}))
    assert_one_line_error(run_cli("gradcheck", tmp_path / "not.bps.json", home=tmp_path),
                          f"format_version {newer} is newer than this Backprop Studio reads")


def test_seed_help_says_it_also_picks_the_samples_checked(tmp_path):
    result = run_cli("gradcheck", "--help", home=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "seed of the initial weights and of the validation split, which decides the training samples " \
           "checked" in text


def test_a_negative_seed_names_the_option(capsys):
    assert main_error(capsys, "gradcheck", example_path("xor_mlp"), "--seed", -1) == (
        "error: --seed must be at least 0. Received: -1")
