"""Swish: y = x * sigmoid(beta * x), a smooth ReLU-like activation (Ramachandran et al., 2017)."""

from typing import Any

import numpy as np

from desktop_app.engine.layer import Layer, Shape
from desktop_app.engine.numerics import sigmoid_pair
from desktop_app.engine.schema import ParamSpec, schema


class Swish(Layer):
    type_name = "Swish"
    category = "Activation"
    description = "x * sigmoid(beta * x): smooth, non-monotonic; beta = 1 is SiLU."
    schema = schema(
        ParamSpec("beta", "float", 1.0, "sharpness: large beta approaches ReLU", minimum=0.0, maximum=100.0),
    )
    example_input_shapes = ((6,),)

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return input_shapes[0]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        s, complement = sigmoid_pair(self.config["beta"] * x)
        self._x, self._s, self._complement = x, s, complement
        return x * s

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        # d/dx [x s(bx)] = s + b x s (1 - s), with 1 - s = s(-bx)
        x, s, beta = self._x, self._s, self.config["beta"]
        return (grad * (s + beta * x * s * self._complement),)


def swish_to_onnx(ctx: Any, layer: Swish, node_name: str, inputs: list[str]) -> str:
    """Swish as ONNX: Mul(x, Sigmoid(Mul(x, beta)))."""
    beta = ctx.add_initializer(f"{node_name}/beta", np.array(layer.config["beta"], dtype=ctx.dtype))
    scaled = ctx.add_node("Mul", [inputs[0], beta])
    gate = ctx.add_node("Sigmoid", [scaled])
    return ctx.add_node("Mul", [inputs[0], gate])
