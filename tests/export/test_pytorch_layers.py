"""Every built-in layer as model.py writes it computes what the engine computes: the forward pass in
evaluation and in training mode, BatchNorm's running averages, and every parameter's gradient
(float64, to 1e-10). Dropout cannot match: PyTorch draws its masks from its own generator, so its
test checks the masks' form instead (each value dropped or scaled by 1 / (1 - rate)).
"""

from __future__ import annotations

import importlib.util
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from desktop_app.engine.graph import Model, NodeSpec
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.export.errors import ExportError
from desktop_app.export.pytorch_model import attribute_names, model_source
from export.conftest import randomize
from export.pytorch_runs import builtin_registry, require_torch

torch = require_torch()


def every_layer(dropout: float) -> list[NodeSpec]:
    """A graph using every built-in layer: odd-pixel 'same' padding (strided convolution and both
    poolings), symmetric padding, branches joined by Concatenate and Add, both BatchNorms."""
    def node(name, type_, inputs, **config):
        return NodeSpec(name, type_, config, list(inputs))

    return [
        node("image", "Input", [], shape=[2, 7, 7]),
        node("conv-strided", "Conv2D", ["image"], filters=3, kernel_size=[2, 2], strides=[2, 2],
             padding="same"),
        node("norm2d", "BatchNorm", ["conv-strided"], momentum=0.8),
        node("leaky", "LeakyReLU", ["norm2d"], alpha=0.1),
        node("max_same", "MaxPool2D", ["leaky"], pool_size=[2, 2], strides=[1, 1], padding="same"),
        node("conv_same", "Conv2D", ["max_same"], filters=3, kernel_size=[3, 3], padding="same",
             use_bias=False),
        node("avg_same", "AvgPool2D", ["conv_same"], pool_size=[3, 3], strides=[2, 2], padding="same"),
        node("avg_valid", "AvgPool2D", ["leaky"], pool_size=[2, 2]),
        node("join", "Concatenate", ["avg_same", "avg_valid"], axis=0),
        node("flat", "Flatten", ["join"]),
        node("dense", "Dense", ["flat"], units=16),
        node("norm1d", "BatchNorm", ["dense"]),
        node("elu", "ELU", ["norm1d"], alpha=0.7),
        node("drop", "Dropout", ["elu"], rate=dropout),
        node("gelu", "GELU", ["drop"]),
        node("side", "Dense", ["flat"], units=16, use_bias=False),
        node("sigmoid", "Sigmoid", ["side"]),
        node("tanh", "Tanh", ["side"]),
        node("relu", "ReLU", ["tanh"]),
        node("sum", "Add", ["gelu", "sigmoid", "relu"]),
        node("grid", "Reshape", ["sum"], target_shape=[4, -1]),
        node("flat_again", "Reshape", ["grid"], target_shape=[16]),
        node("out", "Dense", ["flat_again"], units=5),
        node("softmax", "Softmax", ["out"]),
    ]


