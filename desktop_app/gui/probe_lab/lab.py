"""The probe lab: give the network any input and watch every node answer.

The input is a sample of the dataset (validation or training), a drawing (image datasets), or a
point of the plane under the decision boundary (2-D classifiers). The prediction and every node's
output follow each change at once. The point map, the unit view and the weight edits look at the
same model, which ``SubjectSource`` hands over (during a run: a copy, never half-updated).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...data.errors import DataError
from ...data.images import image_layout
from ...engine.errors import EngineError
from ...engine.graph import Input
from ...project.probing import (
    Probe,
    accuracy,
    dense_nodes,
    incoming_weights,
    layer_weights,
    node_outputs,
    pixel_layout,
    principal_projection,
    probe,
    scaled_layer,
    zeroed_unit,
)
from ...project.run import Run
from ..dataset_preview import _to_image
from ..training.worker import describe_error
from .activations import ActivationsView
from .bars import PredictionBars
from .inputs import TRAINING, VALIDATION, InputPanel
from .point_map import PointMapView
from .subject import Subject, SubjectSource
from .unit_view import UnitView
from .weight_edit import WeightEditCommand

NOT_EDITABLE = ("Only the trained weights can be edited, while no run is on: train the network (or "
                "load its weights) first")
MAP_SAMPLES = 2000  # the point map places at most this many samples
COPY_INTERVAL_MS = 1000  # while a run is on, the lab asks for a copy of its weights this often
HOVER_SIDE = 96


class ProbeLab(QWidget):
    """The lab's widgets and what connects them; ``refresh`` follows the current Subject."""

    # the window's kept weights were edited (or an edit undone)
    weights_edited = Signal()

    def __init__(self, source: SubjectSource, undo_stack: QUndoStack, log: Callable[[str, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probe_lab")
        self.source = source
        self.undo_stack = undo_stack
        self._log = log
        self.subject: Subject | None = None
        self.last_probe: Probe | None = None
        self.update_seconds = 0.0
        self._built_for: tuple[int, int] | None = None
        self._stale = True
        # the dock is in view (a tabbed dock that is not the current tab still counts as visible)
        self.on_show = False
        self._map_for: tuple[int, str] | None = None
        # Training > Probe Lab (set by ``install_probe_lab``)
        self.open_action: QAction | None = None
        self._build()
        self.source.changed.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(COPY_INTERVAL_MS)
        self.timer.timeout.connect(self._ask_for_copy)
        self.timer.start()

    # --- building --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.inputs = InputPanel(self)
        self.subject_label = QLabel(self)
        self.subject_label.setObjectName("probe_subject")
        self.subject_label.setWordWrap(True)
        self.bars = PredictionBars(self)
        self.hover = QLabel(self)
        self.hover.setObjectName("probe_hover")
        self.hover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hover.setWordWrap(True)
        self.activations = ActivationsView()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.activations)
        self.point_map = PointMapView(self)
        self.unit_view = UnitView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("probe_tabs")
        self.tabs.addTab(scroll, "Activations")
        self.tabs.addTab(self.point_map, "Point Map")
        self.tabs.addTab(self.unit_view, "Unit")
        left = QVBoxLayout()
        left.addWidget(self.inputs, 1)
        left.addWidget(self.subject_label)
        middle = QVBoxLayout()
        middle.addWidget(QLabel("<b>Prediction</b>", self))
        middle.addWidget(self.bars)
        middle.addStretch(1)
        middle.addWidget(self.hover)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(left, 3)
        layout.addLayout(middle, 2)
        layout.addWidget(self.tabs, 5)
        self.inputs.changed.connect(self.probe_input)
        self.tabs.currentChanged.connect(lambda _index: self._refresh_tab())
        self.activations.unit_clicked.connect(self.show_unit)
        self.point_map.layer.currentTextChanged.connect(lambda _text: self._refresh_tab())
        self.point_map.follow.toggled.connect(self._follow)
        self.point_map.sample_clicked.connect(self._probe_mapped)
        self.point_map.sample_hovered.connect(self._show_hovered)
        self.point_map.describe = self._describe_mapped
        self.unit_view.zero_requested.connect(self.zero_unit)
        self.unit_view.scale_requested.connect(self.scale_layer)

    # --- following the model ---------------------------------------------------------------------------
    def set_on_show(self, on_show: bool) -> None:
        """The lab's dock came into view (or went out of it: closed, or tabbed away)."""
        self.on_show = on_show
        if on_show and self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Look at the current Subject again (later, when the lab is not on show)."""
        if not self.on_show:
            self.subject = None  # nothing may probe the model it had (a run may be training it now)
            self._stale = True
            return
        self._stale = False
        subject = self.subject = self.source.current()
        if subject is None:
            self._built_for = None
            self.subject_label.setText(self.source.reason)
            for view in (self.bars, self.activations, self.point_map, self.unit_view):
                view.clear()
            if self.source.controller.state in ("running", "paused"):
                self.source.request_copy()  # last: a copy taken at once (paused) refreshes the lab again
            return
        key = (id(subject.run.model), id(subject.run.data.dataset))
        rebuild = key != self._built_for
        self._built_for = key
        self.inputs.follow(subject.run, rebuild)
        if rebuild:
            self._rebuild(subject.run)
        self.unit_view.set_editable(subject.editable, NOT_EDITABLE)
        self.probe_input()
        self._refresh_tab()

    def _rebuild(self, run: Run) -> None:
        """Controls that depend on the network."""
        names = [name for name in run.model.order if not isinstance(run.model.layers[name], Input)]
        output = run.model.output_names[0]
        feeding = run.model.specs[output].inputs[0]
        self.point_map.set_layers(names, feeding if feeding in names else output)
        self._map_for = None
        if self.unit_view.unit is not None and self.unit_view.unit[0] not in dense_nodes(run.model):
            self.unit_view.clear()

    # --- probing ----------------------------------------------------------------------------------------
    def probe_input(self) -> None:
        """Probe the input on show: the prediction and every node's output."""
        if self.subject is None or not self.inputs.kind.count():
            return
        started = time.perf_counter()
        run = self.subject.run
        x, what = self.inputs.current_input()
        try:
            looked = probe(run.model, run.loss, run.preprocessing, x, what)
        except (DataError, EngineError) as error:  # an input beyond float32 once scaled; a plugin's bug
            self.subject_label.setText(describe_error(error))
            return
        self.last_probe = looked
        self.subject_label.setText(f"Probing {self.subject.description}.")
        self.bars.show_prediction(looked.predictions)
        types = {name: spec.type for name, spec in run.model.specs.items()}
        self.activations.show_activations({name: values[0] for name, values in looked.activations.items()},
                                          types, dense_nodes(run.model))
        if self.unit_view.unit is not None:
            node, unit = self.unit_view.unit
            self.unit_view.mark(float(looked.activations[node][0, unit]))
        self.update_seconds = time.perf_counter() - started

    # --- the tabs ----------------------------------------------------------------------------------------
    def _refresh_tab(self) -> None:
        if self.subject is None or not self.on_show:
            return
        if self.tabs.currentWidget() is self.point_map:
            self._refresh_point_map()
        elif self.tabs.currentWidget() is self.unit_view and self.unit_view.unit is not None:
            self.show_unit(*self.unit_view.unit)

    def _map_set(self) -> tuple[np.ndarray, str]:
        data = self.subject.run.data
        if len(data.val_indices):
            return data.val_indices[:MAP_SAMPLES], "validation"
        return data.train_indices[:MAP_SAMPLES], "training"

    def _refresh_point_map(self) -> None:
        subject, layer = self.subject, self.point_map.layer.currentText()
        if not layer:
            return
        key = (id(subject.run.model), layer)
        following = subject.kind != "training" or subject.epoch_end or self._map_for != key
        if not following:
            return  # during a run the map moves at epoch ends, when asked to
        self._map_for = key
        run = subject.run
        indices, which = self._map_set()
        dataset = run.data.dataset
        try:
            outputs = node_outputs(run.model, run.preprocessing, dataset.x[indices], layer,
                                   f"the {which} samples")
        except DataError as error:
            self.point_map.clear(str(error))
            return
        labels = dataset.y[indices] if dataset.class_names else None
        self.point_map.show_map(principal_projection(outputs), labels,
                                f"{len(indices)} {which} samples by their '{layer}' outputs "
                                f"({subject.description}). Hover: the sample; click: probe it.",
                                dataset.class_names)

    def _follow(self, on: bool) -> None:
        self.source.tap.each_epoch = on

    def _probe_mapped(self, position: int) -> None:
        self.inputs.choose_sample(VALIDATION if self._map_set()[1] == "validation" else TRAINING, position)

    def _describe_mapped(self, position: int) -> str:
        """``which sample N: its class`` (its target for regression)."""
        indices, which = self._map_set()
        dataset = self.subject.run.data.dataset
        index = int(indices[position])
        truth = dataset.class_names[int(dataset.y[index])] if dataset.class_names else f"{dataset.y[index]}"
        return f"{which} sample {position}: {truth}"

    def _show_hovered(self, position: int) -> None:
        if position < 0 or self.subject is None:
            self.hover.clear()
            return
        indices, _which = self._map_set()
        dataset = self.subject.run.data.dataset
        index = int(indices[position])
        layout = image_layout(dataset.sample_shape, dataset.feature_names)
        if layout is not None:
            self.hover.setPixmap(QPixmap.fromImage(_to_image(dataset.x[index], layout[1], layout[2])).scaled(
                HOVER_SIDE, HOVER_SIDE, Qt.AspectRatioMode.KeepAspectRatio))
        else:
            self.hover.setText(", ".join(f"{value:.3g}" for value in np.ravel(dataset.x[index])[:8]))
        self.hover.setToolTip(self._describe_mapped(position))

    # --- units and edits ---------------------------------------------------------------------------------
    def show_unit(self, node: str, unit: int) -> None:
        """The unit view of ``unit`` of the Dense layer ``node``, brought forward."""
        if self.subject is None:
            return
        run = self.subject.run
        indices, which = self._map_set()
        try:
            outputs = node_outputs(run.model, run.preprocessing, run.data.dataset.x[indices], node,
                                   f"the {which} samples")[:, unit]
        except DataError as error:
            self.unit_view.accuracy.setText(str(error))
            return
        current = None if self.last_probe is None else float(self.last_probe.activations[node][0, unit])
        self.unit_view.show_unit(node, unit, incoming_weights(run.model, node, unit),
                                 pixel_layout(run.model, node), outputs, current)
        self.unit_view.set_editable(self.subject.editable, NOT_EDITABLE)
        shown = self._accuracy()
        self.unit_view.accuracy.setText("" if shown is None else f"{which.capitalize()} accuracy: {shown}")
        if self.tabs.currentWidget() is not self.unit_view:
            self.tabs.setCurrentWidget(self.unit_view)

    def _accuracy(self) -> str | None:
        run = self.subject.run
        indices, which = self._map_set()
        dataset = run.data.dataset
        if not dataset.class_names:
            return None
        try:
            share = accuracy(run.model, run.loss, run.preprocessing, dataset.x[indices], dataset.y[indices],
                             f"the {which} samples")
        except DataError:  # edited weights can overflow the network: no prediction, no accuracy
            return "none (the network's output is not finite)"
        return f"{100 * share:.1f} %"

    def zero_unit(self) -> None:
        node, unit = self.unit_view.unit
        self._edit(f"Zero unit {unit} of {node}", node, lambda model: zeroed_unit(model, node, unit))

    def scale_layer(self, factor: float) -> None:
        node = self.unit_view.unit[0]
        self._edit(f"Scale the weights of {node} by {factor:g}", node,
                   lambda model: scaled_layer(model, node, factor))

    def _edit(self, text: str, node: str, change: Callable) -> None:
        subject = self.subject
        if subject is None or not subject.editable:
            return
        model = subject.run.model
        before = self._accuracy()
        self.undo_stack.push(WeightEditCommand(text, model, node, layer_weights(model, node), change(model),
                                               self._weights_changed))
        if before is not None:
            self._log(f"{text}: {self._map_set()[1]} accuracy {before} → {self._accuracy()} "
                      "(Edit > Undo restores the weights).", "info")

    def _weights_changed(self) -> None:
        self.source.mark_edited()
        self.weights_edited.emit()
        self.refresh()

    def _ask_for_copy(self) -> None:
        if self.on_show and self.source.controller.state == "running":
            self.source.request_copy()
