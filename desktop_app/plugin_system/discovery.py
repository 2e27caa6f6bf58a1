"""Finding third-party plugins without importing them: entry points, then drop-in ``.py`` files.

Discovery only reads metadata and file names, so a broken plugin can always be listed, disabled
and uninstalled; ``Candidate.load`` is the one place a plugin's code runs.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Literal

ENTRY_POINT_GROUP = "backprop_studio.plugins"
DROP_IN_MODULE_PREFIX = "backprop_studio_dropin_"

Source = Literal["built-in", "entry point", "folder", "registered"]


@dataclass(frozen=True)
class Candidate:
    """A plugin that could be loaded: its name, where it comes from, and how to import it."""

    name: str
    source: Source
    location: str
    distribution: str | None = None
    version: str | None = None
    entry_point: metadata.EntryPoint | None = None

    def matches(self, wanted: str) -> bool:
        """True when ``wanted`` is this plugin's name or its distribution's (any spelling)."""
        names = {normalize(self.name)}
        if self.distribution:
            names.add(normalize(self.distribution))
        return normalize(wanted) in names

    def load(self) -> object:
        """Import the plugin (this runs its code): the entry point's object, or the drop-in module."""
        if self.entry_point is not None:
            return self.entry_point.load()
        return _load_file(Path(self.location), DROP_IN_MODULE_PREFIX + _identifier(self.name))


def normalize(name: str) -> str:
    """PEP 503 normalization, so ``Extra_Layers`` and ``extra-layers`` name the same plugin."""
    return re.sub(r"[-_.]+", "-", name).lower()


def entry_point_candidates() -> list[Candidate]:
    """Installed distributions' ``backprop_studio.plugins`` entry points, sorted by name."""
    seen: set[tuple[str, str]] = set()
    found: list[Candidate] = []
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if (entry_point.name, entry_point.value) in seen:
            continue  # the same distribution visible twice on sys.path
        seen.add((entry_point.name, entry_point.value))
        dist = entry_point.dist
        found.append(Candidate(
            name=entry_point.name,
            source="entry point",
            location=entry_point.value,
            distribution=dist.metadata["Name"] if dist is not None else None,
            version=dist.version if dist is not None else None,
            entry_point=entry_point,
        ))
    return sorted(found, key=lambda c: c.name)


def folder_candidates(folder: Path) -> list[Candidate]:
    """Drop-in ``*.py`` files of ``folder`` (named after their stem), sorted; none if it is missing."""
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.py") if p.is_file() and not p.name.startswith(("_", ".")))
    return [Candidate(name=path.stem, source="folder", location=str(path)) for path in files]


def discover(folder: Path) -> list[Candidate]:
    """Every third-party plugin in loading order: entry points first, then the drop-in folder."""
    return entry_point_candidates() + folder_candidates(folder)


def _identifier(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _load_file(path: Path, module_name: str) -> ModuleType:
    """Execute a drop-in file as a fresh module (a reload picks up edits to the file)."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module
