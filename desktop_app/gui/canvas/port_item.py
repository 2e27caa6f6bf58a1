"""A connection point on a node: inputs on the top edge, the output on the bottom edge."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

from . import style

PortKind = Literal["input", "output"]


class PortItem(QGraphicsEllipseItem):
    """Dragging from a port to a port of the other kind connects two nodes (the scene does it)."""

    def __init__(self, node: QGraphicsItem, kind: PortKind, center: QPointF) -> None:
        radius = style.PORT_RADIUS
        super().__init__(QRectF(-radius, -radius, 2 * radius, 2 * radius), node)
        self.kind = kind
        self.center = center
        self.setPos(center)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self._paint(hover=False)
        self.setToolTip("drag to an input port to connect" if kind == "output"
                        else "drag to an output port to connect")

    @property
    def node(self) -> QGraphicsItem:
        return self.parentItem()

    def set_many(self, many: bool) -> None:
        """An input port that takes several edges (Add, Concatenate) is drawn as a wide bar."""
        radius = style.PORT_RADIUS
        width = radius * (5 if many else 1)
        self.setRect(QRectF(-width, -radius, 2 * width, 2 * radius))

    def _paint(self, hover: bool) -> None:
        fill = QColor("#1f6feb") if hover else QColor("#ffffff")
        self.setBrush(QBrush(fill))
        self.setPen(QPen(style.NODE_BORDER, 1.5))

    def hoverEnterEvent(self, event) -> None:
        self._paint(hover=True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._paint(hover=False)
        super().hoverLeaveEvent(event)
