"""The data tab: what the model makes of the data, redrawn from each snapshot as training goes.

A classifier on 2-D data shows its decision boundary under the samples (a cell's colour is the
predicted class, fainter where the model is less sure); a regression on 1-D data shows its fitted
curve over the samples; any classifier shows its confusion matrix on the validation samples.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from ..dataset_preview import _class_color
from . import plot_style
from .bridge import RunStarted
from .probes import Boundary, DataPoints
from .record import TrainingRecord

MAX_LABELLED_CLASSES = 12  # confusion cells show their count up to this many classes
CONFUSION_COLOR = QColor("#1f6feb")


class DataPanel(QStackedWidget):
    """Builds its plots for the kind of run (boundary, curve, confusion) and updates them in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drawn_version = -1
        self.graphics = plot_style.layout_widget()
        self.empty = QLabel("Train a classifier, or a regression on 1-D data, to see what the model "
                            "makes of the data here.", self)
        self.empty.setWordWrap(True)
        self.empty.setMargin(16)
        self.addWidget(self.empty)
        self.addWidget(self.graphics)
        self.boundary_image: pg.ImageItem | None = None
        self.curve: pg.PlotDataItem | None = None
        self.confusion_image: pg.ImageItem | None = None
        self.confusion_texts: list[pg.TextItem] = []
        self._built_for: RunStarted | None = None

    def redraw(self, record: TrainingRecord) -> None:
        started = record.started
        if started is not self._built_for:
            self._build(started, record.points)
            self._built_for = started
        snapshot = record.snapshot
        if snapshot is None or started is None:
            return
        if self.boundary_image is not None and snapshot.boundary is not None:
            _show_boundary(self.boundary_image, snapshot.boundary, len(started.class_names))
        if self.curve is not None and snapshot.curve is not None:
            self.curve.setData(*snapshot.curve)
        if self.confusion_image is not None and snapshot.confusion is not None:
            self._show_confusion(snapshot.confusion)

    def _build(self, started: RunStarted | None, points: DataPoints | None) -> None:
        self.graphics.ci.clear()
        self.boundary_image = self.curve = self.confusion_image = None
        self.confusion_texts = []
        if started is None or not (started.has_boundary or started.has_curve or started.class_names):
            self.setCurrentWidget(self.empty)
            return
        grid = self.graphics.ci
        if started.has_boundary and points is not None:
            plot = plot_style.add_plot(grid, "Decision boundary", "x1", "x2", 0, 0, series=False)
            self.boundary_image = pg.ImageItem()
            plot.addItem(self.boundary_image)
            brushes = [pg.mkBrush(_class_color(int(label))) for label in points.y]
            plot.addItem(pg.ScatterPlotItem(points.x[:, 0], points.x[:, 1], size=6, brush=brushes,
                                            pen=pg.mkPen("w", width=0.8)))
        elif started.has_curve and points is not None:
            plot = plot_style.add_plot(grid, "Fitted curve", "x", "y", 0, 0, series=False)
            data_color = plot_style.TRAIN.lighter(150)
            plot_style.key_title(plot, "Fitted curve", [("data", data_color, False),
                                                        ("model", plot_style.VALIDATION, False)])
            plot.addItem(pg.ScatterPlotItem(points.x[:, 0], points.y[:, 0], size=5, pen=None,
                                            brush=pg.mkBrush(data_color)))
            self.curve = plot.plot(pen=plot_style.pen(plot_style.VALIDATION, 2.5))
        if started.class_names:
            self._build_confusion(grid, started)
        self.setCurrentWidget(self.graphics)

    def _build_confusion(self, grid: pg.GraphicsLayout, started: RunStarted) -> None:
        names = started.class_names
        plot = plot_style.add_plot(grid, f"Confusion matrix ({started.confusion_set})", "predicted", "true",
                                   0, 1, series=False)
        plot.invertY(True)
        plot.setMouseEnabled(False, False)
        ticks = [[(index + 0.5, name) for index, name in enumerate(names)]]
        plot.getAxis("bottom").setTicks(ticks)
        plot.getAxis("left").setTicks(ticks)
        self.confusion_image = pg.ImageItem()
        plot.addItem(self.confusion_image)
        if len(names) <= MAX_LABELLED_CLASSES:
            for true in range(len(names)):
                for predicted in range(len(names)):
                    text = pg.TextItem("", anchor=(0.5, 0.5))
                    text.setPos(predicted + 0.5, true + 0.5)
                    plot.addItem(text)
                    self.confusion_texts.append(text)
        plot.setRange(xRange=(0, len(names)), yRange=(0, len(names)), padding=0)

    def _show_confusion(self, counts: np.ndarray) -> None:
        totals = counts.sum(axis=1, keepdims=True)
        share = counts / np.maximum(totals, 1)
        color = np.array([CONFUSION_COLOR.red(), CONFUSION_COLOR.green(), CONFUSION_COLOR.blue()])
        self.confusion_image.setImage(_tint(color, share).transpose(1, 0, 2), autoLevels=False)
        for text, count, fraction in zip(self.confusion_texts, counts.ravel(), share.ravel(), strict=False):
            text.setText(str(int(count)))
            text.setColor("#ffffff" if fraction > 0.55 else "#1f2328")


def _tint(rgb: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """An RGB image from white (strength 0) to the colour ``rgb`` (strength 1), pixel by pixel."""
    return (255.0 - (255.0 - rgb) * strength[..., None]).astype(np.uint8)


def _show_boundary(image: pg.ImageItem, boundary: Boundary, classes: int) -> None:
    colors = np.array([[c.red(), c.green(), c.blue()] for c in map(_class_color, range(classes))])
    chance = 1.0 / classes
    sure = np.clip((boundary.confidence - chance) / (1.0 - chance), 0.0, 1.0)
    image.setImage(_tint(colors[boundary.classes], 0.12 + 0.4 * sure).transpose(1, 0, 2), autoLevels=False)
    (x0, x1), (y0, y1) = boundary.x_range, boundary.y_range
    image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
