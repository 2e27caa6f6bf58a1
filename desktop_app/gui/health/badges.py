"""A warning badge on each canvas node a health hint is about, its tooltip the hint's title."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...engine.health import Hint
from ..canvas import style
from ..canvas.node_item import NodeItem

SIZE = 18.0
FILL = QColor("#f59f00")


class HealthBadge(QGraphicsItem):
    """A small "!" disc on the top-right corner of a node card."""

    def __init__(self, parent: NodeItem, tip: str) -> None:
        super().__init__(parent)
        self.setPos(style.NODE_WIDTH - SIZE / 2, -SIZE / 2)
        self.setZValue(2)
        self.setToolTip(tip)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, SIZE, SIZE)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QBrush(FILL))
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.drawEllipse(self.boundingRect().adjusted(1, 1, -1, -1))
        font = QFont()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, "!")


class CanvasBadges:
    """Keeps one badge on each node named by the current hints (``nodes``: the scene's items)."""

    def __init__(self, nodes: Mapping[str, NodeItem]) -> None:
        self.nodes = nodes
        self.badges: dict[str, HealthBadge] = {}

    def show(self, hints: Sequence[Hint]) -> None:
        tips: dict[str, list[str]] = {}
        for hint in hints:
            for node in hint.nodes:
                tips.setdefault(node, []).append(hint.title)
        self.clear()
        for node, titles in tips.items():
            item = self.nodes.get(node)
            if item is not None:
                self.badges[node] = HealthBadge(item, "Health: " + "\n".join(titles))

    def clear(self) -> None:
        for badge in self.badges.values():
            if badge.scene() is not None:
                badge.scene().removeItem(badge)
        self.badges = {}
