"""The sweep dialog: values for a few settings, the configs trained one after another in the
background with their progress, the results sorted, the best settings applied (one undo step).

It goes through the same functions as ``backprop-studio sweep`` (``desktop_app.project.sweep``):
every config is checked before the first trains, trains from fresh weights and is kept as a run
of the project, so the Runs panel lists it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from threadpoolctl import threadpool_limits

from ...engine.callbacks import Callback, EpochEvent
from ...engine.control import TrainingControl
from ...project.document import Project
from ...project.setting_keys import apply_setting, flat_settings
from ...project.sweep import (
    Config,
    SweepError,
    best_row,
    check_configs,
    configs,
    describe,
    parse_axis,
    result_row,
    train_config,
)
from ...registry import Registry
from ..training.worker import blas_threads
from .panel import SortableItem

SUGGESTED = ("training.optimizer.learning_rate", "training.batch_size", "training.optimizer")


class SweepWorker(QObject):
    """Trains the configs on its own thread; every outcome is a queued signal."""

    # (config index, epoch, epochs) as each epoch of a config ends
    epoch_done = Signal(int, int, int)
    # (config index, its results row) once a config's run is kept
    config_done = Signal(int, object)
    # the sweep ended (all configs, or stopped): how many were trained
    finished = Signal(int)
    # a config could not be trained: the message
    failed = Signal(str)

    def __init__(self, projects: list[Project], sweep: list[Config], registry: Registry,
                 control: TrainingControl, root: Path) -> None:
        super().__init__()
        self.projects, self.sweep, self.registry, self.control = projects, sweep, registry, control
        self.root = root

    @Slot()
    def run(self) -> None:
        with threadpool_limits(limits=blas_threads(), user_api="blas"):  # a core left to draw on
            self._train_all()

    def _train_all(self) -> None:
        done = 0
        try:
            for index, (config, project) in enumerate(zip(self.sweep, self.projects, strict=True)):
                run = train_config(project, self.registry, control=self.control,
                                   callbacks=[_EpochSignal(self.epoch_done, index)], root=self.root)
                self.config_done.emit(index, result_row(config, run))
                done += 1
                if self.control.stop_requested:
                    break
        except Exception as error:  # shown in the dialog; the window stays usable
            self.failed.emit(f"{describe(self.sweep[done])}: {error}")
        self.finished.emit(done)


class _EpochSignal(Callback):
    def __init__(self, signal: Signal, index: int) -> None:
        self.signal, self.index = signal, index

    def on_epoch_end(self, event: EpochEvent) -> None:
        self.signal.emit(self.index, event.epoch, event.epochs)


class SweepDialog(QDialog):
    """Choose settings and values, run the sweep, sort the results, apply the best config."""

    # a config's run was kept (the Runs panel reads the list again)
    run_kept = Signal()

    def __init__(self, project: Callable[[], Project], registry: Registry,
                 apply: Callable[[Config], None], home: Callable[[], Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep")
        self.setObjectName("sweep_dialog")
        self._project, self.registry, self._apply, self._home = project, registry, apply, home
        self.control = TrainingControl()
        self._thread: QThread | None = None
        self._worker: SweepWorker | None = None
        self.rows: list[dict[str, Any]] = []
        self.sweep: list[Config] = []
        self._failure: str | None = None
        self._build()
        self.add_axis(SUGGESTED[0])

    # --- building ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.axes = QTableWidget(0, 2, self)
        self.axes.setObjectName("sweep_axes")
        self.axes.setHorizontalHeaderLabels(["Setting", "Values (comma-separated)"])
        self.axes.horizontalHeader().setStretchLastSection(True)
        self.axes.setColumnWidth(0, 280)
        add, remove = QPushButton("Add Setting", self), QPushButton("Remove Setting", self)
        add.clicked.connect(lambda: self.add_axis(""))
        remove.clicked.connect(lambda: self.axes.removeRow(max(0, self.axes.currentRow())))
        self.random = QSpinBox(self)
        self.random.setRange(0, 64)
        self.random.setSpecialValueText("all (grid)")
        self.random.setToolTip("Train this many configs drawn at random from the grid (0: every config)")
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(self._project().training.epochs)
        self.start_button, self.stop_button = QPushButton("Run Sweep", self), QPushButton("Stop", self)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.control.stop)
        self.stop_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.results = QTableWidget(0, 0, self)
        self.results.setObjectName("sweep_results")
        self.results.setSortingEnabled(True)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.apply_best = QPushButton("Apply Best Settings", self)
        self.apply_best.setToolTip("Set the project's settings to the best config's (one undo step)")
        self.apply_best.clicked.connect(self.apply_best_config)
        self.apply_best.setEnabled(False)
        for button in (add, remove, self.start_button, self.stop_button, self.apply_best):
            button.setAutoDefault(False)  # Enter ends editing a value; it must not press a button
        form = QFormLayout()
        form.addRow("Configs:", self.random)
        form.addRow("Epochs per config:", self.epochs)
        axis_buttons, run_buttons = QHBoxLayout(), QHBoxLayout()
        for button in (add, remove):
            axis_buttons.addWidget(button)
        axis_buttons.addStretch(1)
        for button in (self.start_button, self.stop_button, self.apply_best):
            run_buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.axes)
        layout.addLayout(axis_buttons)
        layout.addLayout(form)
        layout.addLayout(run_buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self.resize(760, 560)

    def add_axis(self, name: str, values: str = "") -> None:
        """A row choosing a setting (any of the project's, or typed) and its values."""
        row = self.axes.rowCount()
        self.axes.insertRow(row)
        chooser = QComboBox(self.axes)
        chooser.setEditable(True)
        chooser.addItems(list(flat_settings(self._project().to_json())))
        chooser.setCurrentText(name)
        self.axes.setCellWidget(row, 0, chooser)
        self.axes.setItem(row, 1, QTableWidgetItem(values))

    def axis_texts(self) -> list[str]:
        """``name=values`` of every row with both."""
        texts = []
        for row in range(self.axes.rowCount()):
            name = self.axes.cellWidget(row, 0).currentText().strip()
            item = self.axes.item(row, 1)
            values = item.text().strip() if item is not None else ""
            if name or values:
                texts.append(f"{name}={values}")
        return texts

    # --- running ------------------------------------------------------------------------------------------
    def start(self) -> bool:
        """Check every config, then train them on a background thread; False (said why) if refused."""
        if self._thread is not None:
            return False
        project = self._project()
        project.training.epochs = self.epochs.value()
        try:
            sweep = configs([parse_axis(text) for text in self.axis_texts()], self.random.value() or None)
            projects = check_configs(project, self.registry, sweep)
        except SweepError as error:
            self.status.setText(str(error))
            return False
        if not sweep:
            self.status.setText("Add a setting and its values first.")
            return False
        self.sweep, self.rows, self._failure = sweep, [], None
        self.results.setRowCount(0)
        self.control.reset()
        self.progress.setRange(0, len(sweep) * project.training.epochs)
        self.progress.setValue(0)
        self.status.setText(f"Training {len(sweep)} configs…")
        worker = SweepWorker(projects, sweep, self.registry, self.control, self._home())
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.epoch_done.connect(self._epoch_done)
        worker.config_done.connect(self._config_done)
        worker.failed.connect(self._failed)
        worker.finished.connect(self._finished)
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread, self._worker = thread, worker
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        thread.start()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _epoch_done(self, index: int, epoch: int, epochs: int) -> None:
        self.progress.setValue(index * epochs + epoch)
        self.status.setText(f"Config {index + 1}/{len(self.sweep)}: {describe(self.sweep[index])}, "
                            f"epoch {epoch}/{epochs}")

    def _failed(self, text: str) -> None:
        self._failure = text

    def _config_done(self, _index: int, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self._show_results()
        self.run_kept.emit()

    def _finished(self, done: int) -> None:
        if self._thread is not None:
            self._thread.wait()
        self._thread = self._worker = None
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        trained = f"Trained {done} of {len(self.sweep)} configs; each is kept in the Runs panel."
        self.status.setText(f"{self._failure} ({trained})" if self._failure else trained)
        self.apply_best.setEnabled(self.best() is not None)

    def _show_results(self) -> None:
        columns = list(self.rows[0])
        table = self.results
        table.setSortingEnabled(False)
        table.setColumnCount(len(columns))
        table.setHorizontalHeaderLabels(columns)
        table.setRowCount(len(self.rows))
        for row, values in enumerate(self.rows):
            for column, name in enumerate(columns):
                value = values[name]
                item = SortableItem(f"{value:.4g}" if isinstance(value, float) else str(value))
                item.setData(Qt.ItemDataRole.UserRole + 1, value if value != "" else None)
                table.setItem(row, column, item)
        table.setSortingEnabled(True)
        table.resizeColumnsToContents()

    # --- applying -------------------------------------------------------------------------------------------
    def best(self) -> dict[str, Any] | None:
        """The best row (by the runs' best metric and its direction)."""
        if not self.rows:
            return None
        metric = str(self.rows[0]["best_metric"])
        kind = self.registry.metrics.get(metric.removeprefix("val_"))
        higher = not metric.endswith("loss") and bool(kind is None or kind.higher_is_better)
        return best_row(self.rows, higher)

    def apply_best_config(self) -> bool:
        row = self.best()
        if row is None:
            return False
        config = {name: row[name] for name in self.sweep[0]}
        self._apply(config)
        self.status.setText(f"Applied {describe(config)} to the project (Undo reverts it).")
        return True

    def stop_and_wait(self) -> None:
        """Stop the sweep after the current batch and wait for its thread (the window closes)."""
        if self._thread is not None:
            self.control.stop()
            self._thread.wait()


def config_edit(config: Config) -> Callable[[dict[str, Any]], None]:
    """The document edit that sets a config's values."""

    def change(data: dict[str, Any]) -> None:
        for name, value in config.items():
            apply_setting(data, name, value)

    return change
