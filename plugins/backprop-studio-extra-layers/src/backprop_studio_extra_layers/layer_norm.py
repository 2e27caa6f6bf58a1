"""LayerNorm: normalize each sample over its last axis, then scale and shift (Ba et al., 2016).

Unlike BatchNorm it uses no batch statistics, so training and inference compute the same thing.
"""

from typing import Any

import numpy as np

from desktop_app.engine.layer import Layer, Shape
from desktop_app.engine.schema import ParamSpec, schema


class LayerNorm(Layer):
    type_name = "LayerNorm"
    category = "Normalization"
    description = "Normalizes each sample's last axis to zero mean and unit variance, then scales and shifts."
    schema = schema(
        ParamSpec("epsilon", "float", 1e-5, "added to the variance for stability",
                  minimum=1e-12, maximum=1.0),
    )
    example_input_shapes = ((8,),)

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return input_shapes[0]

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        features = input_shapes[0][-1]
        self.add_param("gamma", np.ones(features))
        self.add_param("beta", np.zeros(features))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centered = x - mean
        inv_std = 1 / np.sqrt((centered * centered).mean(axis=-1, keepdims=True) + self.config["epsilon"])
        x_hat = centered * inv_std
        self._x_hat, self._inv_std = x_hat, inv_std
        return x_hat * self.params["gamma"] + self.params["beta"]

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        x_hat, inv_std = self._x_hat, self._inv_std
        reduce = tuple(range(grad.ndim - 1))
        self.grads["gamma"][...] = (grad * x_hat).sum(axis=reduce)
        self.grads["beta"][...] = grad.sum(axis=reduce)
        if not self.input_grad_needed:
            return (None,)
        # dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), with g = grad * gamma
        g = grad * self.params["gamma"]
        dx = g - g.mean(axis=-1, keepdims=True) - x_hat * (g * x_hat).mean(axis=-1, keepdims=True)
        return (dx * inv_std,)


def layer_norm_to_onnx(ctx: Any, layer: LayerNorm, node_name: str, inputs: list[str]) -> str:
    """LayerNorm as ONNX's LayerNormalization (opset 17) over the last axis."""
    gamma = ctx.add_initializer(f"{node_name}/gamma", layer.params["gamma"].astype(ctx.dtype))
    beta = ctx.add_initializer(f"{node_name}/beta", layer.params["beta"].astype(ctx.dtype))
    return ctx.add_node("LayerNormalization", [inputs[0], gamma, beta], axis=-1,
                        epsilon=layer.config["epsilon"])
