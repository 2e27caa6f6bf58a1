"""Puts the probe lab in a window: a dock beside the training plots and Training > Probe Lab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget

from .lab import ProbeLab
from .subject import SubjectSource

if TYPE_CHECKING:
    from ..main_window import MainWindow

ROOM = 0.5  # of the window's height, for the lab's dock when it is opened


def install_probe_lab(window: MainWindow) -> ProbeLab:
    """The lab's dock (tabbed behind the training plots) and its menu entry."""
    panel = window.designer.dataset
    source = SubjectSource(window.training.controller, window.document.project, window.registry,
                           lambda: None if panel.loading else panel.dataset, parent=window)
    lab = ProbeLab(source, window.document.undo_stack, window.log_panel.log)
    dock = window.add_dock("probe_lab", "Probe Lab", lab, Qt.DockWidgetArea.BottomDockWidgetArea)
    window.tabifyDockWidget(window.training.dock, dock)
    window.training.dock.raise_()
    action = QAction("Probe &Lab", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+L"))
    action.setStatusTip("Probe the network with a sample or a drawing and see every node's output")
    action.triggered.connect(lambda: _bring_forward(window, dock))
    window.menus["training"].addAction(action)
    window.document.changed.connect(lab.refresh)
    panel.loaded.connect(lambda _dataset: lab.refresh())
    lab.weights_edited.connect(window.project_weights.update_status)
    lab.open_action = action
    return lab


def _bring_forward(window: MainWindow, dock: QDockWidget) -> None:
    """Show the lab, with room for the drawing board and the activations (half the window's height)."""
    dock.show()
    dock.raise_()
    room = int(window.height() * ROOM)
    if not dock.isFloating() and dock.height() < room:
        window.resizeDocks([dock], [room], Qt.Orientation.Vertical)
        window.designer.view.fit_all()  # the canvas lost height: keep the whole network in view
