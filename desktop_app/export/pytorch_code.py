"""The PyTorch code plugins give for their layers, losses and optimizers (``register_pytorch_code``).

A ``PytorchCode`` is Python source defining one class; the export copies it into ``plugin_code.py``
of the exported project. The app never runs it: registration (``plugin_system.checks.check_pytorch_code``)
only parses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import SINGULAR, Registry
from .errors import ExportError


@dataclass(frozen=True)
class PluginCode:
    """A plugin's class for one type, and which plugin gave it."""

    type_name: str
    class_name: str
    source: str
    plugin: str


def plugin_code(registry: Registry, kind: str, type_name: str, where: str) -> PluginCode:
    """The PyTorch class of a plugin's ``type_name``; ExportError naming it, ``where`` it is used
    and its plugin when the plugin gives none."""
    owner = registry.owner(kind, type_name) or "unknown"
    label = f"plugin '{owner}'"
    if owner in registry.distributions:
        label += " ({} {})".format(*registry.distributions[owner])
    code = registry.table("pytorch_code").get(type_name)
    if code is None:
        raise ExportError(f"{where}: the {SINGULAR[kind]} type '{type_name}' of {label} has no PyTorch "
                          "code: the plugin must give it through the register_pytorch_code hook "
                          "(docs/export.md)")
    return PluginCode(type_name, code.class_name, code.source, owner)
