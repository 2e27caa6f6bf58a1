"""Start the window: one QApplication, the style, the window's settings, then the event loop."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ..plugin_system import current_registry
from ..project.document import Project
from ..project.errors import ProjectError
from ..project.files import load_project
from ..settings import config_dir
from .main_window import APP_TITLE, MainWindow
from .recent_files import RecentFiles
from .resources import icon, stylesheet

WINDOW_SETTINGS_FILE = "window.ini"


def application() -> QApplication:
    """The process's QApplication, created and styled on first use."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("Backprop Studio")
    app.setApplicationName(APP_TITLE)
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(icon("app"))
    return app


def window_settings() -> QSettings:
    """The window's layout and recent files: an INI file beside ``settings.json``.

    Kept in the app's config folder rather than Qt's default place, so ``BACKPROP_STUDIO_CONFIG_DIR``
    moves every file the app writes (tests and portable installs never touch the real home).
    """
    return QSettings(str(config_dir() / WINDOW_SETTINGS_FILE), QSettings.Format.IniFormat)


def startup_project(project: Project, project_path: Path | None,
                    settings: QSettings) -> tuple[Project, Path | None]:
    """What the window opens on: the project the user named, else the one open last time (the
    newest recent file, when it still opens), else ``project`` (the built-in example)."""
    if project_path is not None:
        return project, project_path
    recent = RecentFiles(settings).paths()
    if recent:
        try:
            return load_project(recent[0]), recent[0]
        except ProjectError:
            pass  # moved or damaged since: the example, and the file stays in Open Recent
    return project, None


def run(project: Project, project_path: Path | None = None) -> int:
    """Open the window on an already loaded ``project`` and run until it is closed.

    ``project_path`` is the file the user named (it joins the recent files); None when they named
    none: then the project open last time, else ``project`` (the built-in example).
    """
    app = application()
    settings = window_settings()
    project, project_path = startup_project(project, project_path, settings)
    window = MainWindow(project, settings, current_registry())
    if project_path is not None:
        window.recent.add(project_path)
    window.show()
    return app.exec()
