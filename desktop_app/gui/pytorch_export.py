"""File > Export > PyTorch project…: the CLI's ``export --format pytorch`` from the window.

The folder gets the network the Export menu exports (the trained one, or the project's initial
weights), the project's training settings and its data (``desktop_app.project.pytorch_export``),
written in the background like every export; a failure is shown, not raised.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.errors import EngineError
from ..project.pytorch_export import pytorch_project_files, write_pytorch_project
from .background import Task

if TYPE_CHECKING:
    from .exporting import ExportMenu

LABEL = "PyTorch project…"


def add_pytorch_entry(menu: ExportMenu) -> None:
    """The menu's entry, below the file formats."""
    menu.addSeparator()
    action = menu.addAction(LABEL)
    action.setToolTip("A folder with the network as PyTorch code, a training script that trains as the "
                      "app does (also under torchrun), the data and the weights. Needs torch.")
    action.triggered.connect(lambda _checked=False: ask_and_export_pytorch(menu))


def ask_and_export_pytorch(menu: ExportMenu) -> None:
    """Ask for the folder, offering ``<project>-pytorch`` beside the project."""
    from .exporting import ask_save_path

    folder = ask_save_path(menu.parentWidget(), "Export as a PyTorch project", menu.document, "",
                           "PyTorch project folder (*)", offered="-pytorch")
    if folder is not None:
        export_pytorch(menu, folder)


def export_pytorch(menu: ExportMenu, folder: Path) -> Task | None:
    """Write the PyTorch project to ``folder`` in the background; returns the running task."""
    try:
        weights = menu.model_provider().model.get_weights()
    except (ValueError, OSError, EngineError) as error:
        menu.report_failure(f"Cannot export: {error}")
        return None
    project, registry = menu.document.project(), menu.registry

    def write() -> None:
        write_pytorch_project(folder, pytorch_project_files(project, registry, weights))

    return menu.start(f"PyTorch project to {folder}", write)
