"""Float64 forms of the layers whose usual ONNX operator onnxruntime's CPU provider runs in float32
only (Conv, AveragePool, Elu): the same formula in operators that have double kernels there.

Conv2D and AvgPool2D follow the engine's own window plan: each kernel offset is one strided Slice
of the padded input, so the graph sums exactly the pixels the engine sums.
"""

from __future__ import annotations

import numpy as np

from ..engine.layers._windows import Geometry2D
from .onnx_builder import OnnxContext


def _int64(ctx: OnnxContext, name: str, values: list[int]) -> str:
    return ctx.add_initializer(name, np.array(values, dtype=np.int64))


def _window_views(ctx: OnnxContext, node: str, x: str, geometry: Geometry2D) -> list[str]:
    """One (N, C, OH, OW) tensor per kernel offset (p, q), row-major: the pixels that offset meets."""
    (top, bottom), (left, right) = geometry.pads
    if top or bottom or left or right:
        pads = _int64(ctx, f"{node}/pads", [0, 0, top, left, 0, 0, bottom, right])
        x = ctx.add_node("Pad", [x, pads])  # zeros, as Geometry2D.pad
    (sh, sw), (oh, ow) = geometry.strides, geometry.out
    axes, steps = _int64(ctx, f"{node}/axes", [2, 3]), _int64(ctx, f"{node}/steps", [sh, sw])
    views = []
    for p, q, _ in geometry.positions():
        starts = _int64(ctx, f"{node}/starts", [p, q])
        ends = _int64(ctx, f"{node}/ends", [p + sh * (oh - 1) + 1, q + sw * (ow - 1) + 1])
        views.append(ctx.add_node("Slice", [x, starts, ends, axes, steps]))
    return views


def conv2d_from_windows(
    ctx: OnnxContext, node: str, geometry: Geometry2D, x: str, weights: list[str], filters: int
) -> str:
    """im2col as the engine does it: the offsets' views concatenated on the channel axis, in
    (p, q, channel) order, times the kernel (F, C, kh, kw) laid out in that order, plus the bias."""
    columns = ctx.add_node("Concat", _window_views(ctx, node, x, geometry), axis=1)
    rows = ctx.add_node("Transpose", [columns], perm=[0, 2, 3, 1])  # (N, OH, OW, kh·kw·C)
    kernel = ctx.add_node("Transpose", [weights[0]], perm=[2, 3, 1, 0])  # (kh, kw, C, F)
    matrix = ctx.add_node("Reshape", [kernel, _int64(ctx, f"{node}/matrix_shape", [-1, filters])])
    out = ctx.add_node("MatMul", [rows, matrix])  # (N, OH, OW, F)
    if len(weights) > 1:
        out = ctx.add_node("Add", [out, weights[1]])
    return ctx.add_node("Transpose", [out], perm=[0, 3, 1, 2])


def avg_pool_from_windows(ctx: OnnxContext, node: str, geometry: Geometry2D, x: str) -> str:
    """The offsets' views summed, times 1 / (real pixels per window): padding is not counted."""
    height, width = ctx.shape(x)[1:]
    inverse_counts = ctx.add_initializer(
        f"{node}/inverse_counts", (1.0 / geometry.coverage(height, width)).astype(ctx.dtype)
    )
    total = ctx.add_node("Sum", _window_views(ctx, node, x, geometry))
    return ctx.add_node("Mul", [total, inverse_counts])


def elu_from_primitives(ctx: OnnxContext, node: str, x: str, alpha: float) -> str:
    """x for x > 0, alpha·(exp(min(x, 0)) − 1) otherwise; exp of min(x, 0) cannot overflow."""
    zero, one = ctx.scalar(f"{node}/zero", 0.0), ctx.scalar(f"{node}/one", 1.0)
    exp = ctx.add_node("Exp", [ctx.add_node("Min", [x, zero])])
    negative = ctx.add_node("Mul", [ctx.add_node("Sub", [exp, one]), ctx.scalar(f"{node}/alpha", alpha)])
    return ctx.add_node("Where", [ctx.add_node("Greater", [x, zero]), x, negative])
