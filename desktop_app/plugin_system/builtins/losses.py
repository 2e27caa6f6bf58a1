"""Built-in plugin ``builtin.losses``: the engine's losses."""

from __future__ import annotations

from collections.abc import Callable

from ...engine.losses import BUILTIN_LOSSES
from ..hookspecs import hookimpl


@hookimpl
def register_losses(register: Callable[..., None]) -> None:
    for item in BUILTIN_LOSSES:
        register(item)
