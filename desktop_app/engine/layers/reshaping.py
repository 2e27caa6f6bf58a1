"""Flatten and Reshape: change how each sample's values are arranged, never the values."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError
from ..layer import Layer, Shape
from ..schema import ParamSpec, schema


class Flatten(Layer):
    """Chain rule (g = dL/dy): dx = g reshaped to x's shape."""

    type_name = "Flatten"
    category = "Reshape"
    description = "Lays each sample out as one flat vector (e.g. before a Dense layer)."

    caches = ("_input_shape",)

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return (math.prod(input_shapes[0]),)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        return (grad.reshape(self._input_shape),)


class Reshape(Layer):
    """Chain rule (g = dL/dy): dx = g reshaped to x's shape."""

    type_name = "Reshape"
    category = "Reshape"
    description = "Rearranges each sample into target_shape (one entry may be -1: inferred)."
    schema = schema(
        ParamSpec("target_shape", "int_tuple", (1, 8, 8),
                  "new shape of one sample, batch excluded; one entry may be -1 (worked out from the others)",
                  minimum=-1, required=True),
    )

    caches = ("_input_shape",)

    def __init__(self, **config) -> None:
        super().__init__(**config)
        target = self.config["target_shape"]
        if 0 in target or target.count(-1) > 1:
            raise ConfigError(
                f"Reshape: parameter 'target_shape' takes positive sizes and at most one -1. "
                f"Received: {list(target)}"
            )

    def output_shape(self, *input_shapes: Shape) -> Shape:
        size, target = math.prod(input_shapes[0]), self.config["target_shape"]
        known = math.prod(d for d in target if d != -1)
        if (-1 in target and size % known) or (-1 not in target and size != known):
            raise self.shape_error(
                f"cannot arrange {size} values per sample as {list(target)}; "
                "the target must hold exactly as many", *input_shapes
            )
        return tuple(size // known if d == -1 else d for d in target)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._input_shape = x.shape
        return x.reshape(x.shape[0], *self.config["target_shape"])

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        return (grad.reshape(self._input_shape),)
