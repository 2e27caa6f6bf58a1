"""Built-in plugin ``builtin.initializers``: the engine's weight initializers."""

from __future__ import annotations

from collections.abc import Callable

from ...engine.initializers import BUILTIN_INITIALIZERS
from ..hookspecs import hookimpl


@hookimpl
def register_initializers(register: Callable[..., None]) -> None:
    for item in BUILTIN_INITIALIZERS:
        register(item)
