"""The graph scene: node and edge items kept in step with the project, and mouse wiring.

The scene never edits the project. It shows what ``sync`` gives it and reports what the user did
(``connect_requested``, ``nodes_moved``); the window turns those into undoable commands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsSceneMouseEvent

from . import style
from .edge_item import EdgeItem, curve
from .node_item import NodeItem, NodeView
from .port_item import PortItem

GRID_STEP = 24
PAN_MARGIN = 2000.0


class GraphScene(QGraphicsScene):
    """Shows NodeViews; drag between ports to connect, drag nodes to move them."""

    # (source node, target node): the user dragged a connection between their ports
    connect_requested = Signal(str, str)
    # {node name: (x, y)}: the user finished dragging these nodes
    nodes_moved = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self._drag_port: PortItem | None = None
        self._drag_line: QGraphicsPathItem | None = None
        self._press_positions: dict[str, QPointF] = {}

    # --- showing the project ----------------------------------------------------------------
    def sync(self, views: Sequence[NodeView]) -> None:
        """Make the items match ``views``: add, update and remove nodes, then redraw every edge."""
        wanted = {view.name: view for view in views}
        for name in [n for n in self.nodes if n not in wanted]:
            self.removeItem(self.nodes.pop(name))
        for view in views:
            item = self.nodes.get(view.name)
            if item is None:
                self.nodes[view.name] = item = NodeItem(view)
                self.addItem(item)
            else:
                item.update_view(view)
        self._rebuild_edges()

    def _rebuild_edges(self) -> None:
        for edge in self.edges:
            self.removeItem(edge)
        self.edges = []
        closing = cycle_edges({name: item.view.inputs for name, item in self.nodes.items()})
        for target in self.nodes.values():
            for slot, source_name in enumerate(target.view.inputs):
                source = self.nodes.get(source_name)
                if source is not None:
                    in_cycle = (source_name, target.name) in closing
                    edge = EdgeItem(source, target, slot, source.view.shape_text, in_cycle)
                    self.addItem(edge)
                    self.edges.append(edge)
        # Room around the nodes, so the canvas can be panned past them in every direction.
        self.setSceneRect(self.nodes_rect().adjusted(-PAN_MARGIN, -PAN_MARGIN, PAN_MARGIN, PAN_MARGIN))

    def node_moved(self, item: NodeItem) -> None:
        """Called by a node while it moves: its edges follow."""
        for edge in self.edges:
            if edge.source is item or edge.target is item:
                edge.refresh()

    # --- selection ---------------------------------------------------------------------------
    def selected_names(self) -> list[str]:
        return [item.name for item in self.selectedItems() if isinstance(item, NodeItem)]

    def selected_edges(self) -> list[tuple[str, str]]:
        return [(e.source.name, e.target.name) for e in self.selectedItems() if isinstance(e, EdgeItem)]

    def select_names(self, names: Sequence[str]) -> None:
        self.clearSelection()
        for name in names:
            if name in self.nodes:
                self.nodes[name].setSelected(True)

    def nodes_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    # --- mouse: connecting and moving ----------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        port = self._port_at(event.scenePos())
        if port is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag_port = port
            self._drag_line = QGraphicsPathItem()
            self._drag_line.setPen(QPen(style.SELECTED_BORDER, 2, Qt.PenStyle.DashLine))
            self.addItem(self._drag_line)
            event.accept()
            return
        super().mousePressEvent(event)
        self._press_positions = {
            item.name: item.pos() for item in self.selectedItems() if isinstance(item, NodeItem)
        }

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_port is not None:
            port, mouse = self._drag_port.scenePos(), event.scenePos()
            outward = self._drag_port.kind == "output"
            self._drag_line.setPath(curve(port, mouse) if outward else curve(mouse, port))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_port is not None:
            self._finish_connection(event.scenePos())
            return
        super().mouseReleaseEvent(event)
        moved = {
            name: (item.pos().x(), item.pos().y())
            for name, start in self._press_positions.items()
            if (item := self.nodes.get(name)) is not None and item.pos() != start
        }
        self._press_positions = {}
        if moved:
            self.nodes_moved.emit(moved)

    def _finish_connection(self, position: QPointF) -> None:
        port, self._drag_port = self._drag_port, None
        self.removeItem(self._drag_line)
        self._drag_line = None
        other = self._node_at(position)
        if other is None or other is port.node:
            return
        if port.kind == "output" and other.view.takes_input:
            self.connect_requested.emit(port.node.name, other.name)
        elif port.kind == "input":
            self.connect_requested.emit(other.name, port.node.name)

    def _port_at(self, position: QPointF) -> PortItem | None:
        for item in self.items(position):
            if isinstance(item, PortItem) and item.isVisible():
                return item
        return None

    def _node_at(self, position: QPointF) -> NodeItem | None:
        for item in self.items(position):
            if isinstance(item, PortItem):
                return item.node
            if isinstance(item, NodeItem):
                return item
        return None

    # --- background -----------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, style.BACKGROUND)
        painter.setPen(QPen(style.GRID, 1))
        left = int(rect.left()) - int(rect.left()) % GRID_STEP
        top = int(rect.top()) - int(rect.top()) % GRID_STEP
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += GRID_STEP
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += GRID_STEP


def cycle_edges(inputs: Mapping[str, Sequence[str]]) -> set[tuple[str, str]]:
    """The connections (source, target) whose target feeds its source again: each is on a cycle."""
    consumers: dict[str, list[str]] = {name: [] for name in inputs}
    for target, sources in inputs.items():
        for source in sources:
            if source in consumers:
                consumers[source].append(target)
    on_cycle = set()
    for target, sources in inputs.items():
        fed = _reachable(target, consumers)
        on_cycle |= {(source, target) for source in sources if source in fed}
    return on_cycle


def _reachable(start: str, consumers: Mapping[str, Sequence[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for name in consumers[stack.pop()]:
            if name not in seen:
                seen.add(name)
                stack.append(name)
    return seen
