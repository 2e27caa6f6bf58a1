"""Puts the probe lab in the window: a dock tabbed behind the training plots, and Training > Probe Lab."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QScrollArea

from ...registry import Registry
from ..designer import Designer
from ..document import ProjectDocument
from ..log_panel import LogPanel
from ..training.controller import TrainingController
from ..window_parts import WindowParts
from .lab import ProbeLab
from .subject import SubjectSource


def install_probe_lab(parts: WindowParts, controller: TrainingController, document: ProjectDocument,
                      registry: Registry, designer: Designer, log: LogPanel,
                      weights_edited: Callable[[], None]) -> ProbeLab:
    """The lab's dock and menu entry; ``weights_edited`` runs after an edit of the kept weights (or
    its undo), for the weights status."""
    panel = designer.dataset
    source = SubjectSource(controller, document.project, registry,
                           lambda: None if panel.loading else panel.dataset, parent=parts.widget)
    lab = ProbeLab(source, document.undo_stack, log.log)
    scrolling = QScrollArea()  # the lab's controls side by side must not set the window's least width
    scrolling.setWidgetResizable(True)
    scrolling.setWidget(lab)
    dock = parts.add_dock("probe_lab", "Probe Lab", scrolling, Qt.DockWidgetArea.BottomDockWidgetArea,
                          tab_with="training")
    dock.visibilityChanged.connect(lab.set_on_show)

    def bring_forward() -> None:
        dock.show()
        dock.raise_()
        if not dock.isFloating() and parts.grow_bottom_dock(dock):
            designer.view.fit_all()  # the canvas lost height: keep the whole network in view

    action = QAction("Probe &Lab", parts.widget)
    action.setShortcut(QKeySequence("Ctrl+Shift+L"))
    action.setStatusTip("Probe the network with a sample or a drawing and see every node's output")
    action.triggered.connect(bring_forward)
    parts.add_to_menu("training", "diagnosis", action)
    document.changed.connect(lab.refresh)
    panel.loaded.connect(lambda _dataset: lab.refresh())
    lab.weights_edited.connect(weights_edited)
    lab.open_action = action
    return lab
