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
    type_name = "MaxPool2D"
    description = "Keeps the largest value of each window: downsamples and adds a little shift invariance."

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        geometry = self._geometry
        padded = geometry.pad(x, value=-np.inf)
        self._padded_shape = padded.shape
        best = None
        for p, q, window in geometry.positions():
            candidate = padded[window]
            if best is None:
                best = candidate.copy()
                offsets = geometry.kernel[0] * geometry.kernel[1]
                self._argmax = np.zeros(best.shape, dtype=np.uint8 if offsets <= 256 else np.int32)
                continue
            better = candidate > best
            np.copyto(best, candidate, where=better)
            self._argmax[better] = p * geometry.kernel[1] + q
        return best

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        if not self.input_grad_needed:
            return (None,)
        geometry = self._geometry
        dpadded = np.zeros(self._padded_shape, dtype=grad.dtype)
        for p, q, window in geometry.positions():
            # Ties go to the first maximum in window order, as in forward.
            dpadded[window] += grad * (self._argmax == p * geometry.kernel[1] + q)
        return (geometry.crop(dpadded),)


class AvgPool2D(Pool2D):
    type_name = "AvgPool2D"
    description = "Averages each window (padding excluded from the average): a smooth downsampling."

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        super().build(*input_shapes, rng=rng)
        # How many real (unpadded) pixels each window covers, as a (OH, OW) map.
        geometry = self._geometry
        coverage = geometry.pad(np.ones((1, 1, *input_shapes[0][1:]), dtype=np.float64))
        counts = sum(coverage[window] for _, _, window in geometry.positions())
        self._inverse_counts = 1.0 / counts[0, 0]

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
