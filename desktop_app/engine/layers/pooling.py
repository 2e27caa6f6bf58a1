"""MaxPool2D and AvgPool2D on channels-first (N, C, H, W) data.

Both loop over the kh·kw offsets of the window, never over samples or pixels: each offset is one
strided view of the input covering every output position at once.
"""

from __future__ import annotations

import numpy as np

from ..layer import Layer, Shape
from ..schema import ParamSpec, schema
from ._windows import Geometry2D, plan_2d


class Pool2D(Layer):
    """Shared hyperparameters and geometry; ``strides`` left empty means ``pool_size``."""

    category = "Pooling"
    schema = schema(
        ParamSpec("pool_size", "int_tuple", (2, 2), "window height and width", minimum=1, length=2),
        ParamSpec("strides", "int_tuple", None, "step between windows (empty: the pool size)",
                  minimum=1, length=2),
        ParamSpec("padding", "choice", "valid", "'same' pads to keep size / stride; 'valid' does not",
                  choices=("valid", "same")),
    )

    def __init__(self, **config) -> None:
        super().__init__(**config)
        if self.config["strides"] is None:
            self.config["strides"] = self.config["pool_size"]

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return (input_shapes[0][0], *self._plan(input_shapes).out)

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        self._geometry = self._plan(input_shapes)

    def _plan(self, input_shapes: tuple[Shape, ...]) -> Geometry2D:
        return plan_2d(
            self, input_shapes, self.config["pool_size"], self.config["strides"], self.config["padding"]
        )


class MaxPool2D(Pool2D):
    """Chain rule (g = dL/dy): dx = Σ g over the windows whose first maximum x is, else 0."""

    type_name = "MaxPool2D"
    description = "Keeps the largest value of each window: downsamples and adds a little shift invariance."

    caches = ("_padded", "_best")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        geometry = self._geometry
        self._padded = padded = geometry.pad(x, value=-np.inf)
        best = None
        for _, _, window in geometry.positions():
            if best is None:
                best = padded[window].copy()
            else:
                np.maximum(best, padded[window], out=best)
        self._best = best
        return best

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        geometry, padded, best = self._geometry, self._padded, self._best
        dpadded = np.zeros_like(padded, dtype=grad.dtype)  # same memory order as the input
        # Each window's gradient goes to its first maximum only: ties (common after a ReLU) must
        # not receive it twice. Buffers are reused across the kernel offsets.
        unclaimed = np.ones(best.shape, dtype=bool)
        hit = np.empty(best.shape, dtype=bool)
        share = np.empty(grad.shape, dtype=grad.dtype)
        for _, _, window in geometry.positions():
            np.equal(padded[window], best, out=hit)
            hit &= unclaimed
            unclaimed ^= hit
            dpadded[window] += np.multiply(grad, hit, out=share)
        return (geometry.crop(dpadded),)


class AvgPool2D(Pool2D):
    """Chain rule (g = dL/dy): dx = Σ g/n over the windows covering x (n: the window's values)."""

    type_name = "AvgPool2D"
    description = "Averages each window (padding excluded from the average): a smooth downsampling."

    caches = ("_padded_shape",)

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        super().build(*input_shapes, rng=rng)
        self._inverse_counts = 1.0 / self._geometry.coverage(*input_shapes[0][1:])

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        geometry = self._geometry
        padded = geometry.pad(x)
        self._padded_shape = padded.shape
        total = None
        for _, _, window in geometry.positions():
            total = padded[window].copy() if total is None else np.add(total, padded[window], out=total)
        total *= self._scale(x.dtype)
        return total

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        geometry = self._geometry
        share = grad * self._scale(grad.dtype)
        dpadded = np.zeros(self._padded_shape, dtype=grad.dtype)
        for _, _, window in geometry.positions():
            dpadded[window] += share
        return (geometry.crop(dpadded),)

    def _scale(self, dtype: np.dtype) -> np.ndarray:
        return self._inverse_counts.astype(dtype, copy=False)
