"""The Exporter contract: write a built model's trained weights in a format other tools read."""

from __future__ import annotations

import os
from typing import ClassVar

from ..engine.component import Component
from ..engine.graph import Model
from ..registry import Registry


class Exporter(Component):
    """Base class of every export format, built-in or from a plugin.

    ``type_name`` is the format name the CLI's ``--format`` takes (``onnx``, ``npz``, ...),
    ``suffix`` the file ending a written file gets by convention, ``label`` what users call such
    a file (the window's save dialog shows "ONNX model (*.onnx)"). ``export`` must write
    atomically (``desktop_app.fileio.atomic_write``): a failed export never leaves half a file.
    """

    category: ClassVar[str] = "Exporter"
    suffix: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def export(self, model: Model, path: str | os.PathLike, *, registry: Registry) -> None:
        """Write ``model`` (its graph and current weights) to ``path``."""
        raise NotImplementedError
