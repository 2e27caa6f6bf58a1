"""Dropout: zeroes a random fraction of values while training (inverted: survivors are scaled up
by 1 / (1 − rate), so nothing changes at inference)."""

from __future__ import annotations

import numpy as np

from ..layer import Layer, Shape
from ..schema import ParamSpec, schema


class Dropout(Layer):
    """Chain rule (g = dL/dy): dx = g·mask (kept ÷ (1 − rate), 0 dropped) in training, dx = g otherwise."""

    type_name = "Dropout"
    category = "Regularization"
    description = "Randomly zeroes a fraction of values during training to reduce overfitting."
    schema = schema(
        ParamSpec("rate", "float", 0.5, "fraction of values dropped while training",
                  minimum=0.0, maximum=0.99),
    )

    caches = ("_mask",)

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return input_shapes[0]

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        # Its own stream, seeded from the model's: the same model seed draws the same masks.
        self._rng = np.random.default_rng(int(rng.integers(2**63)))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        rate = self.config["rate"]
        if not training or rate == 0.0:
            self._mask = None
            return x
        keep = self._rng.random(x.shape, dtype=x.dtype) >= rate
        self._mask = keep * x.dtype.type(1.0 / (1.0 - rate))
        return x * self._mask

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        return (grad if self._mask is None else grad * self._mask,)
