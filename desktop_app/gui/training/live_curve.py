"""A curve that Qt paints without calling back into Python.

pyqtgraph's curves paint from Python: each frame their ``paint`` and ``boundingRect`` run on the
GUI thread holding the GIL, and the training thread waits for it meanwhile. This curve is a plain
``QGraphicsPathItem`` inside a pyqtgraph plot (its axes, ranges and layout stay pyqtgraph's): its
path is built with NumPy whenever the data or the view changes (the part in view as one min/max
pair per pixel column, ``PeakColumns``), in the plot's pixels, and Qt's C++ paints it as often as
it likes. In pixels, a line two pixels wide is two pixels wide in its bounding rectangle too (a
pen in data units would be stretched by the view's scale), so a new frame of the curve repaints
the plot's data area and no more. Per-epoch curves add a dot per epoch while there are few (a
single epoch is a point, which a line alone does not show).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem

from .peaks import PeakColumns

TINY = 1e-12  # log axes cannot show zero or less: values are clipped to this
DOT_RADIUS = 2.5  # pixels


class LiveCurve:
    """One series in ``plot``; ``set_data`` replaces it (all of it, every frame if need be).

    ``width`` in pixels (0: the thinnest line, and the cheapest); ``dots``: mark each point while
    the series has at most ``dots_up_to`` of them (dots of a long run would merge)."""

    def __init__(self, plot: pg.PlotItem, color: QColor, width: float = 0.0, dashed: bool = False,
                 dots: bool = False, dots_up_to: int = 30) -> None:
        self.plot = plot
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        self.item = _path_item(plot, QPen(color, width, style, Qt.PenCapStyle.RoundCap,
                                          Qt.PenJoinStyle.RoundJoin))
        self.dots = _path_item(plot, QPen(Qt.PenStyle.NoPen), QBrush(color)) if dots else None
        self.dots_up_to = dots_up_to
        self.connect = "all"
        self._x = self._y = np.empty(0)
        self._series: object | None = None
        self._peaks = PeakColumns()
        self._drawn: tuple[object, ...] | None = None  # the view the paths were built for
        plot.vb.sigRangeChanged.connect(self.rebuild)
        plot.vb.sigResized.connect(self.rebuild)

    @property
    def color(self) -> QColor:
        return self.item.pen().color()

    def set_data(self, x: np.ndarray, y: np.ndarray, finite: bool, series: object | None = None) -> None:
        """``x`` ascending. ``finite``: every value is known finite, drawn as one line; otherwise
        non-finite values leave gaps (as pyqtgraph draws them). ``series``: set when this data is
        the last data given, grown at its end (see ``PeakColumns.reduce``)."""
        self._x, self._y, self._series = x, y, series
        self.connect = "all" if finite else "finite"
        self._drawn = None
        self.rebuild()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 - pyqtgraph's name for it
        """The whole series as given (not the downsampled path)."""
        return self._x, self._y

    @property
    def shows_dots(self) -> bool:
        return self.dots is not None and not self.dots.path().isEmpty()

    def remove(self) -> None:
        self.plot.vb.sigRangeChanged.disconnect(self.rebuild)
        self.plot.vb.sigResized.disconnect(self.rebuild)
        for item in (self.item, self.dots):
            if item is not None:
                item.setParentItem(None)
                if item.scene() is not None:
                    item.scene().removeItem(item)

    def rebuild(self) -> None:
        """The paths for the current view: when the data, the ranges, the plot's size or the log
        mode changed."""
        view = self.plot.vb
        (left, right), (bottom, top) = view.viewRange()
        width, height = view.width(), view.height()
        log = self.plot.getAxis("left").logMode
        drawn = (left, right, bottom, top, width, height, log)
        if drawn == self._drawn or right <= left or top <= bottom:
            return
        self._drawn = drawn
        area = self.item.parentItem()
        if area.rect().size() != view.rect().size():
            area.setRect(view.rect())
        x, y = self._peaks.reduce(self._x, self._y, left, right, max(1, int(width)), self._series)
        connect = self.connect
        if log:  # after the peaks: the logarithm keeps them peaks
            y = np.log10(np.maximum(y, TINY))  # NaN stays NaN: a gap
            connect = "finite"
        # data to the view's pixels (y grows downwards there)
        x = (x - left) * (width / (right - left))
        y = (top - y) * (height / (top - bottom))
        self.item.setPath(pg.arrayToQPath(x, y, connect=connect) if len(x) else QPainterPath())
        if self.dots is not None:
            self.dots.setPath(_dots(x, y) if len(self._y) <= self.dots_up_to else QPainterPath())


def curve_area(plot: pg.PlotItem) -> QGraphicsRectItem:
    """The data area of ``plot``, as a plain Qt item that clips the curves to it (made once).

    The view box need not clip then: to clip, Qt calls its ``shape`` and ``boundingRect``, which
    pyqtgraph defines in Python, on every frame."""
    area = getattr(plot, "curve_area", None)
    if area is None:
        view = plot.vb
        area = QGraphicsRectItem(view.rect(), view)
        area.setPen(QPen(Qt.PenStyle.NoPen))
        area.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        view.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, False)
        plot.curve_area = area  # its curves keep it the view box's size (``LiveCurve.rebuild``)
    return area


def _path_item(plot: pg.PlotItem, pen: QPen, brush: QBrush | None = None) -> QGraphicsPathItem:
    """A path in the pixels of ``plot``'s data area (clipped to it)."""
    item = QGraphicsPathItem(curve_area(plot))
    item.setPen(pen)
    if brush is not None:
        item.setBrush(brush)
    return item


def _dots(x: np.ndarray, y: np.ndarray) -> QPainterPath:
    """A round dot at each finite point."""
    path = QPainterPath()
    for px, py in zip(x.tolist(), y.tolist(), strict=True):
        if np.isfinite(px) and np.isfinite(py):
            path.addEllipse(QPointF(px, py), DOT_RADIUS, DOT_RADIUS)
    return path
