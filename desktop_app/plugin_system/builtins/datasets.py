"""Built-in plugin ``builtin.datasets``: the shipped dataset sources."""

from __future__ import annotations

from collections.abc import Callable

from ...data import BUILTIN_DATASETS
from ..hookspecs import hookimpl


@hookimpl
def register_datasets(register: Callable[..., None]) -> None:
    for item in BUILTIN_DATASETS:
        register(item)
