"""Every node's output for the probed input, one row per node in the model's order; a click on a
unit of a Dense layer's row picks that unit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .heatmap import diverging_image, value_grid

LABEL_HEIGHT = 18
MARGIN = 6
VECTOR_CELL = 11  # pixels per unit of a vector
IMAGE_CELL = 4  # pixels per value of an image tile
MIN_WIDTH = 2 * MARGIN + 32 * VECTOR_CELL


@dataclass(frozen=True)
class Row:
    """One node's place: its label, its grid of values and where they are drawn."""

    node: str
    label: str
    grid: np.ndarray
    image: QImage
    area: QRect
    cell: int
    units: int  # pickable units (a Dense layer's outputs), 0 when the row's cells are not units


class ActivationsView(QWidget):
    """Draws ``show``'s activations; ``unit_clicked(node, unit)`` for a click on a Dense unit."""

    unit_clicked = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probe_activations")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.rows: list[Row] = []
        self.selected: tuple[str, int] | None = None
        self._height = 0

    def show_activations(self, activations: dict[str, np.ndarray], types: dict[str, str],
                         dense: list[str]) -> None:
        """``activations``: node -> its output for one sample (batch axis dropped)."""
        rows, top = [], MARGIN
        for node, values in activations.items():
            grid = value_grid(values)
            cell = IMAGE_CELL if np.ndim(values) >= 2 else VECTOR_CELL
            extremes = (np.min(values), np.max(values)) if np.size(values) else (0, 0)
            low, high = (float(value) + 0.0 for value in extremes)  # + 0.0: a ReLU's -0.0 shows as 0
            label = f"{node} · {types[node]} · {tuple(np.shape(values))}   min {low:.3g}  max {high:.3g}"
            area = QRect(MARGIN, top + LABEL_HEIGHT, grid.shape[1] * cell, grid.shape[0] * cell)
            units = int(np.size(values)) if node in dense else 0
            rows.append(Row(node, label, grid, diverging_image(grid), area, cell, units))
            top = area.bottom() + 1 + MARGIN
        self.rows = rows
        self._height = top
        self.setMinimumHeight(top)
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.show_activations({}, {}, [])

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(MIN_WIDTH, max(self._height, 40))

    def unit_rect(self, node: str, unit: int) -> QRect:
        """Where ``unit`` of ``node``'s row is drawn (tests click there)."""
        row = next(row for row in self.rows if row.node == node)
        columns = row.grid.shape[1]
        line, column = divmod(unit, columns)
        cell = row.cell
        return QRect(row.area.left() + column * cell, row.area.top() + line * cell, cell, cell)

    def unit_at(self, point: QPoint) -> tuple[str, int] | None:
        for row in self.rows:
            if row.units and row.area.contains(point):
                column = (point.x() - row.area.left()) // row.cell
                unit = (point.y() - row.area.top()) // row.cell * row.grid.shape[1] + column
                return (row.node, unit) if unit < row.units else None
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        picked = self.unit_at(event.position().toPoint())
        if picked is not None:
            self.selected = picked
            self.update()
            self.unit_clicked.emit(*picked)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().text().color())
        for row in self.rows:
            label = QRect(MARGIN, row.area.top() - LABEL_HEIGHT, self.width() - 2 * MARGIN, LABEL_HEIGHT)
            painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, row.label)
            painter.drawImage(row.area, row.image)
        if self.selected is not None and any(row.node == self.selected[0] for row in self.rows):
            painter.setPen(QColor("#1f2328"))
            painter.drawRect(self.unit_rect(*self.selected).adjusted(0, 0, -1, -1))
        painter.end()
