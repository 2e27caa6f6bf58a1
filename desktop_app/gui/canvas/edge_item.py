"""A connection: a curve from a node's output to another's input, labelled with the tensor shape."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from . import style


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """A vertical S-curve from an output port (top) down to an input port (bottom)."""
    path = QPainterPath(start)
    bend = max(40.0, abs(end.y() - start.y()) / 2)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
    return path


class EdgeItem(QGraphicsPathItem):
    """Selectable (to delete it); ``slot`` is its position among the target's inputs."""

    def __init__(self, source, target, slot: int, label: str) -> None:
        super().__init__()
        self.source = source
        self.target = target
        self.slot = slot
        self.label = label
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1)
        self.setToolTip(f"{source.name} -> {target.name}: {label}")
        self.refresh()

    def refresh(self) -> None:
        count = max(1, len(self.target.view.inputs))
        self.setPath(curve(self.source.output_anchor(), self.target.input_anchor(self.slot, count)))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def _label_rect(self) -> QRectF:
        metrics = QFontMetricsF(self.scene().font() if self.scene() else QFont())
        width = metrics.horizontalAdvance(self.label) + 12
        middle = self.path().pointAtPercent(0.5)
        return QRectF(middle.x() - width / 2, middle.y() - 10, width, 20)

    def boundingRect(self) -> QRectF:
        return super().boundingRect().united(self._label_rect()).adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = style.SELECTED_BORDER if self.isSelected() else style.EDGE
        painter.setPen(QPen(color, 2.5 if self.isSelected() else 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label:
            rect = self._label_rect()
            painter.setPen(QPen(color, 1))
            painter.setBrush(style.EDGE_LABEL_FILL)
            painter.drawRoundedRect(rect, 9, 9)
            painter.setPen(style.TEXT)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.label)
