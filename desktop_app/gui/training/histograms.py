"""The layers tab: a histogram of each layer's weights and of its latest gradients, side by side."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from . import plot_style
from .curves import LayerColors
from .probes import Histogram
from .record import TrainingRecord

ROW_HEIGHT = 130  # pixels per layer; more layers scroll


class HistogramsPanel(QWidget):
    """One row per layer with parameters: weights on the left, gradients on the right."""

    def __init__(self, layer_colors: LayerColors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer_colors = layer_colors
        self.drawn_version = -1
        self.graphics = plot_style.layout_widget()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.graphics)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        # layer -> (weights bars, gradients bars)
        self.bars: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}

    def redraw(self, record: TrainingRecord) -> None:
        if tuple(self.bars) != record.layers:
            self._make_rows(record.layers)
        snapshot = record.snapshot
        if snapshot is None:
            return
        for name, (weights, gradients) in self.bars.items():
            _show(weights, snapshot.weights.get(name))
            _show(gradients, snapshot.gradients.get(name))

    def _make_rows(self, layers: tuple[str, ...]) -> None:
        self.graphics.ci.clear()
        self.graphics.setMinimumHeight(ROW_HEIGHT * len(layers))
        colors = self.layer_colors(layers)
        self.bars = {}
        for row, name in enumerate(layers):
            color = colors[name]
            fill = pg.mkBrush(color.red(), color.green(), color.blue(), 110)
            pair = []
            for col, what in enumerate(("weights", "gradients")):
                plot = plot_style.add_plot(self.graphics.ci, f"{name} · {what}", what, "count", row, col,
                                           series=False)
                pair.append(plot.plot(stepMode="center", fillLevel=0, brush=fill,
                                      pen=plot_style.pen(color, 1)))
            self.bars[name] = (pair[0], pair[1])


def _show(item: pg.PlotDataItem, histogram: Histogram | None) -> None:
    if histogram is not None:
        item.setData(histogram.edges, histogram.counts)
