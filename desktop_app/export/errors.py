"""The error an export raises: names the node, its layer type and the plugin that provides it."""

from __future__ import annotations


class ExportError(ValueError):
    """A model cannot be written in the requested format (a layer without a mapping, a bad file)."""
