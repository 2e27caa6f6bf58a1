"""A layer on the canvas: a card showing its type, name and output shape, with its ports."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from . import style
from .port_item import PortItem


@dataclass
class NodeView:
    """What the canvas shows of one node; built from the project and the last validation."""

    name: str
    type: str
    category: str
    position: tuple[float, float]
    inputs: list[str] = field(default_factory=list)
    takes_input: bool = True
    many_inputs: bool = False
    shape_text: str = "?"
    error: str = ""
    accent: QColor | None = None


class NodeItem(QGraphicsObject):
    """A movable, selectable node card. The scene keeps its edges in step while it moves."""

    def __init__(self, view: NodeView) -> None:
        super().__init__()
        self.view = view
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.input_port = PortItem(self, "input", QPointF(style.NODE_WIDTH / 2, 0.0))
        self.output_port = PortItem(self, "output", QPointF(style.NODE_WIDTH / 2, style.NODE_HEIGHT))
        self.update_view(view)

    @property
    def name(self) -> str:
        return self.view.name

    def update_view(self, view: NodeView) -> None:
        """Show new data (shape, error, inputs) without recreating the item."""
        self.prepareGeometryChange()
        self.view = view
        self.input_port.setVisible(view.takes_input)
        self.input_port.set_many(view.many_inputs)
        self.setToolTip(self._tooltip())
        self.setPos(QPointF(*view.position))
        self.update()

    def _tooltip(self) -> str:
        text = f"{self.view.name} ({self.view.type})\noutput shape: {self.view.shape_text}"
        return f"{text}\n\nError: {self.view.error}" if self.view.error else text

    def input_anchor(self, index: int, count: int) -> QPointF:
        """Where the ``index``-th of ``count`` incoming edges ends: spread along the top edge."""
        offset = (index - (count - 1) / 2.0) * 26.0
        return self.mapToScene(QPointF(style.NODE_WIDTH / 2 + offset, 0.0))

    def output_anchor(self) -> QPointF:
        return self.mapToScene(self.output_port.center)

    def boundingRect(self) -> QRectF:
        margin = style.PORT_RADIUS + 2
        return QRectF(-margin, -margin, style.NODE_WIDTH + 2 * margin, style.NODE_HEIGHT + 2 * margin)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        body = QRectF(0, 0, style.NODE_WIDTH, style.NODE_HEIGHT)
        outline = QPainterPath()
        outline.addRoundedRect(body, 7, 7)
        error = bool(self.view.error)
        painter.fillPath(outline, style.ERROR_FILL if error else style.NODE_FILL)
        self._paint_header(painter, outline)
        self._paint_text(painter)
        border = style.SELECTED_BORDER if self.isSelected() else (
            style.ERROR_BORDER if error else style.NODE_BORDER)
        painter.setPen(QPen(border, 2.5 if self.isSelected() or error else 1.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(outline)

    def _paint_header(self, painter: QPainter, outline: QPainterPath) -> None:
        header = QPainterPath()
        header.addRect(QRectF(0, 0, style.NODE_WIDTH, style.HEADER_HEIGHT))
        painter.fillPath(outline.intersected(header), style.category_color(self.view.category))
        if self.view.accent is not None:
            painter.setPen(QPen(QColor("#ffffff"), 1.5))
            painter.setBrush(QBrush(self.view.accent))
            painter.drawEllipse(QPointF(style.NODE_WIDTH - 14, style.HEADER_HEIGHT / 2), 5.5, 5.5)

    def _paint_text(self, painter: QPainter) -> None:
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#ffffff"))
        header = QRectF(10, 0, style.NODE_WIDTH - 34, style.HEADER_HEIGHT)
        painter.drawText(header, Qt.AlignmentFlag.AlignVCenter, self._elided(bold, self.view.type, header))
        regular = QFont(painter.font())
        regular.setBold(False)
        painter.setFont(regular)
        # one body line: the name on the left, the output shape (or the error mark) on the right
        row = QRectF(10, style.HEADER_HEIGHT, style.NODE_WIDTH - 20, style.NODE_HEIGHT - style.HEADER_HEIGHT)
        shape = "✖ error" if self.view.error else self.view.shape_text
        shape_width = QFontMetricsF(regular).horizontalAdvance(shape)
        painter.setPen(style.ERROR_BORDER if self.view.error else style.MUTED_TEXT)
        painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, shape)
        name_box = row.adjusted(0, 0, -(shape_width + 10), 0)
        painter.setPen(style.TEXT)
        name = self._elided(regular, self.view.name, name_box)
        painter.drawText(name_box, Qt.AlignmentFlag.AlignVCenter, name)

    @staticmethod
    def _elided(font: QFont, text: str, rect: QRectF) -> str:
        return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene():
            self.scene().node_moved(self)
        return super().itemChange(change, value)
