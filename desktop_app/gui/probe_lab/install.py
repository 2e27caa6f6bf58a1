"""Puts the probe lab in a window: a dock beside the training plots and Training > Probe Lab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from .lab import ProbeLab
from .subject import SubjectSource

if TYPE_CHECKING:
    from ..main_window import MainWindow


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
    action.triggered.connect(lambda: (dock.show(), dock.raise_()))
    window.menus["training"].addAction(action)
    window.document.changed.connect(lab.refresh)
    panel.loaded.connect(lambda _dataset: lab.refresh())
    lab.weights_edited.connect(window.project_weights.update_status)
    lab.open_action = action
    return lab
