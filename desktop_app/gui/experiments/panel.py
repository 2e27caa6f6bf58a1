"""The Runs panel: the project's kept runs in a sortable table, the actions on them, and the
comparison of the selected ones.

Selecting runs overlays their curves below the table (``RunComparison``). Rename and note edit
``notes.json`` only; delete asks first. A folder that is not a readable run is one row marked
broken (its reason in the tooltip), which can only be deleted. Using a run's weights, restoring
its project and writing a report are requests the panel signals
(``desktop_app.gui.experiments.ui`` carries them out).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...project.run_store import KeptRun
from .compare import RunComparison

RUN_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Name", "Started", "Duration", "Status", "Epochs", "Best", "Optimizer", "Learning rate",
           "Batch size", "Note")
BROKEN_COLOUR = QColor("#c0392b")


class RunsPanel(QWidget):
    """The runs table, its buttons and the comparison; ``show_runs`` fills it."""

    # the user asked for these runs' actions (the KeptRun, or the list of them for a report)
    use_weights_requested = Signal(object)
    restore_requested = Signal(object)
    rename_requested = Signal(object)
    note_requested = Signal(object)
    delete_requested = Signal(object)
    report_requested = Signal(object)
    sweep_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.place = QLabel(self)
        self.place.setObjectName("runs_place")
        self.place.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.place.setMinimumWidth(1)  # a long folder path must not widen the panel
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("runs_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("Started"), Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        # the columns scroll: the table's width is the splitter's to share, not its contents'
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.comparison = RunComparison(self)
        self.buttons = {name: QPushButton(text, self) for name, text in (
            ("use", "Use Weights"), ("restore", "Restore Project"), ("rename", "Rename…"),
            ("note", "Note…"), ("delete", "Delete…"), ("report", "Report…"), ("sweep", "Sweep…"))}
        self.buttons["use"].setToolTip("Load this run's weights: predict, export or train on from them")
        self.buttons["restore"].setToolTip("Make the project's network and settings this run's (undoable)")
        self.buttons["report"].setToolTip("Write the selected runs as one HTML page")
        self.buttons["sweep"].setToolTip("Train the project with several values of a few settings")
        rows = QGridLayout()
        for index, name in enumerate(("use", "restore", "report", "sweep", "rename", "note", "delete")):
            rows.addWidget(self.buttons[name], index // 4, index % 4)
        runs = QWidget(self)
        runs_layout = QVBoxLayout(runs)
        runs_layout.setContentsMargins(0, 0, 0, 0)
        runs_layout.addWidget(self.place)
        runs_layout.addWidget(self.table)
        runs_layout.addLayout(rows)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(runs)
        splitter.addWidget(self.comparison)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._sized = False
        self._connect()
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """At the first show, half the width each (the splitter would give the plots most of it)."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            half = max(1, self.splitter.width() // 2)
            self.splitter.setSizes([half, half])

    def _connect(self) -> None:
        self.table.itemSelectionChanged.connect(self._selection_changed)
        one = {"use": self.use_weights_requested, "restore": self.restore_requested,
               "rename": self.rename_requested, "note": self.note_requested}
        for name, signal in one.items():
            self.buttons[name].clicked.connect(
                lambda _=False, signal=signal: signal.emit(self.selected_runs()[0]))
        self.buttons["delete"].clicked.connect(lambda: self.delete_requested.emit(self.selected_runs()))
        self.buttons["report"].clicked.connect(lambda: self.report_requested.emit(self._readable()))
        self.buttons["sweep"].clicked.connect(self.sweep_requested)

    def show_runs(self, runs: Sequence[KeptRun], place: str) -> None:
        """List ``runs`` (the selection is kept by run folder) under the line ``place``."""
        selected = {run.folder for run in self.selected_runs()}
        self.place.setText(place)
        self.place.setToolTip(place)
        table = self.table
        table.setSortingEnabled(False)
        table.clearContents()
        table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            for column, (text, key) in enumerate(cells(run)):
                item = SortableItem(text)
                item.setData(SORT_ROLE, key)
                item.setData(RUN_ROLE, run)
                item.setToolTip(run.problem or str(run.folder))
                if run.broken:
                    item.setForeground(QBrush(BROKEN_COLOUR))
                table.setItem(row, column, item)
        table.setSortingEnabled(True)
        table.blockSignals(True)
        for row in range(table.rowCount()):
            if table.item(row, 0).data(RUN_ROLE).folder in selected:
                table.selectRow(row)
        table.blockSignals(False)
        self._selection_changed()

    def selected_runs(self) -> list[KeptRun]:
        """The selected runs, oldest first (whatever the table's order: their colours stay put)."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        runs = [self.table.item(row, 0).data(RUN_ROLE) for row in rows]
        return sorted(runs, key=lambda run: (str(run.manifest.get("started", "")), run.id))

    def select(self, runs: Sequence[KeptRun]) -> None:
        """Select these runs (by folder), only them."""
        folders = {run.folder for run in runs}
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(RUN_ROLE).folder in folders:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def _readable(self) -> list[KeptRun]:
        """The selected runs that are not broken (those have nothing to compare or report)."""
        return [run for run in self.selected_runs() if not run.broken]

    def _selection_changed(self) -> None:
        self.comparison.show_runs(self._readable())
        self._update_buttons()

    def _update_buttons(self) -> None:
        runs = self.selected_runs()
        one = len(runs) == 1 and not runs[0].broken
        for name in ("restore", "rename", "note"):
            self.buttons[name].setEnabled(one)
        self.buttons["use"].setEnabled(one and runs[0].weights_path is not None)
        self.buttons["delete"].setEnabled(bool(runs))
        self.buttons["report"].setEnabled(bool(self._readable()))


class SortableItem(QTableWidgetItem):
    """A cell that sorts by its SORT_ROLE value (numbers as numbers; cells without one last)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None:
            return (mine is None, self.text()) < (theirs is None, other.text())
        return mine < theirs


def cells(run: KeptRun) -> list[tuple[str, Any]]:
    """Each column's text and the value it sorts by (None: no value, sorted last)."""
    if run.broken:
        return [(run.label, run.label.lower()), ("", None), ("", None), (run.status, run.status),
                *[("", None)] * (len(COLUMNS) - 4)]
    manifest, settings, best = run.manifest, run.settings, run.best
    seconds = manifest.get("seconds")
    rate = settings.get("training.optimizer.learning_rate")
    return [
        (run.label, run.label.lower()),
        (_local_time(manifest.get("started")), str(manifest.get("started", ""))),
        ("" if seconds is None else f"{seconds:.1f} s", seconds),
        (run.status, run.status),
        (str(manifest.get("epochs_completed", "")), manifest.get("epochs_completed")),
        (f"{best['name']} {best['value']:.4g}" if best else "", best["value"] if best else None),
        (str(settings.get("training.optimizer", "")), str(settings.get("training.optimizer", ""))),
        ("" if rate is None else f"{rate:g}", rate),
        (str(settings.get("training.batch_size", "")), settings.get("training.batch_size")),
        (run.notes.get("note", ""), run.notes.get("note", "")),
    ]


def _local_time(stamp: Any) -> str:
    try:
        return datetime.fromisoformat(str(stamp)).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return str(stamp or "")
