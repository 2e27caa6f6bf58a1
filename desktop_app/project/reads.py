"""The files a project reads (its own file, its dataset's), and whether an output would be one.

Paths are compared resolved (symlinks followed) and, where both exist, as the same file on disk
(hard links), so that no command or export writes over a file it reads.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..registry import Registry
from .document import Project


def project_inputs(project: Project, registry: Registry) -> dict[str, Path]:
    """The project file and the data files its dataset reads, by how a message names them."""
    found = {"the project file": project.path} if project.path is not None else {}
    source_cls = registry.datasets.get(project.dataset.type)
    for key in getattr(source_cls, "path_options", ()):
        value = project.dataset.options.get(key)
        if isinstance(value, str) and value:
            found[f"the dataset's file ($.dataset.options.{key})"] = project.resolve(value)
    return found


def same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False
