"""Driving the window as a user does (typing into a field, choosing a dataset) and reading what it
holds, shared by the window tests."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.engine.graph import NodeSpec
from desktop_app.gui.main_window import MainWindow


def type_into(qtbot, widget, text: str) -> None:
    """Replace the text of a line edit (or spin box) by typing, then press Return."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def inspector_editor(window, param: str):
    return window.designer.inspector.form.editors[param]


def specs(window) -> list[NodeSpec]:
    return window.document.project().node_specs()


def choose_dataset(qtbot, window, name: str) -> None:
    """Type a dataset's name into the chooser and wait until it has loaded."""
    chooser = window.designer.dataset.source.chooser
    with qtbot.waitSignal(window.designer.dataset.loaded, timeout=10_000):
        chooser.setFocus()
        qtbot.keyClicks(chooser, name)


def close_when_shown(seen: list[str]) -> None:
    """Once the event loop runs: note the shown window's title and close it (ending app.exec)."""

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(w.windowTitle() for w in windows)
        if windows:
            windows[0].close()
        else:
            QApplication.quit()

    QTimer.singleShot(0, check)
