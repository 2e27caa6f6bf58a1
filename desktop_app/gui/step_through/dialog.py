"""Training > Step Through…: one mini-batch through the network, a step at a time.

The dialog records a training step (``engine.step_trace``) from the weights on hand and walks it:
forward node by node, the loss, backward node by node, the update. Each step shows its formula
and its arrays; the canvas marks the node and the edges it is about. A click on a cell of a dL/dw
view checks that derivative by finite differences in float64, beside the backprop value.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...data.errors import DataError
from ...engine.errors import EngineError
from ...engine.step_trace import StepTrace, WeightDerivative, weight_derivative
from ...project.errors import ProjectError
from ..canvas.scene import GraphScene
from ..training.controller import TrainingController
from ..training.worker import describe_error
from .array_view import ArrayView
from .canvas_marks import PHASE_COLORS, CanvasMarks
from .source import SourceError, StepSource, current_source, parse_rows
from .steps import Step, steps_of

PLAY_INTERVAL_MS = 900
CHECK_LINES = 4  # a finite-difference check's result: three lines, the last one often wrapped


class StepThroughDialog(QDialog):
    """Pick a batch, record its step, walk it with Next / Previous / Play."""

    # a derivative was checked by finite differences (the WeightDerivative)
    checked = Signal(object)

    def __init__(self, controller: TrainingController, scene: GraphScene,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Step Through a Batch")
        self.setObjectName("step_through")
        self.controller = controller
        self.marks = CanvasMarks(scene)
        self.source: StepSource | None = None
        self.trace: StepTrace | None = None
        self.steps: list[Step] = []
        self.views: list[ArrayView] = []
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_INTERVAL_MS)
        self.timer.timeout.connect(self._play_next)
        self._build()
        self.resize(760, 820)

    # --- building ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.next_batch = QRadioButton("Next training batch")
        self.chosen = QRadioButton("Training samples:")
        self.rows_edit = QLineEdit()
        self.rows_edit.setPlaceholderText("e.g. 0, 5, 10-15")
        self.next_batch.setChecked(True)
        choice = QButtonGroup(self)
        choice.addButton(self.next_batch)
        choice.addButton(self.chosen)
        self.record_button = QPushButton("Record Step")
        self.record_button.setToolTip("Run the batch forward and backward and the optimizer once, on a "
                                      "copy: the weights and any paused run stay as they are")
        self.record_button.clicked.connect(self.record)
        self.rows_edit.textEdited.connect(lambda: self.chosen.setChecked(True))
        picker = QHBoxLayout()
        for widget in (self.next_batch, self.chosen, self.rows_edit, self.record_button):
            picker.addWidget(widget)
        self.status = QLabel("Record a step to begin.")
        self.status.setWordWrap(True)

        self.step_list = QListWidget()
        self.step_list.currentRowChanged.connect(self.show_step)
        self.previous_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.play_button.toggled.connect(self._play)
        buttons = QHBoxLayout()
        for button in (self.previous_button, self.next_button, self.play_button):
            buttons.addWidget(button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.step_list)
        left_layout.addLayout(buttons)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.formula = QLabel()
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setStyleSheet("font-family: monospace; font-size: 11pt; padding: 6px; "
                                   "background: #f6f8fa; border: 1px solid #d0d7de")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.derivative = QLabel()
        self.derivative.setWordWrap(True)
        self.panels = QWidget()
        self.panels_layout = QVBoxLayout(self.panels)
        self.panels_layout.addStretch(1)  # the views stay their own height, at the top
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panels)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.heading, self.formula, self.summary, self.derivative):
            right_layout.addWidget(widget)
        right_layout.addWidget(scroll, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 540])
        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # --- recording -----------------------------------------------------------------------------------
    def record(self) -> bool:
        """Record the chosen batch's step from the weights on hand; False (and why, in the status
        line) when it cannot be done now."""
        self._play(False)
        try:
            source = current_source(self.controller)
            rows = (source.next_batch_rows() if self.next_batch.isChecked()
                    else parse_rows(self.rows_edit.text(), source.sample_count))
            trace = source.trace(rows)
        except (SourceError, ProjectError, DataError, EngineError) as error:
            self.status.setText(f"Cannot step through: {describe_error(error)}")
            return False
        self.source, self.trace, self.steps = source, trace, steps_of(trace)
        what = (f"batch {source.batch} of epoch {source.epoch}" if self.next_batch.isChecked()
                else "the chosen samples")
        self.status.setText(f"{len(rows)} training samples ({what}) from {source.origin}; "
                            f"loss {trace.loss.value:.6g}.")
        self.step_list.blockSignals(True)
        self.step_list.clear()
        for number, step in enumerate(self.steps, start=1):
            item = QListWidgetItem(f"{number}. {step.title}")
            item.setForeground(QBrush(PHASE_COLORS[step.phase]))
            self.step_list.addItem(item)
        self.step_list.blockSignals(False)
        self.step_list.setCurrentRow(0)
        return True

    # --- walking -------------------------------------------------------------------------------------
    @property
    def current(self) -> int:
        return self.step_list.currentRow()

    def go(self, delta: int) -> None:
        row = self.current + delta
        if 0 <= row < len(self.steps):
            self.step_list.setCurrentRow(row)

    def _play(self, on: bool) -> None:
        if on and self.steps:
            self.timer.start()
        else:
            self.timer.stop()
        self.play_button.blockSignals(True)
        self.play_button.setChecked(self.timer.isActive())
        self.play_button.blockSignals(False)

    def _play_next(self) -> None:
        if self.current >= len(self.steps) - 1:
            self._play(False)
        else:
            self.go(1)

    def show_step(self, row: int) -> None:
        self._update_buttons()
        for view in self.views:
            view.setParent(None)
            view.deleteLater()
        self.views = []
        if not 0 <= row < len(self.steps):
            for label in (self.heading, self.formula, self.summary, self.derivative):
                label.clear()
            self.marks.clear()
            return
        step = self.steps[row]
        self.heading.setText(f"<h3 style='color:{PHASE_COLORS[step.phase].name()}'>"
                             f"Step {row + 1} of {len(self.steps)}: {step.title}</h3>")
        self.formula.setText(step.text)
        self.summary.setText(step.summary)
        checkable = any(panel.weight_key for panel in step.panels)
        self.derivative.setText("Click a cell of a dL/dw view to check it by finite differences."
                                if checkable else "")
        # room for a check's result from the start: the views must not move under the mouse
        self.derivative.setMinimumHeight(CHECK_LINES * self.derivative.fontMetrics().lineSpacing()
                                         if checkable else 0)
        for panel in step.panels:
            view = ArrayView(panel.label, panel.array, self.panels)
            if panel.weight_key is not None:
                view.cell_clicked.connect(view.mark)
                view.cell_clicked.connect(lambda index, key=panel.weight_key: self.check(key, index))
            self.panels_layout.insertWidget(self.panels_layout.count() - 1, view)
            self.views.append(view)
        self.marks.show(step.phase, step.nodes, step.edges)

    def _update_buttons(self) -> None:
        self.previous_button.setEnabled(self.current > 0)
        self.next_button.setEnabled(0 <= self.current < len(self.steps) - 1)
        self.play_button.setEnabled(bool(self.steps))

    # --- checking a derivative -----------------------------------------------------------------------
    def check(self, key: str, index: tuple[int, ...]) -> WeightDerivative | None:
        """dL/dw of ``key`` at ``index`` by finite differences, shown beside the step's backprop value
        (None, and why, when a layer fails in the check's forward passes)."""
        try:
            result = weight_derivative(self.trace, key, index)
        except EngineError as error:
            self.derivative.setText(f"Cannot check dL/dw of {key}{list(index)}: {describe_error(error)}")
            return None
        node, param = key.split("/")
        shown = next(step.param_grads[param] for step in self.trace.backward if step.node == node)[index]
        lines = [f"<b>dL/dw of {key}{list(index)}</b>: backprop {shown:.10g}",
                 f"finite differences (float64, central, eps {result.eps:g}): {result.numeric:.10g}"]
        if self.trace.start.dtype.name != "float64":
            lines.append(f"backprop in float64: {result.backprop:.10g} "
                         f"(differs from the float64 check by {result.difference:.2g})")
        else:
            lines.append(f"difference: {abs(float(shown) - result.numeric):.2g}")
        self.derivative.setText("<br>".join(lines))
        self.checked.emit(result)
        return result

    def forget(self, reason: str) -> None:
        """Drop the recorded step (its weights are gone): nothing stale stays on show."""
        self._play(False)
        self.source, self.trace, self.steps = None, None, []
        self.step_list.clear()
        self.show_step(-1)
        self.status.setText(f"{reason}: record a step again.")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if 0 <= self.current < len(self.steps):  # opened again: the canvas follows again
            step = self.steps[self.current]
            self.marks.show(step.phase, step.nodes, step.edges)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Closed, or dismissed with Escape (which hides without a close event): the canvas is
        left clean."""
        self._play(False)
        self.marks.clear()
        super().hideEvent(event)
