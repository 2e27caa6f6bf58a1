"""The drawing board: an image drawn with the mouse, as ink in [0, 1] per pixel.

The pen has a soft round tip about one pixel wide, so a stroke shades its neighbours a little
the way the scanned pen strokes of the digits do; the eraser is the same tip taking ink away.
The lab maps ink to the dataset's own value range (0..16 for the digits) before probing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

TIP_RADIUS = 0.55  # cells: full ink within this distance of the tip's centre...
TIP_FEATHER = 0.6  # ...fading to none over this much further
STROKE_STEP = 0.25  # cells between two dabs along a stroke
BLUR = np.array([1.0, 2.0, 1.0]) / 4.0  # one pass of a 3x3 binomial blur, separable
CELL_MIN = 14  # pixels per cell, at least


class DrawingBoard(QWidget):
    """``ink`` (H, W) in [0, 1]; ``changed`` after every dab, clear and blur."""

    changed = Signal()

    def __init__(self, height: int, width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probe_board")
        self.erasing = False
        self._last: QPointF | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.resize_grid(height, width)

    def resize_grid(self, height: int, width: int) -> None:
        """A blank board of ``height`` x ``width`` pixels (another dataset's image size)."""
        self.ink = np.zeros((height, width))
        rows, columns = np.mgrid[0:height, 0:width]
        self._centres = (columns + 0.5, rows + 0.5)
        self.setMinimumSize(width * CELL_MIN, height * CELL_MIN)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.ink.shape[1] * 26, self.ink.shape[0] * 26)

    # --- edits -----------------------------------------------------------------------------------------
    def set_ink(self, ink: np.ndarray) -> None:
        self.ink = np.clip(np.asarray(ink, dtype=np.float64).reshape(self.ink.shape), 0.0, 1.0)
        self.update()
        self.changed.emit()

    def clear(self) -> None:
        self.set_ink(np.zeros_like(self.ink))

    def blur(self) -> None:
        """Soften the drawing once (a 3x3 binomial kernel; ink beyond the edges counts as none)."""
        padded = np.pad(self.ink, 1)
        rows = BLUR[0] * padded[:-2] + BLUR[1] * padded[1:-1] + BLUR[2] * padded[2:]
        self.set_ink(BLUR[0] * rows[:, :-2] + BLUR[1] * rows[:, 1:-1] + BLUR[2] * rows[:, 2:])

    def _dab(self, at: QPointF) -> None:
        distance = np.hypot(self._centres[0] - at.x(), self._centres[1] - at.y())
        amount = np.clip((TIP_RADIUS + TIP_FEATHER - distance) / TIP_FEATHER, 0.0, 1.0)
        self.ink = np.minimum(self.ink, 1.0 - amount) if self.erasing else np.maximum(self.ink, amount)

    def _stroke_to(self, at: QPointF) -> None:
        start = self._last if self._last is not None else at
        steps = max(1, int(np.ceil(np.hypot(at.x() - start.x(), at.y() - start.y()) / STROKE_STEP)))
        for step in range(1, steps + 1):
            self._dab(start + (at - start) * (step / steps))
        self._last = at
        self.update()
        self.changed.emit()

    # --- the mouse -------------------------------------------------------------------------------------
    def _cell_point(self, event: QMouseEvent) -> QPointF:
        area = self._board_rect()
        position = event.position()
        return QPointF((position.x() - area.left()) / area.width() * self.ink.shape[1],
                       (position.y() - area.top()) / area.height() * self.ink.shape[0])

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self._stroke_to(self._cell_point(event))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._last is not None:
            self._stroke_to(self._cell_point(event))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._last is not None:
            self._stroke_to(self._cell_point(event))
            self._last = None

    # --- drawing ---------------------------------------------------------------------------------------
    def _board_rect(self) -> QRectF:
        """The largest square-celled area that fits the widget, centred."""
        height, width = self.ink.shape
        cell = min(self.width() / width, self.height() / height)
        return QRectF((self.width() - cell * width) / 2, (self.height() - cell * height) / 2,
                      cell * width, cell * height)

    def cell_centre(self, row: float, column: float) -> QPointF:
        """Widget coordinates of a point given in cells (tests and benchmarks draw through it)."""
        area = self._board_rect()
        return QPointF(area.left() + column * area.width() / self.ink.shape[1],
                       area.top() + row * area.height() / self.ink.shape[0])

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        grey = np.ascontiguousarray((255 - np.round(self.ink * 255)).astype(np.uint8))
        height, width = grey.shape
        image = QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8)
        area = self._board_rect()
        painter = QPainter(self)
        painter.drawImage(area, image)
        painter.setPen(QPen(QColor("#d0d7de"), 0))
        for column in range(width + 1):
            x = area.left() + column * area.width() / width
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        for row in range(height + 1):
            y = area.top() + row * area.height() / height
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.end()
