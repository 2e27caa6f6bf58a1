"""The hooks Backprop Studio calls: this module is the ``backprop_studio.plugins`` entry point."""

from collections.abc import Callable

from desktop_app.hookspecs import OnnxMapping, hookimpl

from .layer_norm import LayerNorm, layer_norm_to_onnx
from .swish import Swish, swish_to_onnx


@hookimpl
def register_layers(register: Callable[[type], None]) -> None:
    register(Swish)
    register(LayerNorm)


@hookimpl
def register_onnx_mappings(register: Callable[[str, OnnxMapping], None]) -> None:
    register("Swish", swish_to_onnx)
    register("LayerNorm", layer_norm_to_onnx)
