"""Geometry shared by Conv2D and the pooling layers: output sizes, 'same' padding, window slices.

'same' pads so the output has ceil(size / stride) positions, the odd pixel going after (bottom,
right) as in TensorFlow and ONNX's SAME_UPPER; 'valid' never pads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..layer import Layer, Shape


@dataclass(frozen=True)
class Geometry2D:
    """Where the windows of a 2-D sliding operation fall on an (N, C, H, W) input."""

    kernel: tuple[int, int]
    strides: tuple[int, int]
    out: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]

    def pad(self, x: np.ndarray, value: float = 0.0) -> np.ndarray:
        """``x`` with the padding added (``x`` itself when there is none)."""
        if not any(self.pads[0] + self.pads[1]):
            return x
        return np.pad(x, ((0, 0), (0, 0), *self.pads), constant_values=value)

    def crop(self, padded: np.ndarray) -> np.ndarray:
        """Undo ``pad``: the view of ``padded`` that covers the original input."""
        (top, bottom), (left, right) = self.pads
        return padded[..., top : padded.shape[-2] - bottom, left : padded.shape[-1] - right]

    def coverage(self, height: int, width: int) -> np.ndarray:
        """How many real (unpadded) pixels of a height × width input each window covers, (OH, OW)."""
        covered = self.pad(np.ones((1, 1, height, width)))
        return sum(covered[window] for _, _, window in self.positions())[0, 0]

    def positions(self):
        """(p, q, slices): for each kernel offset, the input pixels it meets at every output position."""
        (kh, kw), (sh, sw), (oh, ow) = self.kernel, self.strides, self.out
        for p in range(kh):
            for q in range(kw):
                yield p, q, (..., slice(p, p + sh * (oh - 1) + 1, sh), slice(q, q + sw * (ow - 1) + 1, sw))


def plan_2d(
    layer: Layer,
    input_shapes: tuple[Shape, ...],
    kernel: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
) -> Geometry2D:
    """The geometry for a (C, H, W) input, or a ShapeError from ``layer`` saying what it expected."""
    shape = input_shapes[0]
    if len(shape) != 3:
        raise layer.shape_error(
            "expected samples of shape (channels, height, width) (NCHW with the batch); "
            "reshape flat data first", *input_shapes
        )
    out, pads = [], []
    for size, k, s in zip(shape[1:], kernel, strides, strict=True):
        if padding == "same":
            n = math.ceil(size / s)
            total = max((n - 1) * s + k - size, 0)
            out.append(n)
            pads.append((total // 2, total - total // 2))
        else:
            if size < k:
                raise layer.shape_error(
                    f"the {k}-wide window does not fit in {size} pixels with padding 'valid'; "
                    "use padding 'same' or a smaller window", *input_shapes
                )
            out.append((size - k) // s + 1)
            pads.append((0, 0))
    return Geometry2D(tuple(kernel), tuple(strides), (out[0], out[1]), (pads[0], pads[1]))
