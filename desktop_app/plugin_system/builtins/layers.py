"""Built-in plugin ``builtin.layers``: the engine's layers."""

from __future__ import annotations

from collections.abc import Callable

from ...engine.layers import BUILTIN_LAYERS
from ..hookspecs import hookimpl


@hookimpl
def register_layers(register: Callable[..., None]) -> None:
    for item in BUILTIN_LAYERS:
        register(item)
