"""The built-in plugins: our own layers, losses, ... registered through the same hooks as any plugin.

Each package owns a ``BUILTIN_*`` table of its types; each table becomes one built-in plugin
(``builtin.layers``, ``builtin.losses``, ...) implementing that kind's collector hook, so adding a
built-in never touches the plugin system and one table failing to import spares the others.
Built-in plugins load first, in this order, and cannot be disabled.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

from ..hookspecs import hookimpl

# (kind, module, table): the table is a tuple of classes, or for ONNX mappings a name -> fn dict.
BUILTIN_TABLES: tuple[tuple[str, str, str], ...] = (
    ("layers", "desktop_app.engine.layers", "BUILTIN_LAYERS"),
    ("losses", "desktop_app.engine.losses", "BUILTIN_LOSSES"),
    ("optimizers", "desktop_app.engine.optimizers", "BUILTIN_OPTIMIZERS"),
    ("schedules", "desktop_app.engine.schedules", "BUILTIN_SCHEDULES"),
    ("initializers", "desktop_app.engine.initializers", "BUILTIN_INITIALIZERS"),
    ("metrics", "desktop_app.engine.metrics", "BUILTIN_METRICS"),
    ("datasets", "desktop_app.data", "BUILTIN_DATASETS"),
    ("exporters", "desktop_app.export", "BUILTIN_EXPORTERS"),
    ("onnx_mappings", "desktop_app.export", "BUILTIN_ONNX_MAPPINGS"),
)


def builtin_plugin(kind: str, module_name: str, table_name: str) -> SimpleNamespace:
    """Import one table and wrap it as a plugin whose ``register_<kind>`` hook registers each entry."""
    table = getattr(importlib.import_module(module_name), table_name)

    @hookimpl
    def register_table(register: Callable[..., None]) -> None:
        entries: Any = table.items() if isinstance(table, Mapping) else ((item,) for item in table)
        for entry in entries:
            register(*entry)

    return SimpleNamespace(__name__=f"{module_name}.{table_name}", **{f"register_{kind}": register_table})
