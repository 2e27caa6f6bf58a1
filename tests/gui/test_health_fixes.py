"""Each hint's fix as a project edit: what Apply says, what it changes, and that a fixed learning
rate trains better (the edit functions run on the project's JSON data, as the window's undo does)."""

from __future__ import annotations

import copy

import pytest

from desktop_app.engine.health import Fix
from desktop_app.gui.health.fixes import DROPOUT_RATE, EARLY_STOPPING, WEIGHT_DECAY, plan
from desktop_app.plugin_system import current_registry
from desktop_app.project import build_run, example_path, load_project
from desktop_app.project.document import Project

REGISTRY = current_registry()


def data_of(name: str) -> dict:
    return load_project(example_path(name)).to_json()


def applied(fix: Fix, data: dict) -> tuple[str, dict]:
    plans = plan(fix, data, REGISTRY)
    changed = copy.deepcopy(data)
    plans.change(changed)
    return plans.label, changed


def node(data: dict, name: str) -> dict:
    return next(item for item in data["model"]["nodes"] if item["name"] == name)


def test_lowering_a_too_high_learning_rate_makes_the_next_run_end_lower():
    data = data_of("spiral_mlp")
    data["training"]["optimizer"] = {"type": "sgd", "config": {"learning_rate": 5.0}}
    data["training"]["epochs"] = 10
    label, fixed = applied(Fix("scale_learning_rate", value=0.1), data)
    assert label == "Set the learning rate to 0.5"
    assert fixed["training"]["optimizer"]["config"] == {"learning_rate": 0.5}
    losses = []
    for version in (data, fixed):
        project = Project.from_json(version)
        losses.append(build_run(project, registry=REGISTRY).fit().epochs[-1].loss)
    assert losses[1] < losses[0] / 1.5


def test_the_learning_rate_defaults_to_the_optimizers_when_the_project_sets_none():
    data = data_of("xor_mlp")
    data["training"]["optimizer"] = {"type": "sgd", "config": {}}
    default = REGISTRY.optimizers["sgd"].schema.defaults()["learning_rate"]
    label, fixed = applied(Fix("scale_learning_rate", value=10.0), data)
    assert fixed["training"]["optimizer"]["config"]["learning_rate"] == pytest.approx(default * 10)


def test_he_initialization_and_the_output_layers_default_initialization():
    data = data_of("digits_mlp")
    label, fixed = applied(Fix("he_init", ("hidden",)), data)
    assert label == "Use He initialization for 'hidden'"
    assert node(fixed, "hidden")["config"] == {**node(data, "hidden")["config"],
                                               "kernel_initializer": "he_normal", "bias_initializer": "zeros"}
    assert plan(Fix("he_init", ("hidden",)), fixed, REGISTRY) is None  # already done: nothing to apply
    data["model"]["nodes"].append({"name": "norm", "type": "BatchNorm", "config": {}, "inputs": ["hidden"]})
    assert plan(Fix("he_init", ("norm",)), data, REGISTRY) is None  # a BatchNorm has no initializers
    node(data, "logits")["config"]["bias_initializer"] = "ones"
    label, fixed = applied(Fix("output_init", ("logits",)), data)
    assert node(fixed, "logits")["config"]["bias_initializer"] == "zeros"


def test_batchnorm_goes_between_the_layer_and_its_consumers():
    data = data_of("digits_mlp")
    label, fixed = applied(Fix("insert_batchnorm", ("hidden",)), data)
    assert label == "Insert BatchNorm after 'hidden'"
    [batchnorm] = [item for item in fixed["model"]["nodes"] if item["type"] == "BatchNorm"]
    assert batchnorm["inputs"] == ["hidden"] and node(fixed, "relu")["inputs"] == [batchnorm["name"]]
    Project.from_json(fixed).node_specs()  # still a valid graph


def test_clipping_replacing_squashing_activations_and_regularizing():
    data = data_of("xor_mlp")
    label, fixed = applied(Fix("clip_gradients", value=2.0), data)
    assert label == "Clip gradients at a norm of 2"
    assert fixed["training"]["optimizer"]["config"]["clip_norm"] == 2.0
    label, fixed = applied(Fix("replace_with_relu", ("tanh",)), data)
    assert node(fixed, "tanh")["type"] == "ReLU" and node(fixed, "tanh")["config"] == {}
    # regularizing: early stopping first, then L2, then dropout before the output layer
    label, fixed = applied(Fix("regularize", ("logit",)), data)
    assert fixed["training"]["early_stopping"] == EARLY_STOPPING
    label, fixed = applied(Fix("regularize", ("logit",)), fixed)
    assert fixed["training"]["optimizer"]["config"]["weight_decay"] == WEIGHT_DECAY
    label, fixed = applied(Fix("regularize", ("logit",)), fixed)
    [dropout] = [item for item in fixed["model"]["nodes"] if item["type"] == "Dropout"]
    assert dropout["config"] == {"rate": DROPOUT_RATE} and node(fixed, "logit")["inputs"] == [dropout["name"]]
    assert plan(Fix("regularize", ("logit",)), fixed, REGISTRY) is None
