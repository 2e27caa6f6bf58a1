"""One look for every training plot: white background, muted axes, fast long curves.

Redrawing an axis (ticks, labels) is the costliest part of a frame, all of it Python held against
the training thread (docs/gui.md has the figures). So plots do not auto-range each frame:
``keep_in_view`` moves a range only when the data leaves it or shrinks well inside it, and the
axes keep their cached drawing most frames. There is no grid: grid lines belong to the axes,
whose whole area a curve update would then repaint.
"""

from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsWidget

from ..canvas.style import MUTED_TEXT, TEXT
from .plot_canvas import PlotCanvas

BACKGROUND = "w"
TRAIN = QColor("#1f6feb")
VALIDATION = QColor("#e8590c")
BATCH = QColor(31, 111, 235, 70)  # per-batch values: the training colour, faint
DECADE_LABEL_PIXELS = 16  # the height a power-of-ten label needs on a log axis
TICK_PIXELS = 4  # tick marks, drawn outwards
AXIS_WIDTH = 68  # pixels for a series plot's left axis: its label and ticks like 0.0012


def layout_widget() -> PlotCanvas:
    widget = PlotCanvas()
    paints_nothing(widget.ci)
    widget.setBackground(BACKGROUND)
    widget.ci.setContentsMargins(4, 4, 4, 4)
    return widget


class Axis(pg.AxisItem):
    """pyqtgraph's axis with ticks outside the plot and labels kept within its length, so that
    its extent is its geometry: Qt's own ``boundingRect`` then serves, instead of pyqtgraph's
    Python one, which each frame's painting called a dozen times or more."""

    boundingRect = QGraphicsWidget.boundingRect  # noqa: N815 - Qt's C++ method, no Python call

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        # pyqtgraph's inner ticks reach into the data area (every frame of a curve there then
        # repaints the axis); labels crossing the axis's ends would reach past its geometry
        self.setStyle(tickLength=TICK_PIXELS, hideOverlappingLabels=True)


class DecadeAxis(Axis):
    """A log axis labelled at powers of ten only (as many as fit), with unlabelled ticks between.

    pyqtgraph labels every 1..9 multiple when the range has few whole decades, and on a short
    plot those labels are drawn over each other."""

    def logTickValues(self, minVal: float, maxVal: float, size: float, stdTicks: list) -> list:
        decades = [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)]
        fitting = max(1, int(size // DECADE_LABEL_PIXELS))
        step = math.ceil(len(decades) / fitting) if decades else 1
        minor = [v + math.log10(k) for v in range(math.floor(minVal), math.ceil(maxVal))
                 for k in range(2, 10) if minVal < v + math.log10(k) < maxVal]
        return [(float(step), decades[::step]), (None, minor)]

    def tickStrings(self, values: list, scale: float, spacing: float | None) -> list[str]:
        if spacing is None:
            return [""] * len(values)
        return super().tickStrings(values, scale, spacing)


def add_plot(layout: pg.GraphicsLayout, title: str, x_label: str, y_label: str,
             row: int | None = None, col: int | None = None, series: bool = True,
             log_y: bool = False) -> pg.PlotItem:
    """A styled plot. One for long ``series`` (drawn with ``LiveCurve``) leaves its ranges to
    ``keep_in_view``; other plots (histograms, images, scatters) auto-range. ``log_y``: a log y
    axis labelled at powers of ten."""
    axes = {"left": DecadeAxis("left") if log_y else Axis("left"), "bottom": Axis("bottom")}
    plot = layout.addPlot(row=row, col=col, axisItems=axes)
    for item in (plot, plot.vb, plot.vb.childGroup, plot.titleLabel):
        paints_nothing(item)
    if log_y:
        plot.setLogMode(y=True)
    plot.setTitle(title, color=TEXT.name(), size="10pt")
    if series:
        plot.disableAutoRange()
        # a fixed width: tick labels of another length must not re-lay out (and repaint) the plot
        plot.getAxis("left").setWidth(AXIS_WIDTH)
    for side, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        # drawn from a pixmap until its range changes, without running its Python paint
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        axis.enableAutoSIPrefix(False)
        axis.setTextPen(MUTED_TEXT)
        axis.setPen(MUTED_TEXT)
        axis.setLabel(label, color=MUTED_TEXT.name())
    return plot


def paints_nothing(item: QGraphicsItem) -> None:
    """Tell Qt that ``item`` draws nothing itself (its children may): a frame then skips its
    Python ``paint`` and ``boundingRect``, which pyqtgraph's containers define."""
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)


def key_title(plot: pg.PlotItem, title: str, keys: list[tuple[str, QColor, bool]]) -> None:
    """The title followed by a colour key, ``(label, colour, dashed)`` each: a legend drawn once
    above the plot instead of an item inside it that every frame would repaint."""
    spans = [f'<span style="color:{TEXT.name()}">{html.escape(title)}</span>']
    for label, color, dashed in keys:
        line = "┅" if dashed else "━"
        spans.append(f'<span style="color:{color.name()}">{line} {html.escape(label)}</span>')
    plot.setTitle("&nbsp;&nbsp;".join(spans), size="10pt")


def pen(color: QColor | str, width: float = 2.0, dashed: bool = False) -> pg.QtGui.QPen:
    style = pg.QtCore.Qt.PenStyle.DashLine if dashed else pg.QtCore.Qt.PenStyle.SolidLine
    return pg.mkPen(color, width=width, style=style)


def keep_in_view(plot: pg.PlotItem, axis: str, low: float, high: float, margin: float = 0.08) -> None:
    """Show ``[low, high]`` (plus ``margin`` of it each side) on ``axis`` ("x" or "y"), moving the
    range only when it must: when the data leaves it, or fills less than half of it. Log axes take
    data values (positive)."""
    log = plot.getAxis("bottom" if axis == "x" else "left").logMode
    if log:
        low, high = math.log10(max(low, 1e-30)), math.log10(max(high, 1e-30))
    if not (math.isfinite(low) and math.isfinite(high)):
        return
    index = 0 if axis == "x" else 1
    shown_low, shown_high = plot.viewRange()[index]
    span = high - low
    if low >= shown_low and high <= shown_high and span >= 0.5 * (shown_high - shown_low):
        return
    pad = margin * span if span > 0 else max(abs(high) * 0.1, 1e-3)
    if axis == "x":
        plot.setXRange(low - pad, high + pad, padding=0)
    else:
        plot.setYRange(low - pad, high + pad, padding=0)
