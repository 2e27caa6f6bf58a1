"""The canvas follows the step-through: the current node outlined, the edges being traversed drawn
over in the phase's colour (forward blue, backward orange), with an arrow the way the values go.

The marks are items of their own on the designer's scene, above the nodes and edges; the canvas's
items are not changed, and ``clear`` takes the marks away.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsPolygonItem

from ..canvas.scene import GraphScene

PHASE_COLORS = {
    "forward": QColor("#1f6feb"),
    "loss": QColor("#8250df"),
    "backward": QColor("#e8590c"),
    "update": QColor("#1a7f37"),
}
Z_VALUE = 5  # above nodes (0) and edges (-1, or 1 for a cycle)
ARROW = 11.0


class CanvasMarks:
    """Outlines ``nodes`` and marks ``edges`` (source, target) on ``scene``; ``backward`` edges
    point from target to source, as the gradient travels."""

    def __init__(self, scene: GraphScene) -> None:
        self.scene = scene
        self.items: list[QGraphicsItem] = []
        self.nodes: tuple[str, ...] = ()
        self.edges: tuple[tuple[str, str], ...] = ()
        self.color = QColor()

    def show(self, phase: str, nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> None:
        self.clear()
        self.color = PHASE_COLORS[phase]
        self.nodes = tuple(name for name in nodes if name in self.scene.nodes)
        self.edges = tuple(edge for edge in edges if self._edge(*edge) is not None)
        for name in self.nodes:
            outline = QPainterPath()
            outline.addRoundedRect(self.scene.nodes[name].sceneBoundingRect().adjusted(-5, -5, 5, 5), 9, 9)
            self._add(QGraphicsPathItem(outline), 3.5)
        for source, target in self.edges:
            path = self._edge(source, target).path()
            self._add(QGraphicsPathItem(path), 5.0)
            tip = 0.0 if phase == "backward" else 1.0
            self._arrow(path, tip)

    def clear(self) -> None:
        for item in self.items:
            self.scene.removeItem(item)
        self.items = []
        self.nodes, self.edges = (), ()

    def _edge(self, source: str, target: str):
        return next((edge for edge in self.scene.edges
                     if edge.source.name == source and edge.target.name == target), None)

    def _add(self, item: QGraphicsPathItem, width: float) -> None:
        pen = QPen(self.color, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        item.setPen(pen)
        item.setZValue(Z_VALUE)
        self.scene.addItem(item)
        self.items.append(item)

    def _arrow(self, path: QPainterPath, at: float) -> None:
        """A filled arrowhead at ``at`` (0: the path's start, 1: its end), pointing along the travel."""
        tip = path.pointAtPercent(at)
        behind = path.pointAtPercent(0.08 if at == 0.0 else 0.92)
        direction = tip - behind
        length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 1e-9)
        unit = QPointF(direction.x() / length, direction.y() / length)
        normal = QPointF(-unit.y(), unit.x())
        base = tip - unit * (ARROW * 1.4)
        side = normal * (ARROW * 0.7)
        head = QGraphicsPolygonItem(QPolygonF([tip, base + side, base - side]))
        head.setBrush(self.color)
        head.setPen(QPen(self.color, 1))
        head.setZValue(Z_VALUE + 1)
        self.scene.addItem(head)
        self.items.append(head)
