"""Where the save and export dialogs start: beside the project, but never in the app's own folder.

A shipped example lives in the installed package: a file saved there is lost with the next
upgrade, and a click on the example's own name in the dialog would write over it.
"""

from __future__ import annotations

from pathlib import Path

from ..paths import EXAMPLES_DIR


def is_shipped_example(path: Path | None) -> bool:
    """True for a project file in the app's examples folder."""
    return path is not None and path.resolve().parent == EXAMPLES_DIR.resolve()


def offered_folder(project_path: Path | None) -> Path:
    """The folder a dialog opens in: the project's own, or the home folder for a project never
    saved and for a shipped example."""
    if project_path is None or is_shipped_example(project_path):
        return Path.home()
    return project_path.parent
