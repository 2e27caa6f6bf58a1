"""The hooks Backprop Studio calls: this module is the ``backprop_studio.plugins`` entry point."""

from collections.abc import Callable
from importlib import resources

from desktop_app.hookspecs import OnnxMapping, PytorchCode, hookimpl

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


@hookimpl
def register_pytorch_code(register: Callable[[str, PytorchCode], None]) -> None:
    # The text of pytorch.py, which the app copies into a PyTorch export and never imports.
    source = resources.files(__package__).joinpath("pytorch.py").read_text(encoding="utf-8")
    register("Swish", PytorchCode("Swish", source))
    register("LayerNorm", PytorchCode("LayerNorm", source))
