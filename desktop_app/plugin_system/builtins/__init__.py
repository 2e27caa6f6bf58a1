"""The built-in plugins: our own layers, losses, ... registered through the same hooks as any plugin.

Each module here is one built-in plugin (``builtin.layers``, ``builtin.losses``, ...) with the
``@hookimpl`` function of its kind's collector hook, registering the types its package lists in a
``BUILTIN_*`` table; so adding a built-in type never touches the plugin system, and one module
failing to import spares the others. Built-in plugins load first, in this order, and cannot be
disabled.
"""

from __future__ import annotations

KINDS_IN_ORDER = ("layers", "losses", "optimizers", "schedules", "initializers", "metrics", "datasets",
                  "exporters", "onnx_mappings")

# (plugin name, module)
BUILTINS: tuple[tuple[str, str], ...] = tuple(
    (f"builtin.{kind}", f"{__name__}.{kind}") for kind in KINDS_IN_ORDER)
