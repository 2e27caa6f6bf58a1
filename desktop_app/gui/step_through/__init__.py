"""Training > Step Through…: one mini-batch through the network, a step at a time (see dialog.py)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from ..canvas.scene import GraphScene
from ..training.controller import TrainingController
from ..window_parts import WindowParts
from .dialog import StepThroughDialog

TIP = ("Walk one mini-batch through the network: forward, the loss, backward and the update, "
       "with the engine's own numbers")


class StepThrough(QObject):
    """The menu entry and its dialog (made on first use, kept while the window lives)."""

    def __init__(self, parts: WindowParts, controller: TrainingController, scene: GraphScene) -> None:
        super().__init__(parts.widget)
        self.widget, self.controller, self.scene = parts.widget, controller, scene
        self.dialog: StepThroughDialog | None = None
        self.action = QAction("Step T&hrough…", self.widget)
        self.action.setToolTip(TIP)
        self.action.setStatusTip(TIP)
        self.action.triggered.connect(self.open)
        parts.add_to_menu("training", "diagnosis", self.action)

    def open(self) -> StepThroughDialog:
        """Show the dialog; with no step recorded (the first time, or the weights it was recorded
        from are gone: reset, another project), record the next batch's step at once."""
        first = self.dialog is None
        if first:
            self.dialog = StepThroughDialog(self.controller, self.scene, self.widget)
            self.controller.weights_reset.connect(
                lambda: self.dialog.forget("The weights on hand changed"))
        self.dialog.show()
        self.dialog.raise_()
        if first or self.dialog.trace is None:
            self.dialog.record()
        return self.dialog

