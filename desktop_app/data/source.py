"""The DatasetSource contract: a named, schema-described way to get a Dataset.

Like layers and losses, a source is a Component: ``type_name`` is what project files name,
``description`` is shown in lists, ``schema`` declares its options (so the GUI builds a form for
free and project files are checked), and ``load()`` returns a checked Dataset.
"""

from __future__ import annotations

from typing import ClassVar

from ..engine.component import Component
from .dataset import Dataset


class DatasetSource(Component):
    """Base of every dataset, built-in or from a plugin."""

    category: ClassVar[str] = "Dataset"
    # Options holding file paths: a project resolves relative ones against its own folder.
    path_options: ClassVar[tuple[str, ...]] = ()

    def load(self) -> Dataset:
        raise NotImplementedError
