"""ONNX mappings of the built-in layers: each adds standard opset-17 operators with inference semantics.

A mapping is ``fn(ctx, layer, node_name, inputs) -> output tensor name`` (see ``onnx_builder``).
Weights become initializers named ``node/param``, the keys of the weight files.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine.layer import Layer
from ..engine.layers._windows import Geometry2D, plan_2d
from ..engine.layers.activations import _GELU_CUBIC, _SQRT_2_OVER_PI
from .onnx_builder import OnnxContext
from .onnx_float64 import avg_pool_from_windows, conv2d_from_windows, elu_from_primitives

OnnxMapping = Callable[[OnnxContext, Layer, str, list[str]], str]


def _weights(ctx: OnnxContext, layer: Layer, node: str, *names: str) -> list[str]:
    """Initializers for the named parameters or state arrays of ``layer``, named ``node/param``."""
    arrays = {**layer.params, **layer.state}
    return [ctx.add_initializer(f"{node}/{name}", arrays[name]) for name in names]


def _geometry(ctx: OnnxContext, layer: Layer, inputs: list[str], window_key: str) -> Geometry2D:
    """The engine's own plan of a 2-D sliding window, so 'same' pads exactly as the layer does."""
    config = layer.config
    return plan_2d(layer, (ctx.shape(inputs[0]),), config[window_key], config["strides"], config["padding"])


def _window_attrs(geometry: Geometry2D) -> dict:
    """kernel_shape, strides and explicit pads [top, left, bottom, right] of ONNX's window ops."""
    (top, bottom), (left, right) = geometry.pads
    return {
        "kernel_shape": list(geometry.kernel),
        "strides": list(geometry.strides),
        "pads": [top, left, bottom, right],
    }


def _is_double(ctx: OnnxContext) -> bool:
    return ctx.dtype == np.float64


def map_dense(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    names = ("kernel", "bias") if layer.config["use_bias"] else ("kernel",)
    return ctx.add_node("Gemm", [inputs[0], *_weights(ctx, layer, node, *names)])


def map_conv2d(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    names = ("kernel", "bias") if layer.config["use_bias"] else ("kernel",)
    weights = _weights(ctx, layer, node, *names)
    geometry = _geometry(ctx, layer, inputs, "kernel_size")
    if _is_double(ctx):  # onnxruntime's CPU Conv is float32 only
        return conv2d_from_windows(ctx, node, geometry, inputs[0], weights, layer.config["filters"])
    return ctx.add_node("Conv", [inputs[0], *weights], **_window_attrs(geometry))


def map_max_pool(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    # ONNX MaxPool ignores padded cells, as the engine's -inf padding does.
    return ctx.add_node("MaxPool", inputs, **_window_attrs(_geometry(ctx, layer, inputs, "pool_size")))


def map_avg_pool(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    geometry = _geometry(ctx, layer, inputs, "pool_size")
    if _is_double(ctx):  # onnxruntime's CPU AveragePool is float32 only
        return avg_pool_from_windows(ctx, node, geometry, inputs[0])
    # The engine averages over real pixels only: padding excluded from the count.
    return ctx.add_node("AveragePool", inputs, count_include_pad=0, **_window_attrs(geometry))


def map_flatten(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    return ctx.add_node("Flatten", inputs, axis=1)  # axis 0 is the batch


def map_reshape(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    # The resolved per-sample shape (no -1 left), with -1 standing for the batch.
    target = layer.output_shape(ctx.shape(inputs[0]))
    shape = ctx.add_initializer(f"{node}/shape", np.array([-1, *target], dtype=np.int64))
    return ctx.add_node("Reshape", [inputs[0], shape])


def map_identity(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    return ctx.add_node("Identity", inputs)


def map_batch_norm(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    # Axis 1 is the feature or channel axis for both (N, F) and (N, C, H, W).
    gamma, beta, mean, var = _weights(ctx, layer, node, "gamma", "beta", "running_mean", "running_var")
    epsilon = layer.config["epsilon"]
    if _is_double(ctx):  # a float attribute is float32: add epsilon to the variance in double instead
        var = ctx.add_node("Add", [var, ctx.scalar(f"{node}/epsilon", epsilon)])
        epsilon = 0.0
    return ctx.add_node("BatchNormalization", [inputs[0], gamma, beta, mean, var], epsilon=epsilon)


def map_leaky_relu(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    # PRelu takes the slope as a tensor of the model's dtype; LeakyRelu's float attribute is float32.
    return ctx.add_node("PRelu", [inputs[0], ctx.scalar(f"{node}/alpha", layer.config["alpha"])])


def map_elu(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    if _is_double(ctx):  # onnxruntime's CPU Elu is float32 only, and its alpha attribute float32
        return elu_from_primitives(ctx, node, inputs[0], layer.config["alpha"])
    return ctx.add_node("Elu", inputs, alpha=layer.config["alpha"])


def map_gelu(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    """0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): the engine's formula and constants, in
    primitive ops, as opset 17 has no Gelu."""
    x, one = inputs[0], ctx.scalar(f"{node}/one", 1.0)
    cubic_term = ctx.add_node("Mul", [ctx.add_node("Mul", [x, x]), ctx.scalar(f"{node}/cubic", _GELU_CUBIC)])
    inner = ctx.add_node("Mul", [ctx.add_node("Add", [cubic_term, one]), x])
    scaled = ctx.add_node("Mul", [inner, ctx.scalar(f"{node}/sqrt_2_over_pi", _SQRT_2_OVER_PI)])
    half_x = ctx.add_node("Mul", [x, ctx.scalar(f"{node}/half", 0.5)])
    return ctx.add_node("Mul", [half_x, ctx.add_node("Add", [ctx.add_node("Tanh", [scaled]), one])])


def _elementwise(op_type: str) -> OnnxMapping:
    """A mapping to one ONNX operator without attributes (float attributes would be float32)."""

    def mapping(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
        return ctx.add_node(op_type, inputs)

    mapping.__name__ = f"map_{op_type.lower()}"
    return mapping


def map_softmax(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    return ctx.add_node("Softmax", inputs, axis=-1)  # the engine normalizes the last axis


def map_concatenate(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    rank = len(ctx.shape(inputs[0]))
    return ctx.add_node("Concat", inputs, axis=1 + layer.config["axis"] % rank)  # batch axis first


BUILTIN_ONNX_MAPPINGS: dict[str, OnnxMapping] = {
    "Dense": map_dense,
    "Conv2D": map_conv2d,
    "MaxPool2D": map_max_pool,
    "AvgPool2D": map_avg_pool,
    "Flatten": map_flatten,
    "Reshape": map_reshape,
    "Dropout": map_identity,  # inference: dropout is off
    "BatchNorm": map_batch_norm,
    "ReLU": _elementwise("Relu"),
    "LeakyReLU": map_leaky_relu,
    "ELU": map_elu,
    "GELU": map_gelu,
    "Sigmoid": _elementwise("Sigmoid"),
    "Tanh": _elementwise("Tanh"),
    "Softmax": map_softmax,
    "Add": _elementwise("Sum"),
    "Concatenate": map_concatenate,
}
