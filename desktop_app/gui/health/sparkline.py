"""A small live plot inside a table cell: one layer's series, with its healthy band shaded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

ROLE = int(Qt.ItemDataRole.UserRole) + 1  # where a cell keeps its Sparkline
BAND = QColor(47, 158, 68, 45)
AXIS = QColor("#d0d7de")
MARGIN = 3.0  # pixels inside the cell


@dataclass(frozen=True)
class Sparkline:
    """``values`` drawn from ``low`` (cell bottom) to ``high`` (top); ``band``: a shaded range."""

    values: np.ndarray
    low: float
    high: float
    color: QColor
    band: tuple[float, float] | None = None


class SparklineDelegate(QStyledItemDelegate):
    """Paints the Sparkline a cell holds under ``ROLE`` (its text, if any, is left out)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        line = index.data(ROLE)
        if not isinstance(line, Sparkline):
            super().paint(painter, option, index)
            return
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        area = QRectF(option.rect).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        span = line.high - line.low

        def y(value: float) -> float:
            return area.bottom() - (min(max(value, line.low), line.high) - line.low) / span * area.height()

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if line.band is not None:
            painter.fillRect(QRectF(area.left(), y(line.band[1]), area.width(),
                                    y(line.band[0]) - y(line.band[1])), BAND)
        painter.setPen(QPen(AXIS, 1))
        painter.drawLine(QPointF(area.left(), area.bottom()), QPointF(area.right(), area.bottom()))
        finite = np.flatnonzero(np.isfinite(line.values))
        if finite.size:
            step = area.width() / max(1, line.values.size - 1)
            points = [QPointF(area.left() + i * step, y(float(line.values[i]))) for i in finite]
            painter.setPen(QPen(line.color, 1.5))
            painter.drawPolyline(QPolygonF(points))
        painter.restore()
