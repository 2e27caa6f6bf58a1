"""Training > Check Gradients: the engine's finite-difference check of the current network, one
row per layer and one for the loss, graded with CS231n's bands (``engine.gradcheck``).

The check runs on a background task (it evaluates the network a few hundred times in float64);
the table fills in when it is done.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.gradcheck import DEFAULT_TOLERANCE, ModelGradRow, check_model_gradients
from ...project.run import Run
from ..background import Task

SAMPLES = 4
# "Input" is dL/d(input) of a layer and, on the loss's row, dL/dpred
COLUMNS = ("Node", "Type", "Parameters", "Input", "Grade", "Status")


def check_run(run: Run) -> list[ModelGradRow]:
    """The model's rows and the loss's on the first SAMPLES training samples (what the CLI checks)."""
    x, y = run.data.x_train[:SAMPLES], run.data.y_train[:SAMPLES]
    return check_model_gradients(run.model, x, y, run.loss)


class GradientDialog(QDialog):
    """``build_run()`` gives the run to check (called on a background thread)."""

    def __init__(self, build_run: Callable[[], Run], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradient_dialog")
        self.setWindowTitle("Check Gradients")
        self._build_run = build_run
        self._task: Task | None = None
        self.rows: list[ModelGradRow] | None = None
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setMinimumSize(560, 240)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for widget in (self.status, self.table, buttons):
            layout.addWidget(widget)

    def start(self) -> None:
        self.status.setText(f"Comparing every gradient with central finite differences (float64) on "
                            f"{SAMPLES} training samples…")
        build = self._build_run
        self._task = Task(lambda: check_run(build()))
        self._task.finished.connect(self._done)
        self._task.failed.connect(self._failed)
        self._task.start()

    @Slot(object, object)
    def _done(self, _task: Task, rows: list[ModelGradRow]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (row.node, row.type, _error(row.params_error), _error(row.input_error),
                     row.grade or "-", "ok" if row.ok else "FAILED")
            for column, text in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(text))
        failed = [row.node for row in rows if not row.ok]
        verdict = (f"Failed: {', '.join(failed)}." if failed
                   else f"All {len(rows) - 1} layers and the loss pass.")
        self.status.setText(f"Largest relative error per layer (tolerance {DEFAULT_TOLERANCE:g}), "
                            f"graded with CS231n's bands. {verdict}")

    @Slot(object, object)
    def _failed(self, _task: Task, error: BaseException) -> None:
        self.status.setText(f"The gradient check could not run: {error}")


def _error(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"
