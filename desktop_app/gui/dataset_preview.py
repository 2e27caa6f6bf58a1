"""A look at a dataset: a scatter for 2-D (or 1-D regression) data, an image grid for images,
a table otherwise."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QStackedWidget, QTableWidget, QTableWidgetItem, QWidget

from ..data.dataset import Dataset
from ..data.images import image_layout
from .canvas.style import ACCENTS

MAX_POINTS = 2000
GRID_COLUMNS = 8
GRID_ROWS = 4
TILE = 40
TABLE_ROWS = 100


def preview_kind(dataset: Dataset) -> str:
    """``scatter``, ``images`` or ``table``: what suits the dataset's sample shape."""
    shape = dataset.sample_shape
    if shape == (2,) or (shape == (1,) and dataset.task == "regression"):
        return "scatter"
    if image_shape(dataset) is not None:
        return "images"
    return "table"


def image_shape(dataset: Dataset) -> tuple[int, int] | None:
    """(H, W) when samples are images (see ``image_layout``)."""
    layout = image_layout(dataset.sample_shape, dataset.feature_names)
    return None if layout is None else layout[1:]


class DatasetPreview(QStackedWidget):
    """Switches between the three views; ``kind`` says which one shows the current dataset."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setObjectName("preview_scatter")
        self.plot.setMinimumHeight(220)
        self.images = QLabel(self)
        self.images.setObjectName("preview_images")
        self.images.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table = QTableWidget(self)
        self.table.setObjectName("preview_table")
        self.empty = QLabel("No dataset loaded.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.empty, self.plot, self.images, self.table):
            self.addWidget(widget)

    def clear(self) -> None:
        self.kind = ""
        self.setCurrentWidget(self.empty)

    def show_dataset(self, dataset: Dataset) -> None:
        self.kind = preview_kind(dataset)
        if self.kind == "scatter":
            self._show_scatter(dataset)
        elif self.kind == "images":
            self._show_images(dataset)
        else:
            self._show_table(dataset)

    def _show_scatter(self, dataset: Dataset) -> None:
        self.plot.clear()
        step = max(1, len(dataset) // MAX_POINTS)
        x, y = dataset.x[::step], dataset.y[::step]
        if dataset.sample_shape == (1,):
            points, brushes = np.column_stack([x[:, 0], y[:, 0]]), [pg.mkBrush(ACCENTS[0])] * len(x)
        else:
            points = x
            brushes = [pg.mkBrush(_class_color(int(label))) for label in y] if dataset.class_names \
                else [pg.mkBrush(ACCENTS[0])] * len(x)
        scatter = pg.ScatterPlotItem(points[:, 0], points[:, 1], size=5, pen=None, brush=brushes)
        self.plot.addItem(scatter)
        names = dataset.feature_names or ("x1", "x2")
        self.plot.setLabel("bottom", names[0])
        self.plot.setLabel("left", "target" if dataset.sample_shape == (1,) else names[-1])
        self.setCurrentWidget(self.plot)

    def _show_images(self, dataset: Dataset) -> None:
        height, width = image_shape(dataset)
        count = min(len(dataset), GRID_COLUMNS * GRID_ROWS)
        canvas = QPixmap(GRID_COLUMNS * TILE, GRID_ROWS * (TILE + 14))
        canvas.fill(QColor("#ffffff"))
        painter = QPainter(canvas)
        for index in range(count):
            tile = _to_image(dataset.x[index], height, width)
            column, row = index % GRID_COLUMNS, index // GRID_COLUMNS
            target = QRectF(column * TILE + 2, row * (TILE + 14) + 2, TILE - 4, TILE - 4)
            painter.drawImage(target, tile)
            label = dataset.class_names[int(dataset.y[index])] if dataset.class_names else ""
            painter.drawText(QRectF(column * TILE, row * (TILE + 14) + TILE - 2, TILE, 14),
                             Qt.AlignmentFlag.AlignCenter, label)
        painter.end()
        self.images.setPixmap(canvas)
        self.setCurrentWidget(self.images)

    def _show_table(self, dataset: Dataset) -> None:
        rows = min(len(dataset), TABLE_ROWS)
        flat = dataset.x[:rows].reshape(rows, -1)
        names = list(dataset.feature_names) or [f"x{i}" for i in range(flat.shape[1])]
        targets = dataset.y[:rows].reshape(rows, -1)
        self.table.clear()
        self.table.setRowCount(rows)
        self.table.setColumnCount(flat.shape[1] + targets.shape[1])
        self.table.setHorizontalHeaderLabels(names + ["target"] * targets.shape[1])
        for row in range(rows):
            for column, value in enumerate(flat[row]):
                self.table.setItem(row, column, QTableWidgetItem(f"{value:.4g}"))
            for offset, value in enumerate(targets[row]):
                text = dataset.class_names[int(value)] if dataset.class_names else f"{value:.4g}"
                self.table.setItem(row, flat.shape[1] + offset, QTableWidgetItem(text))
        self.setCurrentWidget(self.table)


def _class_color(label: int) -> QColor:
    return QColor(ACCENTS[label % len(ACCENTS)])


def _to_image(sample: np.ndarray, height: int, width: int) -> QImage:
    """A grey (or RGB, channels first) image of one sample, contrast-stretched to 0..255 (in
    float64: the span of pixels near float32's limit, ±3.4e38, does not fit float32)."""
    pixels = np.asarray(sample, dtype=np.float64)
    channels = 3 if pixels.size == 3 * height * width else 1
    pixels = pixels.reshape(channels, height, width)
    low, high = float(pixels.min()), float(pixels.max())
    scaled = ((pixels - low) / (high - low) * 255.0) if high > low else np.zeros_like(pixels)
    scaled = scaled.astype(np.uint8)
    if channels == 3:
        rgb = np.ascontiguousarray(np.transpose(scaled, (1, 2, 0)))
        return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    grey = np.ascontiguousarray(255 - scaled[0])
    return QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
