"""The Training menu's checks: Check… (sanity checks and the learning-rate range test) and Check
Gradients, each in its own dialog whose work runs in the background.

They are available when a run could start (see ``readiness``): the network builds, the dataset
has loaded and no run is on. Check… works on the weights a new run would start from; Check
Gradients on the trained network when there is one, else on those fresh weights.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ...project.run import Run, build_run
from ...registry import Registry
from ..dataset_panel import DatasetPanel
from ..designer import Designer
from ..document import ProjectDocument
from .check_dialog import CheckDialog
from .controller import TrainingController
from .gradient_dialog import GradientDialog
from .readiness import train_blocker

CHECK_TIP = "Sanity checks and a learning-rate range test, worth a few seconds before a long run"
GRADIENTS_TIP = "Compare every layer's gradients, and the loss's, with finite differences"


class ChecksMenu(QObject):
    """The two actions (the training part puts them in its menu); their dialogs open over
    ``parent`` (the window); ``set_learning_rate`` applies a suggested rate."""

    def __init__(self, parent: QWidget, controller: TrainingController,
                 document: ProjectDocument, registry: Registry, designer: Designer, dataset: DatasetPanel,
                 set_learning_rate: Callable[[float], None]) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.controller, self.document, self.registry = controller, document, registry
        self.designer, self.dataset = designer, dataset
        self._set_learning_rate = set_learning_rate
        self.check = QAction("&Check…", parent)
        self.check.setObjectName("check_action")
        self.gradients = QAction("Check &Gradients", parent)
        self.gradients.setObjectName("check_gradients_action")
        for action, tip in ((self.check, CHECK_TIP), (self.gradients, GRADIENTS_TIP)):
            action.setStatusTip(tip)
            action.setToolTip(tip)
        self.check.triggered.connect(self.open_check)
        self.gradients.triggered.connect(self.open_gradients)
        controller.state_changed.connect(self._update)
        designer.graph_valid_changed.connect(self._update)
        dataset.loaded.connect(self._update)
        dataset.failed.connect(self._update)
        self._update()

    def _update(self, *_args: object) -> None:
        blocker = train_blocker(self.controller.state, self.designer)
        for action, tip in ((self.check, CHECK_TIP), (self.gradients, GRADIENTS_TIP)):
            action.setEnabled(not blocker)
            action.setStatusTip(blocker or tip)

    def _fresh_run(self) -> Callable[[], Run]:
        """Builds (on a background thread) the run a fresh start would train, from the project as it
        is now and the dataset the window loaded."""
        project, registry, dataset = self.document.project(), self.registry, self.dataset.dataset
        return lambda: build_run(project, registry=registry, dataset=dataset)

    def open_check(self) -> CheckDialog:
        dialog = CheckDialog(self._fresh_run(), self._set_learning_rate, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.start()
        return dialog

    def open_gradients(self) -> GradientDialog:
        trained = self.controller.trained_run() if self.controller.state == "idle" else None
        if trained is not None:  # a copy taken now: a run started meanwhile trains the original
            trained = dataclasses.replace(trained, model=trained.model.with_dtype(trained.model.dtype.name))
        build = (lambda: trained) if trained is not None else self._fresh_run()
        dialog = GradientDialog(build, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.start()
        return dialog
