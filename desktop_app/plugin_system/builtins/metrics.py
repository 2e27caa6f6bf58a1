"""Built-in plugin ``builtin.metrics``: the engine's metrics."""

from __future__ import annotations

from collections.abc import Callable

from ...engine.metrics import BUILTIN_METRICS
from ..hookspecs import hookimpl


@hookimpl
def register_metrics(register: Callable[..., None]) -> None:
    for item in BUILTIN_METRICS:
        register(item)
