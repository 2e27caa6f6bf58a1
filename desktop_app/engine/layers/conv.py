"""Conv2D: 2-D convolution on channels-first (N, C, H, W) data, as ONNX lays it out.

Forward is im2col and one matrix product: a strided window view of the input (no copy) is laid out
as columns (C·kh·kw, N·OH·OW), and the kernel (F, C·kh·kw) multiplies them all at once. Backward
multiplies the same columns for the kernel gradient, and scatters the column gradient back with a
loop over kernel offsets only (kh·kw strided additions, col2im).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..initializers import initialize, initializer_spec
from ..layer import Layer, Shape
from ..schema import ParamSpec, schema
from ._reduce import ones_vector
from ._windows import plan_2d


class Conv2D(Layer):
    """Chain rule (g = dL/dy as columns (F, N·OH·OW)): dW = g·colsᵀ, db = Σg, dx = col2im(Wᵀ·g)."""

    type_name = "Conv2D"
    category = "Convolution"
    description = "Slides learned filters over an image (N, C, H, W) to detect local patterns."
    schema = schema(
        ParamSpec("filters", "int", 8, "number of output channels", minimum=1, required=True),
        ParamSpec("kernel_size", "int_tuple", (3, 3), "window height and width", minimum=1, length=2),
        ParamSpec("strides", "int_tuple", (1, 1), "step between windows (rows, columns)",
                  minimum=1, length=2),
        ParamSpec("padding", "choice", "valid", "'same' pads to keep size / stride; 'valid' does not",
                  choices=("valid", "same")),
        ParamSpec("use_bias", "bool", True, "add a learned bias to each output channel"),
        initializer_spec("kernel_initializer", "glorot_uniform", "how the filters start"),
        initializer_spec("bias_initializer", "zeros", "how the bias starts"),
    )

    caches = ("_cols", "_padded_shape")

    def output_shape(self, *input_shapes: Shape) -> Shape:
        geometry = self._plan(input_shapes)
        return (self.config["filters"], *geometry.out)

    def weight_shapes(self, *input_shapes: Shape) -> dict[str, Shape]:
        channels, (kh, kw), filters = input_shapes[0][0], self.config["kernel_size"], self.config["filters"]
        shapes = {"kernel": (filters, channels, kh, kw)}
        if self.config["use_bias"]:
            shapes["bias"] = (filters,)
        return shapes

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        self._geometry = self._plan(input_shapes)
        self._out_size = self._geometry.out[0] * self._geometry.out[1]
        channels, (kh, kw), filters = input_shapes[0][0], self.config["kernel_size"], self.config["filters"]
        fan_in, fan_out = channels * kh * kw, filters * kh * kw
        kernel = initialize(
            self.config["kernel_initializer"], (filters, channels, kh, kw), fan_in, fan_out, rng
        )
        self.add_param("kernel", kernel)
        if self.config["use_bias"]:
            self.add_param(
                "bias", initialize(self.config["bias_initializer"], (filters,), fan_in, fan_out, rng)
            )

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        geometry = self._geometry
        padded = geometry.pad(x)
        sh, sw = geometry.strides
        windows = sliding_window_view(padded, geometry.kernel, axis=(2, 3))[:, :, ::sh, ::sw]
        # (N, C, OH, OW, kh, kw) -> columns (C·kh·kw, N·OH·OW): the one copy forward makes.
        self._cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(-1, x.shape[0] * self._out_size)
        self._padded_shape = padded.shape
        filters = self.config["filters"]
        out = self.params["kernel"].reshape(filters, -1) @ self._cols
        if self.config["use_bias"]:
            out += self.params["bias"][:, None]
        # (F, N, OH, OW) viewed as (N, F, OH, OW): no copy.
        return out.reshape(filters, x.shape[0], *geometry.out).transpose(1, 0, 2, 3)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        filters = self.config["filters"]
        grad_cols = grad.transpose(1, 0, 2, 3).reshape(filters, -1)
        np.matmul(grad_cols, self._cols.T, out=self.grads["kernel"].reshape(filters, -1))
        if self.config["use_bias"]:
            np.matmul(grad_cols, ones_vector(grad_cols.shape[1], grad.dtype), out=self.grads["bias"])
        if not self.input_grad_needed:
            return (None,)
        geometry = self._geometry
        kernel = self.params["kernel"]
        channels, (kh, kw) = kernel.shape[1], geometry.kernel
        batch, _, height, width = self._padded_shape
        dcols = (kernel.reshape(filters, -1).T @ grad_cols).reshape(channels, kh, kw, batch, *geometry.out)
        dpadded = np.zeros((channels, batch, height, width), dtype=grad.dtype)
        for p, q, window in geometry.positions():
            dpadded[window] += dcols[:, p, q]
        return (geometry.crop(dpadded).transpose(1, 0, 2, 3),)

    def _plan(self, input_shapes: tuple[Shape, ...]):
        return plan_2d(
            self, input_shapes, self.config["kernel_size"], self.config["strides"], self.config["padding"]
        )
