"""Built-in plugin ``builtin.exporters``: the exporters (ONNX, .npz, safetensors)."""

from __future__ import annotations

from collections.abc import Callable

from ...export import BUILTIN_EXPORTERS
from ..hookspecs import hookimpl


@hookimpl
def register_exporters(register: Callable[..., None]) -> None:
    for item in BUILTIN_EXPORTERS:
        register(item)
