"""Interim: the registry of built-in types only. The plugins work replaces this module's body
(pluggy hooks, entry points, drop-in files) while keeping ``current_registry`` and
``reload_registry`` as its public entry points."""

from __future__ import annotations

from functools import lru_cache

from .registry import Registry


@lru_cache(maxsize=1)
def current_registry() -> Registry:
    """The process-wide registry, loaded once."""
    from .data import BUILTIN_DATASETS
    from .engine import initializers, layers, losses, metrics, optimizers, schedules

    registry = Registry()
    for kind, classes in (
        ("layers", layers.BUILTIN_LAYERS),
        ("losses", losses.BUILTIN_LOSSES),
        ("optimizers", optimizers.BUILTIN_OPTIMIZERS),
        ("schedules", schedules.BUILTIN_SCHEDULES),
        ("initializers", initializers.BUILTIN_INITIALIZERS),
        ("metrics", metrics.BUILTIN_METRICS),
        ("datasets", BUILTIN_DATASETS),
    ):
        for cls in classes:
            registry.add(kind, cls.type_name, cls, "builtin")
    return registry


def reload_registry() -> Registry:
    current_registry.cache_clear()
    return current_registry()
