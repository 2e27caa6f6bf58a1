"""Training > Live Settings…: the momentum, weight decay and Dropout rates of a running network,
changed without stopping it (the learning rate has its own box in the toolbar).

Each change is an undoable edit of the project, handed to the running trainer, which applies it
from the next batch (``TrainingControl.set_param``), and marked on the loss plot where the curves
had reached when it was made, labelled with the new value; so is a learning rate changed during a
run (the toolbar's box, or a check's "Use this learning rate"), which the learning-rate plot shows
as a step. The marks go with the curves (weights reset, or a run starting from fresh weights).
The dialog is available while a run is on; between runs these settings are the inspector's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from ...engine.control import OPTIMIZER
from ...engine.layers.dropout import Dropout
from ...engine.schema import ParamSpec
from ...registry import Registry
from .. import graph_edits, settings_edits
from ..canvas.style import MUTED_TEXT
from ..document import ProjectDocument
from ..forms.editors import FloatEditor
from .controller import TrainingController
from .curves import CurvesPanel
from .plot_style import pen

# The optimizer parameters offered, with how they read: SGD's momentum, and Adam's beta_1 (its
# momentum), then weight decay.
OPTIMIZER_KNOBS = (("momentum", "Momentum"), ("beta_1", "Momentum (beta 1)"),
                   ("weight_decay", "Weight decay"))
TIP = "Change momentum, weight decay or dropout rates while the network trains"
# Heights (fractions of the plot, from the bottom) the marks' labels take in turn, so that the
# labels of changes made close together do not print over each other.
LABEL_HEIGHTS = (0.9, 0.7, 0.5, 0.3)


@dataclass(frozen=True)
class Knob:
    """One setting: its label, where it lives (OPTIMIZER or a node name), its parameter, its spec."""

    label: str
    target: str
    name: str
    spec: ParamSpec
    value: float


def knobs(registry: Registry, data: Mapping[str, Any]) -> list[Knob]:
    """The settings the project's optimizer and Dropout layers offer, with their current values."""
    found = []
    optimizer = data["training"].get("optimizer") or {}
    cls = registry.optimizers.get(optimizer.get("type", ""))
    config = optimizer.get("config") or {}
    specs = {spec.name: spec for spec in cls.schema} if cls is not None else {}
    for name, label in OPTIMIZER_KNOBS:
        if name in specs:
            found.append(Knob(label, OPTIMIZER, name, specs[name], config.get(name, specs[name].default)))
    for node in data["model"]["nodes"]:
        layer = registry.layers.get(node["type"])
        if isinstance(layer, type) and issubclass(layer, Dropout):
            spec = next(spec for spec in layer.schema if spec.name == "rate")
            value = (node.get("config") or {}).get("rate", spec.default)
            found.append(Knob(f"Dropout rate ({node['name']})", node["name"], "rate", spec, value))
    return found


class LiveSettingsDialog(QDialog):
    """A form of the knobs; ``changed(knob, value)`` when one is committed."""

    changed = Signal(object, float)

    def __init__(self, settings: list[Knob], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("live_settings_dialog")
        self.setWindowTitle("Live Settings")
        form = QFormLayout(self)
        form.addRow(QLabel("Applied from the next batch, and marked on the loss plot.", self))
        self.editors: dict[str, FloatEditor] = {}
        for knob in settings:
            editor = FloatEditor(knob.spec, self)
            editor.set_value(knob.value)
            editor.setToolTip(knob.spec.doc)
            editor.committed.connect(lambda value, knob=knob: self.changed.emit(knob, float(value)))
            self.editors[knob.label] = editor
            form.addRow(knob.label, editor)
        if not settings:
            form.addRow(QLabel("This project's optimizer and layers have none of these settings.", self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        # Enter in a field commits its value; it must not also press Close
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        buttons.rejected.connect(self.close)
        form.addRow(buttons)


class LiveKnobs(QObject):
    """The action (the training part puts it in its menu), the project edits and the marks on the
    loss plot; the dialog opens over ``parent`` (the window)."""

    def __init__(self, parent: QWidget, controller: TrainingController,
                 document: ProjectDocument, registry: Registry, curves: CurvesPanel) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.controller, self.document, self.registry, self.curves = controller, document, registry, curves
        self.marks: list[pg.InfiniteLine] = []
        # the record's generation the marks belong to: a cleared record (fresh weights) drops them
        self._generation = controller.record.generation
        self.dialog: LiveSettingsDialog | None = None
        self.action = QAction("Live Setti&ngs…", parent)
        self.action.setObjectName("live_settings_action")
        self.action.setStatusTip(TIP)
        self.action.setToolTip(TIP)
        self.action.triggered.connect(self.open)
        controller.state_changed.connect(self._state_changed)
        controller.weights_reset.connect(self.clear_marks)
        controller.learning_rate_set.connect(lambda rate: self._mark(f"learning rate {rate:g}"))
        controller.run_started.connect(self._follow_record)
        self._state_changed(controller.state)

    def _state_changed(self, state: str) -> None:
        live = state in ("running", "paused")
        self.action.setEnabled(live)
        if not live and self.dialog is not None:
            self.dialog.close()

    def open(self) -> LiveSettingsDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = LiveSettingsDialog(knobs(self.registry, self.document.data), self.parent_widget)
        self.dialog.changed.connect(self.apply)
        self.dialog.show()
        return self.dialog

    def apply(self, knob: Knob, value: float) -> None:
        """Edit the project (one undo step), hand the value to the run, and mark where it applies."""
        if knob.target == OPTIMIZER:
            def change(data: dict[str, Any]) -> None:
                settings_edits.set_component_param(data, "optimizer", knob.name, value)
        else:
            def change(data: dict[str, Any]) -> None:
                graph_edits.set_param(data, knob.target, knob.name, value)
        self.document.edit(f"Set {knob.label.lower()}", change)
        self.controller.set_param(knob.target, knob.name, value)
        self._mark(f"{knob.label.lower()} {value:g}")

    def _mark(self, label: str) -> None:
        batches = self.controller.record.batches.view()
        x = float(batches[-1, 0]) if len(batches) else 0.0
        line = pg.InfiniteLine(pos=x, angle=90, pen=pen(MUTED_TEXT, 1.0, dashed=True), label=label,
                               labelOpts={"position": LABEL_HEIGHTS[len(self.marks) % len(LABEL_HEIGHTS)],
                                          "color": MUTED_TEXT.name()})
        self.curves.loss_plot.addItem(line)
        self.marks.append(line)

    def _follow_record(self, _started: object) -> None:
        if self.controller.record.generation != self._generation:
            self.clear_marks()

    def clear_marks(self) -> None:
        for line in self.marks:
            self.curves.loss_plot.removeItem(line)
        self.marks = []
        self._generation = self.controller.record.generation
