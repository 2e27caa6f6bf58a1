"""Built-in plugin ``builtin.onnx_mappings``: how the ONNX exporter writes each built-in layer."""

from __future__ import annotations

from collections.abc import Callable

from ...export import BUILTIN_ONNX_MAPPINGS
from ..hookspecs import hookimpl


@hookimpl
def register_onnx_mappings(register: Callable[..., None]) -> None:
    for layer_type, mapping in BUILTIN_ONNX_MAPPINGS.items():
        register(layer_type, mapping)
