"""Two or more kept runs side by side: their curves overlaid (one colour per run, drawn by
``desktop_app.run_plots`` as reports draw them) and the settings in which they differ."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ...project.run_store import KeptRun
from ...project.setting_keys import differing, format_value
from ...run_plots import PLOTS, draw, prepare
from ..training.plot_style import BACKGROUND, layout_widget


class RunComparison(QWidget):
    """Overlaid curves of the selected runs above a table of the settings that differ."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = layout_widget()
        self.canvas.setBackground(BACKGROUND)
        self.plots: dict[str, pg.PlotItem] = {}
        for key, _title in PLOTS:
            self.plots[key] = self.canvas.addPlot()
            prepare(self.plots[key], key)
        self.differences = QTableWidget(self)
        self.differences.setObjectName("run_differences")
        self.differences.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.differences.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.differences)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.runs: list[KeptRun] = []

    def show_runs(self, runs: Sequence[KeptRun]) -> None:
        """Draw ``runs`` (none: empty plots) and list the settings that differ between them."""
        self.runs = list(runs)
        for key, plot in self.plots.items():
            draw(plot, key, runs)
        self._fill_differences(runs)

    def _fill_differences(self, runs: Sequence[KeptRun]) -> None:
        table = self.differences
        names = differing([run.settings for run in runs]) if len(runs) > 1 else []
        table.clear()
        table.setRowCount(len(names))
        table.setColumnCount(len(runs))
        table.setHorizontalHeaderLabels([run.label for run in runs])
        table.setVerticalHeaderLabels(names)
        for row, name in enumerate(names):
            for column, run in enumerate(runs):
                table.setItem(row, column, QTableWidgetItem(format_value(run.settings.get(name))))

    def differing_settings(self) -> list[str]:
        """The names the table lists (for tests and reports)."""
        return [self.differences.verticalHeaderItem(row).text() for row in range(self.differences.rowCount())]

