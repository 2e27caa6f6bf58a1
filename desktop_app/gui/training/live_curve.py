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

A frame of a growing curve converts only its new points to pixels, into a polygon kept from frame
to frame, and asks Qt for nothing it could remember instead (each Qt value object a call returns,
a ``QRectF`` for a size, lets the GIL go when it is freed: see ``peaks``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem

from .peaks import PeakColumns

TINY = 1e-12  # log axes cannot show zero or less: values are clipped to this
DOT_RADIUS = 2.5  # pixels


class CurveArea:
    """The data area of a plot: a plain Qt item that clips the curves to it, and its size in
    pixels, kept here when the view box resizes (the curves read it every frame).

    The view box need not clip then: to clip, Qt calls its ``shape`` and ``boundingRect``, which
    pyqtgraph defines in Python, on every frame."""

    def __init__(self, plot: pg.PlotItem) -> None:
        view = plot.vb
        self.item = QGraphicsRectItem(view.rect(), view)
        self.item.setPen(QPen(Qt.PenStyle.NoPen))
        self.item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        view.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, False)
        self.width, self.height = view.width(), view.height()
        self.curves: list[LiveCurve] = []
        self._view = view
        view.sigResized.connect(self._resized)

    def _resized(self) -> None:
        rect = self._view.rect()
        self.item.setRect(rect)
        self.width, self.height = rect.width(), rect.height()
        for curve in self.curves:
            curve.rebuild()


def curve_area(plot: pg.PlotItem) -> CurveArea:
    """``plot``'s curve area (made once)."""
    area = getattr(plot, "curve_area", None)
    if area is None:
        area = plot.curve_area = CurveArea(plot)
    return area


class _Line:
    """One series' item, with its points in pixels kept from frame to frame."""

    def __init__(self, item: QGraphicsPathItem) -> None:
        self.item = item
        self.polygon = QPolygonF()
        self.path = QPainterPath()

    def draw(self, count: int, kept: int, x: np.ndarray, y: np.ndarray, finite: bool) -> np.ndarray:
        """The line through ``count`` points in pixels, of which the first ``kept`` are as before
        and ``x``, ``y`` are the rest; the points are returned."""
        self.polygon.resize(count)
        # (no points: Qt's empty polygon has no memory, which NumPy sees as read-only)
        pixels = pg.functions.ndarray_from_qpolygonf(self.polygon) if count else np.empty((0, 2))
        pixels[kept:, 0] = x
        pixels[kept:, 1] = y
        if finite:
            self.path.clear()
            self.path.addPolygon(self.polygon)
            self.item.setPath(self.path)
        else:
            self.item.setPath(pg.arrayToQPath(pixels[:, 0], pixels[:, 1], connect="finite"))
        return pixels


