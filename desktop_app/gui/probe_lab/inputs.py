"""The probed input: a drawing (image datasets), a point of the plane under the decision boundary
(2-D classifiers), or a sample of the dataset, validation or training."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...data.images import image_layout
from ...project.run import Run
from ..dataset_preview import _class_color, _to_image
from ..training.data_views import _show_boundary
from ..training.probes import DATA, Probes
from .board import DrawingBoard

DRAW, VALIDATION, TRAINING = "Drawing board", "Validation sample", "Training sample"
PLANE = "Point on the plane"
PREVIEW_SIDE = 192


class InputPanel(QWidget):
    """``kind`` chooses the input; ``changed`` whenever the input on show changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run: Run | None = None
        self._plane_point = np.zeros(2)
        self._value_range = (0.0, 1.0)
        self.kind = QComboBox(self)
        self.kind.setObjectName("probe_input_kind")
        self.sample = QSpinBox(self)
        self.sample.setObjectName("probe_sample")
        self.board = DrawingBoard(8, 8, self)
        self.board_panel = self._board_panel()
        self.plane = pg.PlotWidget(self, background="w")
        self.plane.setObjectName("probe_plane")
        self.plane.setMenuEnabled(False)
        self.plane_image = pg.ImageItem()
        self.plane_points = pg.ScatterPlotItem(size=5, pen=pg.mkPen("w", width=0.6))
        self.plane_marker = pg.ScatterPlotItem(size=14, symbol="+", pen=pg.mkPen("#1f2328", width=2.5))
        for item in (self.plane_image, self.plane_points, self.plane_marker):
            self.plane.addItem(item)
        self.sample_view = QLabel(self)
        self.sample_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sample_view.setWordWrap(True)
        self.pages = QStackedWidget(self)
        for widget in (self.board_panel, self.plane, self.sample_view):
            self.pages.addWidget(widget)
        choose = QHBoxLayout()
        choose.addWidget(self.kind, 1)
        choose.addWidget(self.sample)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choose)
        layout.addWidget(self.pages, 1)
        self.kind.currentTextChanged.connect(lambda _kind: self._kind_changed())
        self.sample.valueChanged.connect(lambda _value: self._sample_changed())
        self.board.changed.connect(self._drawn)
        self.plane.scene().sigMouseClicked.connect(self._plane_clicked)

    def _board_panel(self) -> QWidget:
        panel = QWidget(self)
        self.pen, self.eraser = QToolButton(panel), QToolButton(panel)
        self.pen.setText("Pen")
        self.eraser.setText("Eraser")
        tools = QButtonGroup(panel)
        for button in (self.pen, self.eraser):
            button.setCheckable(True)
            tools.addButton(button)
        self.pen.setChecked(True)
        self.blur = QPushButton("Blur", panel)
        self.clear = QPushButton("Clear", panel)
        self.from_sample = QPushButton("From Sample", panel)
        self.from_sample.setToolTip("Put the chosen sample on the board, to draw over it")
        self.pen.toggled.connect(lambda on: setattr(self.board, "erasing", not on))
        self.blur.clicked.connect(self.board.blur)
        self.clear.clicked.connect(self.board.clear)
        self.from_sample.clicked.connect(self._sample_to_board)
        row = QHBoxLayout()
        for widget in (self.pen, self.eraser, self.blur, self.clear, self.from_sample):
            row.addWidget(widget)
        row.addStretch(1)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.board, 1)
        return panel

    # --- following the model ---------------------------------------------------------------------------
    def follow(self, run: Run, rebuild: bool) -> None:
        """Inputs for ``run``'s model and data; ``rebuild``: another network or dataset than before."""
        self.run = run
        dataset = run.data.dataset
        if rebuild:
            layout = image_layout(dataset.sample_shape, dataset.feature_names)
            has_plane = dataset.sample_shape == (2,) and bool(dataset.class_names)
            # the most direct input first: a drawing of an image, a point of the plane
            kinds = [DRAW] if layout is not None and layout[0] == 1 else []
            kinds += [PLANE] if has_plane else []
            kinds += [VALIDATION] if len(run.data.val_indices) else []
            kinds += [TRAINING]
            if layout is not None and layout[1:] != self.board.ink.shape:
                self.board.resize_grid(layout[1], layout[2])
            self._value_range = (float(dataset.x.min()), float(dataset.x.max()))
            current = self.kind.currentText()
            self.kind.blockSignals(True)
            self.kind.clear()
            self.kind.addItems(kinds)
            self.kind.setCurrentText(current if current in kinds else kinds[0])
            self.kind.blockSignals(False)
            if has_plane:
                self._plane_point = dataset.x.mean(axis=0)
            self._show_page()
            if self.indices(self.kind.currentText()) is not None:
                self._show_sample()
        if self.kind.findText(PLANE) >= 0:
            self._draw_plane()

    def indices(self, kind: str) -> np.ndarray | None:
        """The dataset rows a sample kind picks from (None for a drawing or a point)."""
        if self.run is None or kind not in (VALIDATION, TRAINING):
            return None
        return self.run.data.val_indices if kind == VALIDATION else self.run.data.train_indices

    def current_input(self) -> tuple[np.ndarray, str]:
        """The input on show as one unscaled sample (1, *sample_shape), and what it is."""
        dataset = self.run.data.dataset
        kind = self.kind.currentText()
        if kind == DRAW:
            low, high = self._value_range
            drawn = low + self.board.ink * (high - low)
            return drawn.reshape(1, *dataset.sample_shape).astype(dataset.x.dtype), "the drawing"
        if kind == PLANE:
            return self._plane_point.reshape(1, 2).astype(dataset.x.dtype), "the point on the plane"
        index = int(self.indices(kind)[self.sample.value()])
        return dataset.x[index:index + 1], f"{kind.lower()} {self.sample.value()}"

    def choose_sample(self, kind: str, position: int) -> None:
        """Show sample ``position`` of the ``kind`` samples (a click on the point map)."""
        self.kind.blockSignals(True)
        self.kind.setCurrentText(kind)
        self.kind.blockSignals(False)
        self._show_page()
        self.sample.blockSignals(True)
        self.sample.setValue(position)
        self.sample.blockSignals(False)
        self._sample_changed()

    def set_plane_point(self, x: float, y: float) -> None:
        """Probe the point (x, y) of the plane (a click on it lands here)."""
        self._plane_point = np.array([x, y])
        self.plane_marker.setData([x], [y])
        if self.kind.currentText() != PLANE:
            self.kind.setCurrentText(PLANE)  # emits through _kind_changed
        else:
            self.changed.emit()

    # --- reacting ----------------------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        self._show_page()
        self._sample_changed()

    def _show_page(self) -> None:
        kind = self.kind.currentText()
        self.pages.setCurrentWidget({DRAW: self.board_panel, PLANE: self.plane}.get(kind, self.sample_view))
        indices = self.indices(kind)
        self.sample.setVisible(indices is not None)
        if indices is not None:
            self.sample.blockSignals(True)
            self.sample.setRange(0, max(len(indices) - 1, 0))
            self.sample.blockSignals(False)

    def _sample_changed(self) -> None:
        if self.run is None:
            return
        if self.indices(self.kind.currentText()) is not None:
            self._show_sample()
        self.changed.emit()

    def _show_sample(self) -> None:
        dataset = self.run.data.dataset
        x, what = self.current_input()
        index = int(self.indices(self.kind.currentText())[self.sample.value()])
        truth = dataset.class_names[int(dataset.y[index])] if dataset.class_names else str(dataset.y[index])
        layout = image_layout(dataset.sample_shape, dataset.feature_names)
        if layout is not None:
            self.sample_view.setPixmap(QPixmap.fromImage(_to_image(x[0], layout[1], layout[2])).scaled(
                PREVIEW_SIDE, PREVIEW_SIDE, Qt.AspectRatioMode.KeepAspectRatio))
            self.sample_view.setToolTip(f"{what}: {truth}")
            return
        values = ", ".join(f"{value:.4g}" for value in np.ravel(x[0])[:16])
        self.sample_view.setText(f"{what} (true: {truth})\n{values}")

    def _drawn(self) -> None:
        if self.kind.currentText() != DRAW and self.kind.findText(DRAW) >= 0:
            self.kind.setCurrentText(DRAW)  # emits through _kind_changed
            return
        self.changed.emit()

    def _sample_to_board(self) -> None:
        kind = VALIDATION if self.kind.findText(VALIDATION) >= 0 else TRAINING
        indices = self.indices(kind)
        if indices is None or not len(indices):
            return
        sample = self.run.data.dataset.x[int(indices[min(self.sample.value(), len(indices) - 1)])]
        low, high = self._value_range
        self.board.set_ink((sample - low) / (high - low) if high > low else np.zeros(sample.shape))

    def _draw_plane(self) -> None:
        probes = Probes(self.run)
        _show_boundary(self.plane_image, probes.snapshot({DATA}).boundary, len(probes.classes))
        points = probes.points()
        self.plane_points.setData(points.x[:, 0], points.x[:, 1],
                                  brush=[pg.mkBrush(_class_color(int(label))) for label in points.y])
        self.plane_marker.setData([self._plane_point[0]], [self._plane_point[1]])

    def _plane_clicked(self, event) -> None:
        box = self.plane.getPlotItem().vb
        if box.sceneBoundingRect().contains(event.scenePos()):
            point = box.mapSceneToView(event.scenePos())
            self.set_plane_point(point.x(), point.y())
