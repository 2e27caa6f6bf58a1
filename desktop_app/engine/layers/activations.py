"""Activation layers: element-wise non-linearities, plus Softmax over the last axis.

Each caches in forward what its derivative needs (a mask, the output) so backward costs one or two
element-wise passes; when no input gradient is needed backward does nothing at all.
"""

from __future__ import annotations

import numpy as np

from ..layer import Layer, Shape
from ..numerics import sigmoid_pair, softmax
from ..schema import ParamSpec, schema


class Activation(Layer):
    """Base of the activations: the output has the shape of the input, and there are no parameters."""

    category = "Activation"

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return input_shapes[0]


class ReLU(Activation):
    """Chain rule (g = dL/dy): dx = g·[x > 0]."""

    type_name = "ReLU"
    description = "max(x, 0): passes positive values, zeroes the rest."

    caches = ("_mask",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0
        return x * self._mask

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        return (grad * self._mask,)


class LeakyReLU(Activation):
    """Chain rule (g = dL/dy): dx = g where x > 0, alpha·g elsewhere."""

    type_name = "LeakyReLU"
    description = "x for positive x, alpha·x otherwise: a ReLU whose negative side still learns."
    schema = schema(ParamSpec("alpha", "float", 0.01, "slope for negative inputs", minimum=0.0))

    caches = ("_mask",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0
        return np.where(self._mask, x, x * self.config["alpha"])

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        return (np.where(self._mask, grad, grad * self.config["alpha"]),)


class ELU(Activation):
    """Chain rule (g = dL/dy): dx = g where x > 0, alpha·exp(x)·g elsewhere."""

    type_name = "ELU"
    description = "x for positive x, alpha·(exp(x) − 1) otherwise: smooth, with negative outputs."
    schema = schema(ParamSpec("alpha", "float", 1.0, "value the output tends to for very negative x",
                              minimum=0.0))

    caches = ("_mask", "_negative_part")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0
        self._negative_part = np.minimum(x, 0)  # exp of it cannot overflow
        # expm1 stays accurate near 0, where exp(x) − 1 would cancel.
        return np.where(self._mask, x, np.expm1(self._negative_part) * self.config["alpha"])

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        # dy/dx = 1 for x > 0, alpha·exp(x) otherwise; not output + alpha, which cancels to 0
        # for very negative x.
        slope = np.exp(self._negative_part)
        slope *= self.config["alpha"]
        return (np.where(self._mask, grad, grad * slope),)


_SQRT_2_OVER_PI = 0.7978845608028654
_GELU_CUBIC = 0.044715


class GELU(Activation):
    """Chain rule with g = dL/dy, u = √(2/π)·(x + 0.044715·x³) and t = tanh(u):

    dx = g·(½(1 + t) + ½x·(1 − t²)·du/dx)
    """

    type_name = "GELU"
    description = (
        "x·Φ(x), the Gaussian error linear unit, in its tanh approximation "
        "0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) since NumPy has no erf."
    )

    caches = ("_x", "_tanh")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x
        inner = x * x
        inner *= _GELU_CUBIC
        inner += 1.0
        inner *= x
        inner *= _SQRT_2_OVER_PI
        self._tanh = np.tanh(inner, out=inner)
        return 0.5 * x * (1.0 + self._tanh)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        x, t = self._x, self._tanh
        d_inner = (1.0 + 3.0 * _GELU_CUBIC * x * x) * _SQRT_2_OVER_PI
        derivative = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner
        return (grad * derivative,)


class Sigmoid(Activation):
    """Chain rule (g = dL/dy): dx = g·y·(1 − y), with 1 − y computed as sigmoid(−x)."""

    type_name = "Sigmoid"
    description = "1 / (1 + exp(−x)): squashes values into (0, 1); never overflows."

    caches = ("_y", "_complement")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        y, self._complement = sigmoid_pair(x)
        self._y = y
        return y

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        # dy/dx = sigmoid(x)·sigmoid(−x), the second accurate where 1 − y would round to 0.
        return (grad * self._y * self._complement,)


class Tanh(Activation):
    """Chain rule (g = dL/dy): dx = g·(1 − y²)."""

    type_name = "Tanh"
    description = "Hyperbolic tangent: squashes values into (−1, 1)."

    caches = ("_y",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._y = np.tanh(x)
        return self._y

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        y = self._y
        return (grad * (1.0 - y * y),)


class Softmax(Activation):
    """Chain rule (g = dL/dy, Σ over the last axis): dx = y·(g − Σg·y)."""

    type_name = "Softmax"
    description = "Turns the last axis into probabilities that sum to 1 (shifted by the max: stable)."

    caches = ("_y",)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._y = softmax(x, axis=-1)
        return self._y

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        y = self._y
        return (y * (grad - (grad * y).sum(axis=-1, keepdims=True)),)
