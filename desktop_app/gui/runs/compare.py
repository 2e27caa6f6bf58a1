"""Two or more kept runs side by side: their curves overlaid (one colour per run) and the
settings in which they differ.

Loss, the runs' metric and each layer's gradient norm are drawn per epoch from the runs' files;
in the gradient-norm plot the colour is the run and the line style the layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ...project.run_store import KeptRun
from ...project.setting_keys import differing
from ..training.plot_style import BACKGROUND, layout_widget

LAYER_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)
PLOTS = (("loss", "Loss"), ("metric", "Metric"), ("gradient_norm", "Gradient norm per layer"))


def run_colors(count: int) -> list[QColor]:
    """One distinct colour per run, in selection order."""
    return [pg.intColor(index, hues=max(count, 6), values=1, maxValue=200) for index in range(count)]


def metric_name(runs: Sequence[KeptRun]) -> str:
    """The metric the runs are compared on: the first run's best-value metric, or the loss."""
    for run in runs:
        if run.best:
            return str(run.best["name"])
    return "loss"


class RunComparison(QWidget):
    """Overlaid curves of the selected runs above a table of the settings that differ."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = layout_widget()
        self.canvas.setBackground(BACKGROUND)
        self.plots: dict[str, pg.PlotItem] = {}
        for key, title in PLOTS:
            plot = self.canvas.addPlot(title=title)
            plot.addLegend(offset=(-4, 4))
            plot.setLabel("bottom", "epoch")
            self.plots[key] = plot
        self.plots["gradient_norm"].setLogMode(y=True)
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
        for plot in self.plots.values():
            plot.clear()
            plot.legend.clear()
        metric = metric_name(runs)
        self.plots["metric"].setTitle(metric)
        for run, color in zip(runs, run_colors(len(runs)), strict=True):
            self._draw(run, color, metric)
        self._fill_differences(runs)

    def _draw(self, run: KeptRun, color: QColor, metric: str) -> None:
        history = run.history()
        epochs = history.get("epoch", [])
        for key, name in (("loss", "loss"), ("metric", metric)):
            if name in history:
                self.plots[key].plot(epochs, history[name], pen=pg.mkPen(color, width=2), name=run.label)
        norms = run.gradient_norms()
        layers = [name for name in norms if name != "epoch"]
        for index, layer in enumerate(layers):
            pen = pg.mkPen(color, width=1.5, style=LAYER_STYLES[index % len(LAYER_STYLES)])
            self.plots["gradient_norm"].plot(norms["epoch"], norms[layer], pen=pen,
                                             name=f"{run.label}: {layer}")

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
                table.setItem(row, column, QTableWidgetItem(_text(run.settings.get(name))))

    def differing_settings(self) -> list[str]:
        """The names the table lists (for tests and reports)."""
        return [self.differences.verticalHeaderItem(row).text() for row in range(self.differences.rowCount())]


def _text(value: Any) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