class LiveCurve:
    """One series in ``plot``, or several over the same x (one colour each: ``y`` then has a column
    per colour, and one reduction serves them all); ``set_data`` replaces them (all of them, every
    frame if need be).

    ``width`` in pixels (0: the thinnest line, and the cheapest); ``dots`` (one series only): mark
    each point while the series has at most ``dots_up_to`` of them (dots of a long run would
    merge)."""

    def __init__(self, plot: pg.PlotItem, color: QColor | Sequence[QColor], width: float = 0.0,
                 dashed: bool = False, dots: bool = False, dots_up_to: int = 30) -> None:
        self.plot = plot
        self.area = curve_area(plot)
        colors = [color] if isinstance(color, QColor) else list(color)
        if dots and len(colors) != 1:
            raise ValueError("dots mark one series only")
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        self._lines = [_Line(_path_item(self.area, QPen(each, width, style, Qt.PenCapStyle.RoundCap,
                                                          Qt.PenJoinStyle.RoundJoin)))
                       for each in colors]
        self.item = self._lines[0].item
        self.dots = _path_item(self.area, QPen(Qt.PenStyle.NoPen), QBrush(colors[0])) if dots else None
        self.dots_up_to = dots_up_to
        self.finite = True
        self._x = self._y = np.empty(0)
        self._series: object | None = None
        self._peaks = PeakColumns()
        self._drawn: tuple[object, ...] | None = None  # the view the paths were built for
        self._pixels_for: tuple[object, ...] | None = None  # the view the lines' points are for
        self._dot_path = QPainterPath()
        self._y_axis = plot.getAxis("left")
        self.area.curves.append(self)
        plot.vb.sigRangeChanged.connect(self.rebuild)

    @property
    def color(self) -> QColor:
        return self.item.pen().color()

    @property
    def items(self) -> list[QGraphicsPathItem]:
        """A line item per series."""
        return [line.item for line in self._lines]

    @property
    def colors(self) -> list[QColor]:
        return [line.item.pen().color() for line in self._lines]

    def set_data(self, x: np.ndarray, y: np.ndarray, finite: bool, series: object | None = None) -> None:
        """``x`` ascending; ``y`` a value per x, or a row per x with a value per colour.
        ``finite``: every value is known finite, drawn as one line; otherwise non-finite values
        leave gaps (as pyqtgraph draws them). ``series``: set when this data is the last data
        given, grown at its end (see ``PeakColumns.reduce``)."""
        self._x, self._y, self._series = x, y, series
        self.finite = finite
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
        self.area.curves.remove(self)
        for item in [*self.items, self.dots]:
            if item is not None:
                item.setParentItem(None)
                if item.scene() is not None:
                    item.scene().removeItem(item)

    def rebuild(self) -> None:
        """The paths for the current view: when the data, the ranges, the plot's size or the log
        mode changed."""
        (left, right), (bottom, top) = self.plot.vb.viewRange()
        width, height = self.area.width, self.area.height
        log = self._y_axis.logMode
        drawn = (left, right, bottom, top, width, height, log)
        if drawn == self._drawn or right <= left or top <= bottom:
            return
        self._drawn = drawn
        x, y = self._peaks.reduce(self._x, self._y, left, right, max(1, int(width)), self._series)
        # the points converted before are still right if only new ones came, for the same view
        kept = self._peaks.unchanged if drawn == self._pixels_for else 0
        self._pixels_for = drawn
        new_y = y[kept:]
        if log:  # after the peaks: the logarithm keeps them peaks
            new_y = np.log10(np.maximum(new_y, TINY))  # NaN stays NaN: a gap
        # data to the view's pixels (y grows downwards there)
        new_x = (x[kept:] - left) * (width / (right - left))
        new_y = (top - new_y) * (height / (top - bottom))
        if new_y.ndim == 1:
            pixels = self._lines[0].draw(len(x), kept, new_x, new_y, self.finite)
        else:
            for column, line in enumerate(self._lines):
                line.draw(len(x), kept, new_x, new_y[:, column], self.finite)
        if self.dots is not None:
            self._dot_path.clear()
            if len(self._y) <= self.dots_up_to:
                _add_dots(self._dot_path, pixels)
            self.dots.setPath(self._dot_path)


def _path_item(area: CurveArea, pen: QPen, brush: QBrush | None = None) -> QGraphicsPathItem:
    """A path in the pixels of a plot's data area (clipped to it)."""
    item = QGraphicsPathItem(area.item)
    item.setPen(pen)
    if brush is not None:
        item.setBrush(brush)
    return item


def _add_dots(path: QPainterPath, pixels: np.ndarray) -> None:
    """A round dot at each finite point (by coordinates: a ``QPointF`` per dot would be freed
    with the GIL let go, once per dot)."""
    size = 2 * DOT_RADIUS
    for px, py in pixels[np.isfinite(pixels).all(axis=1)].tolist():
        path.addEllipse(px - DOT_RADIUS, py - DOT_RADIUS, size, size)
