"""Dense: the fully connected layer, y = x·W + b on flat samples."""

from __future__ import annotations

import numpy as np

from ..initializers import initialize, initializer_spec
from ..layer import Layer, Shape
from ..schema import ParamSpec, schema
from ._reduce import ones_vector


class Dense(Layer):
    """Chain rule (g = dL/dy, Σ over the batch): dW = xᵀ·g, db = Σg, dx = g·Wᵀ."""

    type_name = "Dense"
    category = "Core"
    description = "Fully connected layer: every output is a weighted sum of all inputs plus a bias."
    schema = schema(
        ParamSpec("units", "int", 32, "number of output features", minimum=1, required=True),
        ParamSpec("use_bias", "bool", True, "add a learned bias to each output"),
        initializer_spec("kernel_initializer", "glorot_uniform", "how the weights start"),
        initializer_spec("bias_initializer", "zeros", "how the bias starts"),
    )

    caches = ("_x",)

    def output_shape(self, *input_shapes: Shape) -> Shape:
        if len(input_shapes[0]) != 1:
            raise self.shape_error(
                "expected flat samples of shape (features,); put a Flatten before it", *input_shapes
            )
        return (self.config["units"],)

    def weight_shapes(self, *input_shapes: Shape) -> dict[str, Shape]:
        fan_in, units = input_shapes[0][0], self.config["units"]
        shapes = {"kernel": (fan_in, units)}
        if self.config["use_bias"]:
            shapes["bias"] = (units,)
        return shapes

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        fan_in, units = input_shapes[0][0], self.config["units"]
        kernel = initialize(self.config["kernel_initializer"], (fan_in, units), fan_in, units, rng)
        self.add_param("kernel", kernel)
        if self.config["use_bias"]:
            bias = initialize(self.config["bias_initializer"], (units,), fan_in, units, rng)
            self.add_param("bias", bias)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x
        y = x @ self.params["kernel"]
        if self.config["use_bias"]:
            y += self.params["bias"]
        return y

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        np.matmul(self._x.T, grad, out=self.grads["kernel"])
        if self.config["use_bias"]:
            np.matmul(ones_vector(grad.shape[0], grad.dtype), grad, out=self.grads["bias"])
        if not self.input_grad_needed:
            return (None,)
        return (grad @ self.params["kernel"].T,)
