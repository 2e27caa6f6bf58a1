"""Training > Check…: the sanity checks and the learning-rate range test, run in the background.

The dialog builds a fresh run of the project (the weights a new run would start from), then runs
the two sanity checks and the range test on background tasks, one after the other, showing each
result as it arrives; the window keeps working meanwhile. The checks train copies, so nothing of
the project or of a trained model changes until the user presses "Use this learning rate", one
undoable edit of the project. Closing the dialog stops the work still under way.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...engine.lr_range import STEPS, RangeTest
from ...project.checks import (
    SUGGESTION_RULE,
    SanityReport,
    initial_loss_line,
    overfit_line,
    range_summary,
    range_test,
    sanity_checks,
)
from ...project.run import Run
from ..background import Task
from .plot_style import TRAIN, VALIDATION, add_plot, key_title, layout_widget, pen

OK_MARK, FAIL_MARK = "✔", "✘"
BATCH_LOSS = QColor("#8c959f")  # each batch's loss: grey, under the smoothed curve


class _Progress(QObject):
    """Carries the sweep's progress from the background task to the dialog (queued)."""

    # (steps done, steps planned)
    stepped = Signal(int, int)


class CheckDialog(QDialog):
    """``build_run()`` makes the run to check (called on a background thread); ``use_rate(rate)``
    sets the project's learning rate."""

    def __init__(self, build_run: Callable[[], Run], use_rate: Callable[[float], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("check_dialog")
        self.setWindowTitle("Check Before Training")
        self._build_run, self._use_rate = build_run, use_rate
        self._cancel = threading.Event()
        self._tasks: set[Task] = set()
        self.result: RangeTest | None = None
        self.sanity: SanityReport | None = None
        self.initial_loss = QLabel("Loss at initialization: …", self)
        self.overfit = QLabel("Overfit one small batch: …", self)
        self.summary = QLabel("Learning-rate range test: waiting for the sanity checks…", self)
        for label in (self.initial_loss, self.overfit, self.summary):
            label.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, STEPS)
        self.canvas = layout_widget()
        self.canvas.setMinimumSize(560, 300)
        self.plot = add_plot(self.canvas.ci, "", "learning rate", "loss", series=False)
        keys = [("batch loss", BATCH_LOSS, False), ("smoothed", TRAIN, False),
                ("suggested", VALIDATION, True)]
        key_title(self.plot, "Learning-rate range test", keys)
        self.plot.setLogMode(x=True)
        self.use = QPushButton("Use this learning rate", self)
        self.use.setObjectName("use_learning_rate")
        self.use.setEnabled(False)
        self.use.clicked.connect(self._use_suggestion)
        self.again = QPushButton("Run Again", self)
        self.again.clicked.connect(self.start)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.use, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.again, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for widget in (self.initial_loss, self.overfit, self.summary, self.progress, self.canvas, buttons):
            layout.addWidget(widget)
        self._progress = _Progress(self)
        self._progress.stepped.connect(self._stepped)

    # --- the work ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Build the run and check it: sanity checks first, then the range test."""
        self._cancel = threading.Event()
        self.again.setEnabled(False)
        self.use.setEnabled(False)
        self.result = self.sanity = None
        self.plot.clear()
        self.progress.setValue(0)
        self.initial_loss.setText("Loss at initialization: building the network and loading the data…")
        self.overfit.setText("Overfit one small batch: …")
        self.summary.setText("Learning-rate range test: waiting for the sanity checks…")
        cancel = self._cancel

        def check() -> tuple[Run, SanityReport]:
            run = self._build_run()
            return run, sanity_checks(run, should_stop=cancel.is_set)

        self._run_task(check, self._sanity_done)

    def _run_task(self, call: Callable[[], object], done: Callable[[Task, object], None]) -> None:
        task = Task(call)
        task.finished.connect(done)
        task.failed.connect(self._failed)
        self._tasks.add(task)
        task.start()

    @Slot(object, object)
    def _sanity_done(self, task: Task, outcome: tuple[Run, SanityReport]) -> None:
        self._tasks.discard(task)
        run, self.sanity = outcome
        initial, overfit = self.sanity.initial_loss, self.sanity.overfit
        self.initial_loss.setText(_marked(initial.ok, initial_loss_line(initial)))
        self.overfit.setText(_marked(overfit.ok, overfit_line(overfit)))
        self.summary.setText("Learning-rate range test: sweeping the learning rate from 1e-7 to 10…")
        cancel, progress = self._cancel, self._progress

        def sweep() -> tuple[Run, RangeTest]:
            return run, range_test(run, on_step=progress.stepped.emit, should_stop=cancel.is_set)

        self._run_task(sweep, self._sweep_done)

    @Slot(int, int)
    def _stepped(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    @Slot(object, object)
    def _sweep_done(self, task: Task, outcome: tuple[Run, RangeTest]) -> None:
        self._tasks.discard(task)
        run, self.result = outcome
        self.progress.setValue(self.progress.maximum())
        self.again.setEnabled(True)
        self._draw(self.result)
        text = _capitalized(range_summary(self.result, run))
        if self.result.suggestion is None:
            self.summary.setText(f"{text}\nNo suggestion: the loss ran away after too few steps to read "
                                 "a curve from.")
            return
        self.summary.setText(f"{text}\nSuggested learning rate: {self.result.suggestion:.3g} "
                             f"({SUGGESTION_RULE}).")
        self.use.setText(f"Use this learning rate ({self.result.suggestion:.3g})")
        self.use.setEnabled(True)

    @Slot(object, object)
    def _failed(self, task: Task, error: BaseException) -> None:
        self._tasks.discard(task)
        self.summary.setText(f"The checks could not run: {error}")
        self.again.setEnabled(True)

    def _draw(self, test: RangeTest) -> None:
        self.plot.clear()
        if not len(test.rates):
            return
        self.plot.plot(test.rates, test.losses, pen=pen(BATCH_LOSS, 1.0))
        self.plot.plot(test.rates, test.smoothed, pen=pen(TRAIN))
        if test.suggestion is not None:
            marker = pg.InfiniteLine(pos=math.log10(test.suggestion), angle=90,
                                     pen=pen(VALIDATION, 2.0, True), label=f"suggested {test.suggestion:.3g}",
                                     labelOpts={"position": 0.92, "color": VALIDATION.name()})
            self.plot.addItem(marker)
        # the batch losses' lowest point, up to the smoothed curve's highest (where the sweep stopped)
        low, high = float(min(np.min(test.losses), np.min(test.smoothed))), float(np.max(test.smoothed))
        self.plot.setYRange(low - 0.05 * (high - low), high + 0.05 * (high - low), padding=0)

    def _use_suggestion(self) -> None:
        if self.result is not None and self.result.suggestion is not None:
            self._use_rate(float(f"{self.result.suggestion:.3g}"))
            self.use.setText(f"Learning rate set to {self.result.suggestion:.3g}")
            self.use.setEnabled(False)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._cancel.set()  # the tasks end at their next step; their results go nowhere
        super().closeEvent(event)


def _marked(ok: bool, line: str) -> str:
    return f"{OK_MARK if ok else FAIL_MARK} {_capitalized(line)}"


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
