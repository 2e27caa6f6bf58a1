"""Built-in plugin ``builtin.optimizers``: the engine's optimizers."""

from __future__ import annotations

from collections.abc import Callable

from ...engine.optimizers import BUILTIN_OPTIMIZERS
from ..hookspecs import hookimpl


@hookimpl
def register_optimizers(register: Callable[..., None]) -> None:
    for item in BUILTIN_OPTIMIZERS:
        register(item)
