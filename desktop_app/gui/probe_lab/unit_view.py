"""One unit of a Dense layer: its incoming weights (a picture when it reads the input's pixels),
its output across the validation samples, and the edits: zero the unit, scale its layer."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .heatmap import diverging_image, value_grid

HISTOGRAM_BINS = 30
PICTURE_SIDE = 160  # pixels of a weight picture's longer side
ZERO_TIP = "Set the unit's incoming weights and bias to 0: it then outputs 0 (undoable)"
SCALE_TIP = "Multiply every weight and bias of the unit's layer by the factor (undoable)"


class UnitView(QWidget):
    """Shows what ``show_unit`` is given; ``weights`` keeps the array on show."""

    # edit requests for the unit on show
    zero_requested = Signal()
    scale_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weights: np.ndarray | None = None
        self.unit: tuple[str, int] | None = None
        self.title = QLabel("Click a unit of a Dense layer in the Activations tab.", self)
        self.title.setObjectName("unit_title")
        self.title.setWordWrap(True)
        self.picture = QLabel(self)
        self.picture.setObjectName("unit_weights")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(PICTURE_SIDE, 60)
        self.histogram = pg.PlotWidget(self, background="w")
        self.histogram.setMenuEnabled(False)
        self.histogram.setMouseEnabled(False, False)
        self.histogram.setLabel("bottom", "the unit's output on the validation samples")
        self.histogram.setLabel("left", "samples")
        self.bars = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=pg.mkBrush("#8c959f"),
                                    pen=pg.mkPen("#57606a"))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#1f6feb", width=2))
        self.histogram.addItem(self.bars)
        self.histogram.addItem(self.marker)
        self.histogram.hide()  # until a unit is chosen: an empty plot would show a made-up axis
        self.marker.hide()
        self.zero = QPushButton("Zero This Unit", self)
        self.zero.setObjectName("unit_zero")
        self.zero.setToolTip(ZERO_TIP)
        self.factor = QDoubleSpinBox(self)
        self.factor.setObjectName("unit_scale_factor")
        self.factor.setRange(-10.0, 10.0)
        self.factor.setSingleStep(0.1)
        self.factor.setValue(0.5)
        self.scale = QPushButton("Scale Layer", self)
        self.scale.setObjectName("unit_scale")
        self.scale.setToolTip(SCALE_TIP)
        self.accuracy = QLabel(self)
        self.accuracy.setObjectName("unit_accuracy")
        self.accuracy.setWordWrap(True)
        self.zero.clicked.connect(self.zero_requested)
        self.scale.clicked.connect(lambda: self.scale_requested.emit(self.factor.value()))
        edits = QHBoxLayout()
        edits.addWidget(self.zero)
        edits.addStretch(1)
        edits.addWidget(QLabel("Factor", self))
        edits.addWidget(self.factor)
        edits.addWidget(self.scale)
        views = QHBoxLayout()
        views.addWidget(self.picture)
        views.addWidget(self.histogram, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(views, 1)
        layout.addLayout(edits)
        layout.addWidget(self.accuracy)
        self.set_editable(False, "")

    def show_unit(self, node: str, unit: int, weights: np.ndarray, layout: tuple[int, int, int] | None,
                  outputs: np.ndarray, current: float | None) -> None:
        """``weights``: the unit's kernel column; ``layout``: (C, H, W) when they are pixels;
        ``outputs``: the unit's output per validation sample; ``current``: for the probed input."""
        self.unit, self.weights = (node, unit), weights
        shape = "picture of its input pixels" if layout else f"{len(weights)} incoming weights"
        said = f", unit {unit}: {shape} (blue < 0 < red); largest |w| {float(np.abs(weights).max()):.3g}"
        self.title.setText(f"<b>{html.escape(node)}</b>{html.escape(said)}")  # rich text: '<' escaped
        grid = value_grid(weights.reshape(layout) if layout else weights)
        cell = max(1, PICTURE_SIDE // max(grid.shape))
        image = diverging_image(grid).scaled(grid.shape[1] * cell, grid.shape[0] * cell)
        self.picture.setPixmap(QPixmap.fromImage(image))
        finite = outputs[np.isfinite(outputs)]
        counts, edges = np.histogram(finite if finite.size else np.zeros(1), bins=HISTOGRAM_BINS)
        self.bars.setData(edges, counts)
        self.histogram.show()
        self.marker.setVisible(current is not None)
        if current is not None:
            self.marker.setValue(current)

    def mark(self, current: float) -> None:
        """The probed input's output of the unit, marked on the histogram."""
        self.marker.setValue(current)
        self.marker.setVisible(True)

    def set_editable(self, editable: bool, why_not: str) -> None:
        for widget, tip in ((self.zero, ZERO_TIP), (self.factor, ""), (self.scale, SCALE_TIP)):
            widget.setEnabled(editable and self.unit is not None)
            widget.setToolTip(tip if editable else why_not)

    def clear(self) -> None:
        self.unit = self.weights = None
        self.title.setText("Click a unit of a Dense layer in the Activations tab.")
        self.picture.clear()
        self.bars.setData([], [])
        self.histogram.hide()
        self.marker.setVisible(False)
        self.accuracy.clear()
