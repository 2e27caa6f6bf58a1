"""The step-through's recorder: the engine's own values of one training step, checked against
Model.backward, the trainer's real step and finite differences."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from desktop_app.engine import BUILTIN_LOSSES, Adam, Trainer
from desktop_app.engine.errors import EngineError
from desktop_app.engine.fit_data import batch_rows
from desktop_app.engine.graph import Model
from desktop_app.engine.layer import Layer
from desktop_app.engine.layers import BUILTIN_LAYERS, Dense
from desktop_app.engine.losses import CategoricalCrossentropy, MeanSquaredError
from desktop_app.engine.step_trace import (
    FROM_LOSS,
    GENERIC_RULE,
    chain_rule,
    trace_step,
    weight_derivative,
)
from tests.engine.test_graph import LAYER_TYPES, node


def residual_nodes():
    """r1 feeds both d2 and the Add: a fan-out whose gradients are summed."""
    return [
        node("x", "Input", shape=[5]),
        node("d1", "Dense", ["x"], units=6),
        node("r1", "ReLU", ["d1"]),
        node("d2", "Dense", ["r1"], units=6, bias_initializer="he_normal"),
        node("sum", "Add", ["r1", "d2"]),
        node("bn", "BatchNorm", ["sum"]),
        node("out", "Dense", ["bn"], units=3),
    ]


def batch(count=8, features=5, classes=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((count, features)), rng.integers(0, classes, count)


def residual_model(dtype="float64", layer_types=LAYER_TYPES, nodes=None):
    return Model(nodes or residual_nodes(), layer_types, dtype=dtype, seed=3)


def test_forward_steps_are_the_models_activations_in_graph_order():
    model = residual_model()
    x, y = batch()
    trace = trace_step(model, CategoricalCrossentropy(), Adam(), x, y, 0.01)
    expected = copy.deepcopy(model).activations(x, training=True)
    assert [step.node for step in trace.forward] == model.order
    for step in trace.forward:
        np.testing.assert_array_equal(step.output, expected[step.node])
        assert [source for source, _ in step.inputs] == model.specs[step.node].inputs
        for source, array in step.inputs:
            np.testing.assert_array_equal(array, expected[source])
    np.testing.assert_array_equal(trace.loss.prediction, expected["out"])


def test_backward_steps_hold_what_model_backward_computes():
    model = residual_model()
    x, y = batch()
    trace = trace_step(model, CategoricalCrossentropy(), Adam(), x, y, 0.01)
    reference, loss = copy.deepcopy(model), CategoricalCrossentropy()
    value = loss.forward(reference.forward(x, training=True), y)
    reference.backward(loss.backward())
    assert trace.loss.value == value
    assert [step.node for step in trace.backward] == ["out", "bn", "sum", "d2", "r1", "d1"]
    for step in trace.backward:
        for param, grad in step.param_grads.items():
            np.testing.assert_array_equal(grad, reference.layers[step.node].grads[param])
    out = trace.backward[0]
    assert [source for source, _ in out.arriving] == [FROM_LOSS]
    np.testing.assert_array_equal(out.grad, trace.loss.grad)


def test_a_fan_out_node_receives_each_consumers_gradient_and_their_sum():
    trace = trace_step(residual_model(), CategoricalCrossentropy(), Adam(), *batch(), 0.01)
    steps = {step.node: step for step in trace.backward}
    r1 = steps["r1"]
    senders = dict(r1.arriving)
    assert sorted(senders) == ["d2", "sum"]
    np.testing.assert_array_equal(senders["sum"], dict(steps["sum"].input_grads)["r1"])
    np.testing.assert_array_equal(senders["d2"], dict(steps["d2"].input_grads)["r1"])
    np.testing.assert_array_equal(r1.grad, senders["sum"] + senders["d2"])
    assert not np.array_equal(r1.grad, senders["sum"])  # both parts count
    # the first layer reads the data: it passes no gradient to the input
    assert dict(steps["d1"].input_grads) == {"x": None}


@pytest.mark.parametrize("key", ["d1/kernel", "d2/bias", "bn/gamma", "out/kernel"])
def test_finite_differences_agree_with_the_recorded_gradient_in_float64(key):
    x, y = batch()
    trace = trace_step(residual_model(), CategoricalCrossentropy(), Adam(), x, y, 0.01)
    node_name, param = key.split("/")
    shown = next(step.param_grads[param] for step in trace.backward if step.node == node_name)
    for index in [(0,) * shown.ndim, tuple(d - 1 for d in shown.shape)]:
        check = weight_derivative(trace, key, index)
        assert check.backprop == shown[index]
        assert abs(check.numeric - shown[index]) < 1e-6


class WrongReLU(Layer):
    """A plugin layer whose backward is wrong (twice the gradient), stating its rule in its ClassVar."""

    type_name = "WrongReLU"
    chain_rule = "dx = 2·g·[x > 0] (deliberately wrong)"

    def output_shape(self, *input_shapes):
        return input_shapes[0]

    def forward(self, x, training=False):
        self._mask = x > 0
        return x * self._mask

    def backward(self, grad):
        return (2 * grad * self._mask,)


class PlainDouble(Layer):
    type_name = "PlainDouble"

    def output_shape(self, *input_shapes):
        return input_shapes[0]

    def forward(self, x, training=False):
        return 2 * x

    def backward(self, grad):
        return (2 * grad,)


def plugin_model(relu_type):
    types = {**LAYER_TYPES, "WrongReLU": WrongReLU, "PlainDouble": PlainDouble}
    nodes = [node("x", "Input", shape=[5]), node("d1", "Dense", ["x"], units=6),
             node("act", relu_type, ["d1"]), node("twice", "PlainDouble", ["act"]),
             node("out", "Dense", ["twice"], units=3)]
    return residual_model(layer_types=types, nodes=nodes)


def test_plugin_layers_step_through_with_their_rule_or_the_generic_one():
    trace = trace_step(plugin_model("WrongReLU"), CategoricalCrossentropy(), Adam(), *batch(), 0.01)
    rules = {step.node: step.rule for step in trace.backward}
    assert rules["act"] == WrongReLU.chain_rule
    assert rules["twice"] == GENERIC_RULE
    assert rules["out"] == chain_rule(Dense)
    assert chain_rule(Dense) == "Chain rule (g = dL/dy, Σ over the batch): dW = xᵀ·g, db = Σg, dx = g·Wᵀ."


def test_finite_differences_catch_a_wrong_backward():
    """Negative control: a layer whose backward doubles its gradient fails the check upstream."""
    trace = trace_step(plugin_model("WrongReLU"), CategoricalCrossentropy(), Adam(), *batch(), 0.01)
    shown = next(step.param_grads["kernel"] for step in trace.backward if step.node == "d1")
    index = np.unravel_index(np.argmax(np.abs(shown)), shown.shape)
    check = weight_derivative(trace, "d1/kernel", index)
    assert check.backprop == pytest.approx(2 * check.numeric, rel=1e-6)


def test_every_built_in_layer_states_a_rule_and_every_built_in_loss_a_formula():
    for cls in BUILTIN_LAYERS:
        if cls.type_name == "Input":  # no backward step
            continue
        assert chain_rule(cls).startswith("Chain rule"), cls.__name__
        assert "\n" not in chain_rule(cls)
    for cls in BUILTIN_LOSSES:
        assert "dL/dŷ" in cls.formula, cls.__name__


def test_tracing_leaves_the_model_and_the_optimizer_as_they_were():
    model, optimizer = residual_model("float32"), Adam()
    x, y = batch()
    Trainer(model, CategoricalCrossentropy(), optimizer, metrics=[]).fit(x, y, epochs=2, batch_size=4)
    weights = model.get_weights()
    slots = copy.deepcopy(optimizer.slots)
    iterations = optimizer.iterations
    trace_step(model, CategoricalCrossentropy(), optimizer, x, y, 0.01)
    for key, value in model.get_weights().items():
        np.testing.assert_array_equal(value, weights[key])
    assert optimizer.iterations == iterations
    for key, named in slots.items():
        for name, value in named.items():
            np.testing.assert_array_equal(optimizer.slots[key][name], value)


class Snapshots:
    """The weights and the optimizer after every batch of a run."""

    def __init__(self, model, optimizer):
        self.model, self.optimizer, self.after = model, optimizer, []

    def on_batch_end(self, event):
        self.after.append((event.epoch, event.batch, copy.deepcopy(self.model),
                           copy.deepcopy(self.optimizer)))


@pytest.mark.parametrize("shuffle", [True, False])
def test_the_update_is_the_step_the_trainer_takes_on_the_next_batch(shuffle):
    model, optimizer = residual_model("float64"), Adam(learning_rate=0.01)
    x, y = batch(count=20)
    snapshots = Snapshots(model, optimizer)
    Trainer(model, CategoricalCrossentropy(), optimizer, metrics=[], callbacks=[snapshots]).fit(
        x, y, epochs=2, batch_size=8, shuffle=shuffle, seed=5)
    assert len(snapshots.after) == 6
    for (epoch, number, before, state), (_, _, after, _) in zip(snapshots.after[:-1], snapshots.after[1:],
                                                                 strict=True):
        next_epoch, next_batch = (epoch, number + 1) if number < 3 else (epoch + 1, 1)
        rows = batch_rows(len(x), 8, shuffle, 5, next_epoch, next_batch)
        trace = trace_step(before, CategoricalCrossentropy(), state, x[rows], y[rows], 0.01)
        expected = after.parameters()
        for update in trace.update.params:
            np.testing.assert_allclose(update.weight + update.delta, expected[update.key], rtol=0, atol=1e-12)


def test_the_relative_update_size_has_no_value_for_an_all_zero_weight():
    trace = trace_step(residual_model(), CategoricalCrossentropy(), Adam(), *batch(), 0.01)
    sizes = {update.key: update.relative_size for update in trace.update.params}
    assert sizes["d1/bias"] is None  # zeros at first
    kernel = next(u for u in trace.update.params if u.key == "d1/kernel")
    assert sizes["d1/kernel"] == pytest.approx(np.linalg.norm(kernel.delta) / np.linalg.norm(kernel.weight))


def test_a_non_finite_loss_is_refused_with_a_message():
    model = Model([node("x", "Input", shape=[2]), node("out", "Dense", ["x"], units=1)], LAYER_TYPES)
    x = np.array([[np.inf, 1.0]])
    with pytest.raises(EngineError, match="loss of this batch is not finite"):
        trace_step(model, MeanSquaredError(), Adam(), x, np.zeros((1, 1)), 0.01)