def exported(model: Model, folder: Path):
    """model.py for ``model`` (with the layers it imports) in ``folder``, imported, its weights loaded."""
    source = model_source(model, builtin_registry(), "Every layer", "test", set(dir(torch.nn.Module())))
    (folder / "model.py").write_text(source.text)
    template = resources.files("desktop_app.export.pytorch_template")
    (folder / "layers.py").write_text(template.joinpath("layers.py").read_text())
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(f"exported_model_{id(folder)}", folder / "model.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("layers", None)
    network = module.Network().double()
    weights = model.get_weights()
    state = {name: torch.from_numpy(weights[key].T.copy() if transposed else weights[key])
             for key, (name, transposed) in module.APP_WEIGHTS.items()}
    network.load_state_dict(state, strict=False)
    return network, module.APP_WEIGHTS


def built(dropout: float) -> Model:
    model = Model(every_layer(dropout), builtin_registry().layers, dtype="float64", seed=3)
    randomize(model)
    return model


def test_every_layer_computes_the_engines_outputs_in_evaluation(tmp_path) -> None:
    model = built(dropout=0.5)
    network, _ = exported(model, tmp_path)
    x = np.random.default_rng(4).normal(size=(6, 2, 7, 7))
    network.eval()
    with torch.no_grad():
        output = network(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(output, model.forward(x, training=False), rtol=1e-12, atol=1e-14)


def test_every_layer_trains_as_the_engine_does(tmp_path) -> None:
    """One training-mode pass: outputs, every gradient, and BatchNorm's running averages."""
    model = built(dropout=0.0)
    network, table = exported(model, tmp_path)
    rng = np.random.default_rng(5)
    x, target = rng.normal(size=(6, 2, 7, 7)), rng.normal(size=(6, 5))
    loss = MeanSquaredError()
    output = model.forward(x, training=True)
    loss.forward(output, target)
    model.backward(loss.backward())
    network.train()
    torch_output = network(torch.from_numpy(x))
    torch.nn.functional.mse_loss(torch_output, torch.from_numpy(target)).backward()
    np.testing.assert_allclose(torch_output.detach().numpy(), output, rtol=1e-10, atol=1e-13)
    parameters, state = dict(network.named_parameters()), network.state_dict()
    for key, grad in model.gradients().items():
        name, transposed = table[key]
        torch_grad = parameters[name].grad.numpy()
        np.testing.assert_allclose(torch_grad.T if transposed else torch_grad, grad, rtol=1e-10,
                                   atol=1e-13, err_msg=key)
    for key, value in model.get_weights().items():
        if "running" in key:
            np.testing.assert_allclose(state[table[key][0]].numpy(), value, rtol=1e-12, err_msg=key)


def test_dropout_drops_or_scales_each_value_in_training(tmp_path) -> None:
    nodes = [NodeSpec("x", "Input", {"shape": [1000]}), NodeSpec("drop", "Dropout", {"rate": 0.25}, ["x"])]
    model = Model(nodes, builtin_registry().layers, dtype="float64")
    network, _ = exported(model, tmp_path)
    x = torch.from_numpy(np.random.default_rng(6).uniform(1.0, 2.0, size=(4, 1000)))
    network.train()
    output = network(x)
    kept = output != 0
    torch.testing.assert_close(output[kept], x[kept] / 0.75)
    assert 0.2 < 1 - kept.double().mean().item() < 0.3
    network.eval()
    torch.testing.assert_close(network(x), x)


def test_node_names_become_distinct_identifiers_free_of_module_attributes() -> None:
    nodes = [NodeSpec("in", "Input", {"shape": [2]}), NodeSpec("hidden-1", "Dense", {"units": 2}, ["in"]),
             NodeSpec("hidden_1", "ReLU", {}, ["hidden-1"]), NodeSpec("training", "Tanh", {}, ["hidden_1"]),
             NodeSpec("2nd", "Sigmoid", {}, ["training"]), NodeSpec("F", "ReLU", {}, ["2nd"])]
    model = Model(nodes, builtin_registry().layers)
    names = attribute_names(model, set(dir(torch.nn.Module())))
    assert names == {"in": "in_", "hidden-1": "hidden_1", "hidden_1": "hidden_1_2", "training": "training_",
                     "2nd": "node_2nd", "F": "F_"}


def test_a_plugin_layer_without_pytorch_code_is_named_with_its_plugin() -> None:
    from desktop_app.engine.layers.activations import Activation

    class Cube(Activation):
        type_name = "Cube"

        def forward(self, x, training=False):
            return x**3

    registry = builtin_registry()
    registry.add("layers", "Cube", Cube, "cubes")
    registry.distributions["cubes"] = ("backprop-studio-cubes", "2.0")
    nodes = [NodeSpec("x", "Input", {"shape": [3]}), NodeSpec("cubed", "Cube", {}, ["x"])]
    model = Model(nodes, registry.layers)
    with pytest.raises(ExportError) as caught:
        model_source(model, registry, "Cubes", "test", set())
    message = str(caught.value)
    assert "node 'cubed'" in message and "'Cube'" in message
    assert "plugin 'cubes' (backprop-studio-cubes 2.0)" in message and "register_pytorch_code" in message
