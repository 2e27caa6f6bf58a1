"""A connection: a curve from a node's output to another's input, labelled with the tensor shape.

A connection that closes a cycle is an error the user must see: it is drawn above the nodes in the
error colour, and one that runs back up the canvas loops round the side of the cards instead of
passing behind them.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from . import style


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """A vertical S-curve from an output port (top) down to an input port (bottom)."""
    path = QPainterPath(start)
    bend = max(40.0, abs(end.y() - start.y()) / 2)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
    return path


def loop_back(start: QPointF, end: QPointF, side: float) -> QPainterPath:
    """From an output port down, round by ``side`` (an x clear of the cards), up, and down into an
    input port higher on the canvas."""
    turn = 36.0
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(0, turn), QPointF(side, start.y() + turn), QPointF(side, start.y()))
    path.lineTo(side, end.y())
    path.cubicTo(QPointF(side, end.y() - turn), end - QPointF(0, turn), end)
    return path


class EdgeItem(QGraphicsPathItem):
    """Selectable (to delete it); ``slot`` is its position among the target's inputs; ``in_cycle``
    when the target also feeds the source, directly or not."""

    def __init__(self, source, target, slot: int, label: str, in_cycle: bool = False) -> None:
        super().__init__()
        self.source = source
        self.target = target
        self.slot = slot
        self.label = label
        self.in_cycle = in_cycle
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(1 if in_cycle else -1)  # the nodes sit at 0
        tip = f"{source.name} -> {target.name}: {label}"
        if in_cycle:
            tip += ("\nThis connection closes a cycle: data must flow one way, from the inputs to the "
                    "outputs. Select it and press Delete.")
        self.setToolTip(tip)
        self.refresh()

    def refresh(self) -> None:
        count = max(1, len(self.target.view.inputs))
        start, end = self.source.output_anchor(), self.target.input_anchor(self.slot, count)
        if self.in_cycle and end.y() <= start.y():
            side = max(self.source.sceneBoundingRect().right(), self.target.sceneBoundingRect().right())
            self.setPath(loop_back(start, end, side + 30))
        else:
            self.setPath(curve(start, end))

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
        color = self.color()
        painter.setPen(QPen(color, 2.5 if self.isSelected() or self.in_cycle else 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label:
            rect = self._label_rect()
            painter.setPen(QPen(color, 1))
            painter.setBrush(style.EDGE_LABEL_FILL)
            painter.drawRoundedRect(rect, 9, 9)
            painter.setPen(style.TEXT)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.label)

    def color(self) -> QColor:
        if self.isSelected():
            return style.SELECTED_BORDER
        return style.ERROR_BORDER if self.in_cycle else style.EDGE
