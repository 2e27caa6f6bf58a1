"""What is installed: every layer, loss, optimizer, ... type by name, and which plugin owns it.

The engine knows nothing of plugins: it takes plain name -> class mappings. This registry is where
those mappings come from. The plugin manager (``desktop_app.plugin_system``) fills one through the
``register_*`` hooks, built-ins included; code that needs types asks for ``current_registry()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "layers",
    "losses",
    "optimizers",
    "schedules",
    "initializers",
    "metrics",
    "datasets",
    "exporters",
    "onnx_mappings",
    "pytorch_code",
)
# How messages name one item of each kind.
SINGULAR = {
    "layers": "layer", "losses": "loss", "optimizers": "optimizer", "schedules": "schedule",
    "initializers": "initializer", "metrics": "metric", "datasets": "dataset",
    "exporters": "exporter", "onnx_mappings": "ONNX mapping", "pytorch_code": "PyTorch code",
}


@dataclass
class Registry:
    """Name -> item tables, one per kind, plus the plugin that registered each item."""

    layers: dict[str, Any] = field(default_factory=dict)
    losses: dict[str, Any] = field(default_factory=dict)
    optimizers: dict[str, Any] = field(default_factory=dict)
    schedules: dict[str, Any] = field(default_factory=dict)
    initializers: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    datasets: dict[str, Any] = field(default_factory=dict)
    exporters: dict[str, Any] = field(default_factory=dict)
    # layer type name -> function adding that layer's ONNX nodes (see desktop_app.export.onnx)
    onnx_mappings: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # layer, loss or optimizer type name -> its PytorchCode (see desktop_app.export.pytorch_code)
    pytorch_code: dict[str, Any] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    # Installed plugins that contribute nothing, by name: (state, why) with state "failed",
    # "disabled" or "not loaded", so that a missing type can say what became of its plugin.
    unloaded: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Loaded plugins that come from an installed distribution, by name: (distribution, version),
    # which a project records so that where its plugin is missing it can say what to install.
    distributions: dict[str, tuple[str, str]] = field(default_factory=dict)

    def table(self, kind: str) -> dict[str, Any]:
        if kind not in KINDS:
            raise KeyError(f"unknown kind {kind!r}; expected one of {KINDS}")
        return getattr(self, kind)

    def owner(self, kind: str, name: str) -> str | None:
        """The plugin that registered ``name`` of ``kind`` (None when nobody did)."""
        return self.owners.get((kind, name))

    def add(self, kind: str, name: str, item: Any, owner: str) -> None:
        """Register ``item``; a name already taken by another plugin raises ValueError."""
        table = self.table(kind)
        if name in table:
            raise ValueError(
                f"{SINGULAR[kind]} '{name}' is already provided by plugin '{self.owners[(kind, name)]}'"
            )
        table[name] = item
        self.owners[(kind, name)] = owner
