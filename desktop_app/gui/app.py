"""Start the window: one QApplication, the style, the project, then the event loop."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ..plugin_manager import current_registry
from ..project.examples import default_example_path
from ..project.files import load_project
from .main_window import APP_TITLE, MainWindow
from .resources import icon, stylesheet


def application() -> QApplication:
    """The process's QApplication, created and styled on first use."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("Backprop Studio")
    app.setApplicationName(APP_TITLE)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(icon("app"))
    return app


def run(project_path: str | Path | None = None) -> int:
    """Open the window on ``project_path`` (default: the built-in example) and run until closed.

    A project that cannot be read raises ProjectError before any window opens (the CLI prints it).
    """
    app = application()
    project = load_project(project_path or default_example_path())
    window = MainWindow(project, QSettings(), current_registry())
    if project_path is not None:
        window.recent.add(Path(project_path))
    window.show()
    return app.exec()
