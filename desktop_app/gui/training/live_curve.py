"""A curve that Qt paints without calling back into Python.

pyqtgraph's curves paint from Python: each frame their ``paint`` and ``boundingRect`` run on the
GUI thread holding the GIL, and the training thread waits for it meanwhile. This curve is a plain
``QGraphicsPathItem`` inside a pyqtgraph plot (its axes, ranges and layout stay pyqtgraph's): its
path is built once per update with NumPy (the part in view, then one min/max pair per pixel
column, pyqtgraph's "peak" downsampling) and Qt's C++ paints it as often as it likes. Curves over
the same x (``Abscissa``: every per-batch series) work out their pixel columns once per view. Per-epoch
curves add a dot per epoch while there are few (a single epoch is a point, which a line does not
show); the dots are a second path of zero-length segments, drawn round by a wide round-capped pen.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

TINY = 1e-12  # log axes cannot show zero or less: values are clipped to this
DOT_PIXELS = 5.0


class LiveCurve:
    """One series in ``plot``; ``set_data`` replaces it (all of it, every frame if need be).

    ``width`` in pixels (0: the thinnest line, and the cheapest); ``dots``: mark each point while
    the series has at most ``dots_up_to`` of them (dots of a long run would merge)."""

    def __init__(self, plot: pg.PlotItem, color: QColor, width: float = 0.0, dashed: bool = False,
                 dots: bool = False, dots_up_to: int = 30) -> None:
        self.plot = plot
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        self.item = _path_item(plot, _pen(color, width, style))
        self.dots = _path_item(plot, _pen(color, DOT_PIXELS, Qt.PenStyle.SolidLine)) if dots else None
        self.dots_up_to = dots_up_to
        self.connect = "all"
        self._x, self._y = Abscissa(np.empty(0)), np.empty(0)
        plot.vb.sigRangeChanged.connect(self.rebuild)
        plot.vb.sigResized.connect(self.rebuild)

    @property
    def color(self) -> QColor:
        return self.item.pen().color()

    def set_data(self, x: np.ndarray | Abscissa, y: np.ndarray, finite: bool) -> None:
        """``x`` ascending (an ``Abscissa`` when other curves share it). ``finite``: every value is
        known finite, drawn as one line; otherwise non-finite values leave gaps (as pyqtgraph
        draws them)."""
        self._x = x if isinstance(x, Abscissa) else Abscissa(x)
        self._y = y
        self.connect = "all" if finite else "finite"
        self.rebuild()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 - pyqtgraph's name for it
        """The whole series as given (not the downsampled path)."""
        return self._x.values, self._y

    @property
    def shows_dots(self) -> bool:
        return self.dots is not None and not self.dots.path().isEmpty()

    def remove(self) -> None:
        self.plot.vb.sigRangeChanged.disconnect(self.rebuild)
        self.plot.vb.sigResized.disconnect(self.rebuild)
        for item in (self.item, self.dots):
            if item is not None:
                self.plot.removeItem(item)

    def rebuild(self) -> None:
        """The paths for the current view: when the data, the range or the plot's size changed."""
        view = self.plot.vb
        (low, high), _ = view.viewRange()
        columns = self._x.columns(low, high, max(1, int(view.width())))
        x, y = columns.peaks(self._y[columns.shown])
        connect = self.connect
        if self.plot.getAxis("left").logMode:  # after the peaks: the logarithm keeps them peaks
            y = np.log10(np.maximum(y, TINY))  # NaN stays NaN: a gap
            connect = "finite"
        self.item.setPath(pg.arrayToQPath(x, y, connect=connect) if len(x) else QPainterPath())
        if self.dots is not None:
            self.dots.setPath(_dots(x, y) if len(self._y) <= self.dots_up_to else QPainterPath())


class Columns:
    """Which points of an x series are in view, and the pixel column each falls in."""

    def __init__(self, x: np.ndarray, low: float, high: float, columns: int) -> None:
        # the points with low <= x <= high, and one more each side (lines run to the edges)
        start = max(int(np.searchsorted(x, low, side="left")) - 1, 0)
        stop = int(np.searchsorted(x, high, side="right")) + 1
        self.shown = slice(start, stop)
        x = x[self.shown]
        self.x = x
        self.starts: np.ndarray | None = None  # each column's first point; None: no downsampling
        if len(x) > 2 * columns and high > low:
            column = np.clip(((x - low) * (columns / (high - low))).astype(np.int64), -1, columns)
            self.starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
            self.x = np.repeat(x[self.starts], 2)

    def peaks(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``y`` (the shown points) reduced to its lowest and highest value in each column: the
        line covers the same pixels as the full series. Non-finite values are skipped within a
        column; a column of only non-finite values stays a gap."""
        if self.starts is None:
            return self.x, y
        with np.errstate(invalid="ignore"):
            lows = np.fmin.reduceat(y, self.starts)
            highs = np.fmax.reduceat(y, self.starts)
        return self.x, np.column_stack([lows, highs]).ravel()


class Abscissa:
    """x values shared by several curves: their ``Columns`` are worked out once per view."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self._view: tuple[float, float, int] | None = None
        self._columns: Columns | None = None

    def columns(self, low: float, high: float, columns: int) -> Columns:
        if self._view != (low, high, columns):
            self._columns = Columns(self.values, low, high, columns)
            self._view = (low, high, columns)
        return self._columns


def _pen(color: QColor, width: float, style: Qt.PenStyle) -> QPen:
    """A pen ``width`` pixels wide whatever the view's scale."""
    pen = QPen(color, width, style, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    pen.setCosmetic(True)
    return pen


def _path_item(plot: pg.PlotItem, pen: QPen) -> QGraphicsPathItem:
    item = QGraphicsPathItem()
    item.setPen(pen)
    plot.addItem(item)
    return item


def _dots(x: np.ndarray, y: np.ndarray) -> QPainterPath:
    """A next-to-zero-length segment at each finite point: a round dot under a round-capped pen
    (Qt drops a segment of length zero)."""
    path = QPainterPath()
    for px, py in zip(x.tolist(), y.tolist(), strict=True):
        if np.isfinite(px) and np.isfinite(py):
            path.moveTo(px, py)
            path.lineTo(px + max(abs(px), 1.0) * 1e-9, py)
    return path
