"""One look for every training plot: white background, muted axes, light grid, fast long curves."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor

from ..canvas.style import MUTED_TEXT, TEXT

BACKGROUND = "w"
TRAIN = QColor("#1f6feb")
VALIDATION = QColor("#e8590c")
BATCH = QColor(31, 111, 235, 70)  # per-batch values: the training colour, faint


def layout_widget() -> pg.GraphicsLayoutWidget:
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground(BACKGROUND)
    widget.ci.setContentsMargins(4, 4, 4, 4)
    return widget


def add_plot(layout: pg.GraphicsLayout, title: str, x_label: str, y_label: str,
             row: int | None = None, col: int | None = None, legend: bool = False,
             series: bool = True) -> pg.PlotItem:
    """A styled plot; one for long ``series`` stays smooth with peak downsampling and clip-to-view
    (not for step histograms, whose edges clipping would cut out of step with their counts)."""
    plot = layout.addPlot(row=row, col=col)
    plot.setTitle(title, color=TEXT.name(), size="10pt")
    if series:
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
    plot.showGrid(x=True, y=True, alpha=0.15)
    for side, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        axis.setTextPen(MUTED_TEXT)
        axis.setPen(MUTED_TEXT)
        axis.setLabel(label, color=MUTED_TEXT.name())
    if legend:
        plot.addLegend(offset=(-8, 8), labelTextColor=TEXT, brush=pg.mkBrush(255, 255, 255, 200))
    return plot


def pen(color: QColor | str, width: float = 2.0, dashed: bool = False) -> pg.QtGui.QPen:
    style = pg.QtCore.Qt.PenStyle.DashLine if dashed else pg.QtCore.Qt.PenStyle.SolidLine
    return pg.mkPen(color, width=width, style=style)
