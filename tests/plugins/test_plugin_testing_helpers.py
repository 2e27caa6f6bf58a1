"""desktop_app.testing catches each way a plugin author's class can be wrong, and passes good ones."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine.layer import Layer
from desktop_app.engine.layers import Dense
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.engine.optimizer import Optimizer
from desktop_app.engine.optimizers import SGD
from desktop_app.engine.schema import ParamSpec, schema
from desktop_app.testing import check_layer, check_loss, check_optimizer


class Scale(Layer):
    type_name = "Scale"
    schema = schema(ParamSpec("factor", "float", 2.0, "multiplier"))

    def output_shape(self, *shapes):
        return shapes[0]

    def forward(self, x, training=False):
        return x * self.config["factor"]

    def backward(self, grad):
        return (grad * self.config["factor"],)


class WrongGradient(Scale):
    type_name = "WrongGradient"

    def backward(self, grad):
        return (grad * 3.0,)


class HiddenWeights(Scale):
    """Keeps a random array outside params/state: it is lost when weights are saved."""

    type_name = "HiddenWeights"

    def build(self, *shapes, rng):
        self._hidden = rng.standard_normal(shapes[0]).astype(np.float32)

    def forward(self, x, training=False):
        return x * self._hidden

    def backward(self, grad):
        return (grad * self._hidden,)


class BadShape(Scale):
    type_name = "BadShape"

    def output_shape(self, *shapes):
        return (shapes[0][0] + 1,)


class UnderstatedWeights(Dense):
    """Tells the memory budget of a smaller kernel than build creates."""

    type_name = "UnderstatedWeights"

    def weight_shapes(self, *shapes):
        return {"kernel": (1, 1)}


def test_check_layer_passes_a_correct_layer_and_returns_the_gradient_report():
    report = check_layer(Scale, input_shapes=[(4,)], config={"factor": -1.5})
    assert report.ok and report.errors.keys() == {"input 0"}
    assert check_layer(Dense, config={"units": 3}).errors.keys() == {"input 0", "kernel", "bias"}


@pytest.mark.parametrize(("cls", "message"), [
    (WrongGradient, "gradient check of WrongGradient: FAILED"),
    (HiddenWeights, "HiddenWeights: output after saving and loading its weights differs"),
    (BadShape, "BadShape.output_shape declared (9,) per sample"),
    (UnderstatedWeights, "UnderstatedWeights.weight_shapes must name the arrays build creates"),
])
def test_check_layer_fails_a_wrong_layer_with_a_readable_reason(cls, message):
    with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_layer(cls)


class WrongLossGradient(MeanSquaredError):
    type_name = "wrong_mse"

    def backward(self):
        return super().backward() * 0.5


def test_check_loss_passes_a_correct_loss_and_fails_a_wrong_gradient():
    assert check_loss(MeanSquaredError).ok
    with pytest.raises(AssertionError, match="gradient check of wrong_mse: FAILED"):
        check_loss(WrongLossGradient)


class Uphill(Optimizer):
    type_name = "uphill"

    def update(self, param, grad, slots, lr):
        param += lr * grad


class Rebinding(Optimizer):
    type_name = "rebinding"

    def update(self, param, grad, slots, lr):
        param = param - lr * grad


def test_check_optimizer_passes_sgd_and_fails_broken_ones():
    losses = check_optimizer(SGD, {"momentum": 0.9})
    assert losses[-1] < 0.01 * losses[0]
    with pytest.raises(AssertionError, match="uphill did not minimize a quadratic"):
        check_optimizer(Uphill)
    with pytest.raises(AssertionError, match="rebinding.step must update the float32 parameter in place"):
        check_optimizer(Rebinding)


def test_a_config_that_does_not_round_trip_fails():
    class Forgetful(Scale):
        type_name = "Forgetful"

        def get_config(self):
            return {}

    with pytest.raises(AssertionError, match="config does not round-trip"):
        check_layer(Forgetful, config={"factor": 3.0})
