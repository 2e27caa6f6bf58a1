"""Built-in plugin ``builtin.schedules``: the engine's learning-rate schedules."""

from __future__ import annotations

from collections.abc import Callable

from ...engine.schedules import BUILTIN_SCHEDULES
from ..hookspecs import hookimpl


@hookimpl
def register_schedules(register: Callable[..., None]) -> None:
    for item in BUILTIN_SCHEDULES:
        register(item)
