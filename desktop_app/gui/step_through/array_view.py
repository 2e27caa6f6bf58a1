"""One array of the step-through: its label, shape and statistics, and a picture that fits its shape.

Image-shaped arrays (batch, channels, height, width) show their first sample (or filter) as one
tile per channel; short vectors as bars; 2-D arrays, samples × features for a batch, as a heatmap;
anything larger as a histogram of its values. Colours are diverging and centred on zero (white),
so a sign reads at a glance. A click on a cell of a tile, bar or heatmap reports its index.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QVBoxLayout, QWidget

from ..training import plot_style
from .index_axis import IndexAxis

MAX_BARS = 64  # a vector up to this long is drawn as bars
MAX_HEATMAP_SIDE = 256  # a 2-D array up to this many rows and columns is drawn as a heatmap
MAX_TILES = 16  # channels shown as tiles
HISTOGRAM_BINS = 40
TILE_GAP = 1.0
PLOT_HEIGHT = 150
TILES_HEIGHT = 220
NO_BREAK = "\u00a0"
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [QColor("#2166ac"), QColor("#ffffff"), QColor("#b2182b")])


def view_kind(shape: tuple[int, ...]) -> str:
    """"tiles", "bars", "heatmap" or "histogram": how an array of ``shape`` is drawn."""
    size = int(np.prod(shape))
    if len(shape) in (3, 4):
        return "tiles"
    if len(shape) <= 1:
        return "bars" if size <= MAX_BARS else "histogram"
    if len(shape) == 2 and max(shape) <= MAX_HEATMAP_SIDE:
        return "heatmap"
    return "histogram"


def statistics(array: np.ndarray) -> str:
    values = np.asarray(array, dtype=np.float64)
    if values.size == 0:
        return f"shape {array.shape}, empty"
    figures = {"mean": values.mean(), "std": values.std(), "min": values.min(), "max": values.max(),
               "‖·‖": np.linalg.norm(values)}
    # + 0.0 turns -0.0 into 0: a ReLU's output read "min -0"
    fields = [("shape", array.shape), *((name, f"{value + 0.0:.4g}") for name, value in figures.items())]
    # a line wraps between fields, never between a name and its value (no-break spaces)
    return "   ".join(f"{name} {value}".replace(" ", NO_BREAK) for name, value in fields)


class ArrayView(QWidget):
    """Shows ``array``; ``drawn`` holds what the picture was made of (tests compare it)."""

    # the index (into ``array``) of the cell clicked
    cell_clicked = Signal(tuple)

    def __init__(self, label: str, array: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.array = array
        self.kind = view_kind(array.shape)
        self.title = QLabel(f"<b>{label}</b>", self)
        self.stats = QLabel(statistics(array) + _tiles_note(array, self.kind), self)
        self.stats.setStyleSheet("color: #57606a")
        self.stats.setWordWrap(True)
        self.canvas = plot_style.layout_widget()
        self.canvas.setFixedHeight(PLOT_HEIGHT)
        self.plot = self.canvas.ci.addPlot(axisItems=_index_axes(self.kind))
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.stats)
        layout.addWidget(self.canvas)
        self.drawn: list[np.ndarray] = []
        self.marked: QGraphicsRectItem | None = None
        getattr(self, f"_draw_{self.kind}")()
        self.canvas.scene().sigMouseClicked.connect(self._clicked)

    # --- drawing ----------------------------------------------------------------------------------
    def _limit(self) -> float:
        """The |value| drawn at full colour: the 99th percentile, so that a few outliers (a
        standardized pixel that is nearly constant) do not wash the rest out to white."""
        finite = np.abs(self.array[np.isfinite(self.array)]).astype(np.float64)
        if not finite.size or not finite.max() > 0:
            return 1.0
        return float(np.percentile(finite, 99)) or float(finite.max())

    def _image(self, cells: np.ndarray, rect: QRectF) -> None:
        """``cells`` (rows × columns) drawn in ``rect``, row 0 at the top."""
        item = pg.ImageItem(np.asarray(cells, dtype=np.float64).T, axisOrder="col-major")
        item.setColorMap(DIVERGING)
        limit = self._limit()
        item.setLevels((-limit, limit))
        item.setRect(rect)
        self.plot.addItem(item)
        self.drawn.append(cells)

    def _draw_heatmap(self) -> None:
        rows, columns = self.array.shape
        self.plot.invertY(True)
        self._image(self.array, QRectF(0, 0, columns, rows))
        self.plot.setLabel("left", "row")
        self.plot.setLabel("bottom", "column")

    def _draw_tiles(self) -> None:
        channels = self._channels()[:MAX_TILES]
        height, width = channels.shape[1:]
        self.canvas.setFixedHeight(TILES_HEIGHT)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        for index, channel in enumerate(channels):
            x, y = self._tile_origin(index)
            self._image(channel, QRectF(x, y, width, height))
        self.plot.getAxis("bottom").hide()
        self.plot.getAxis("left").hide()

    def _tile_columns(self) -> int:
        """Tiles per row: a grid about as wide as the plot (some 2.5 times its height)."""
        shown = min(self._channels().shape[0], MAX_TILES)
        return max(1, min(shown, math.ceil(math.sqrt(shown * 2.5))))

    def _tile_origin(self, index: int) -> tuple[float, float]:
        height, width = self._channels().shape[1:]
        row, column = divmod(index, self._tile_columns())
        return column * (width + TILE_GAP), row * (height + TILE_GAP)

    def _by_item(self) -> bool:
        """Tiles of a one-channel 4-D array are its first items (samples, filters), not channels."""
        return self.array.ndim == 4 and self.array.shape[1] == 1

    def _channels(self) -> np.ndarray:
        """The (tiles, height, width) block tiles show: the first item's channels, the first items
        of a one-channel array, or a 3-D array's own channels."""
        if self.array.ndim == 3:
            return self.array
        return self.array[:, 0] if self._by_item() else self.array[0]

    def _full_index(self, tile: int, row: int, column: int) -> tuple[int, ...]:
        if self.array.ndim == 3:
            return (tile, row, column)
        return (tile, 0, row, column) if self._by_item() else (0, tile, row, column)

    def _draw_bars(self) -> None:
        values = np.atleast_1d(np.asarray(self.array, dtype=np.float64))
        shades = np.clip(0.5 + 0.5 * values / self._limit(), 0.0, 1.0)
        colors = [DIVERGING.map(shade, mode="qcolor") for shade in shades]
        self.plot.addItem(pg.BarGraphItem(x=np.arange(len(values)), height=values, width=0.8,
                                          brushes=colors, pen=pg.mkPen("#8a94a3", width=0.5)))
        self.drawn.append(values)

    def _draw_histogram(self) -> None:
        values = np.asarray(self.array, dtype=np.float64).ravel()
        counts, edges = np.histogram(values[np.isfinite(values)], bins=HISTOGRAM_BINS)
        self.plot.addItem(pg.PlotDataItem(edges, counts, stepMode="center", fillLevel=0,
                                          brush=pg.mkBrush("#1f6feb66"), pen=pg.mkPen("#1f6feb")))
        self.plot.setLabel("bottom", "value")
        self.plot.setLabel("left", "count")
        self.drawn.append(counts)

    # --- clicks -----------------------------------------------------------------------------------
    def index_at(self, point: QPointF) -> tuple[int, ...] | None:
        """The index of the array cell drawn at ``point`` (plot coordinates), None between cells."""
        x, y = point.x(), point.y()
        if self.kind == "bars":
            column = round(x)
            return (column,) if 0 <= column < self.array.size and abs(x - column) <= 0.4 else None
        if self.kind == "heatmap":
            row, column = int(np.floor(y)), int(np.floor(x))
            rows, columns = self.array.shape
            return (row, column) if 0 <= row < rows and 0 <= column < columns else None
        if self.kind == "tiles":
            height, width = self._channels().shape[1:]
            tile_column, x_offset = divmod(x, width + TILE_GAP)
            tile_row, y_offset = divmod(y, height + TILE_GAP)
            channel = int(tile_row) * self._tile_columns() + int(tile_column)
            shown = min(self._channels().shape[0], MAX_TILES)
            inside = 0 <= tile_column < self._tile_columns() and x_offset < width and y_offset < height
            if not (inside and 0 <= channel < shown):
                return None
            return self._full_index(channel, int(y_offset), int(x_offset))
        return None

    def point_of(self, index: tuple[int, ...]) -> QPointF:
        """The centre of cell ``index`` in plot coordinates (the inverse of ``index_at``)."""
        if self.kind == "bars":
            return QPointF(index[0], 0.5 * float(self.array.ravel()[index[0]]))
        if self.kind == "heatmap":
            return QPointF(index[1] + 0.5, index[0] + 0.5)
        row, column = index[-2:]
        tile = index[0] if self.array.ndim == 3 or self._by_item() else index[1]
        x, y = self._tile_origin(tile)
        return QPointF(x + column + 0.5, y + row + 0.5)

    def mark(self, index: tuple[int, ...]) -> None:
        """Outline cell ``index`` (the one being checked)."""
        if self.marked is not None:
            self.plot.removeItem(self.marked)
        centre = self.point_of(index)
        height = 2 * centre.y() if self.kind == "bars" else 1.0  # a bar: its whole length
        self.marked = QGraphicsRectItem(QRectF(centre.x() - 0.5, centre.y() - height / 2, 1.0, height))
        pen = QPen(QColor("#1f2328"), 2)
        pen.setCosmetic(True)
        self.marked.setPen(pen)
        self.plot.addItem(self.marked, ignoreBounds=True)  # the outline must not rescale the plot

    def _clicked(self, event) -> None:
        if not self.plot.vb.sceneBoundingRect().contains(event.scenePos()):
            return
        index = self.index_at(self.plot.vb.mapSceneToView(event.scenePos()))
        if index is not None:
            self.cell_clicked.emit(index)


def _index_axes(kind: str) -> dict[str, IndexAxis]:
    """Whole-index axes: a heatmap's rows and columns (cells from i to i + 1), a bar chart's bars."""
    if kind == "heatmap":
        return {"bottom": IndexAxis("bottom", centre=0.5), "left": IndexAxis("left", centre=0.5)}
    if kind == "bars":
        return {"bottom": IndexAxis("bottom", centre=0.0)}
    return {}


def _tiles_note(array: np.ndarray, kind: str) -> str:
    """What the tiles of a 4-D array are, said under its statistics."""
    if kind != "tiles" or array.ndim != 4:
        return ""
    count = min(array.shape[1 if array.shape[1] > 1 else 0], MAX_TILES)
    return (f"   (tiles: the first {count} items)" if array.shape[1] == 1
            else f"   (tiles: item 0's first {count} channels)")
