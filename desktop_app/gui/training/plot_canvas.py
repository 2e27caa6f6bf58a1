"""pyqtgraph's layout widget, with its scene rendered by Qt's C++ alone.

pyqtgraph's view overrides ``paintEvent`` in Python (to let its items prepare, then render): the
whole scene is then rendered inside a Python call, holding the GIL, and the training thread stands
still for as long as a frame takes to draw. Here the preparation runs in an event filter that
returns before Qt paints, and ``paintEvent`` is Qt's own: the GIL is free while pixels are drawn.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsView


class _PrepareBeforePaint(QObject):
    """Lets pyqtgraph's deferred work (view matrices, text transforms) run before each paint."""

    def __init__(self, view: pg.GraphicsLayoutWidget) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.view.scene().prepareForPaint()
        return False


class PlotCanvas(pg.GraphicsLayoutWidget):
    """A ``GraphicsLayoutWidget`` whose frames are drawn without holding the GIL."""

    # Qt's C++ method, not a Python override: PySide then paints without entering Python
    paintEvent = QGraphicsView.paintEvent  # noqa: N815 - Qt's name

    def __init__(self) -> None:
        super().__init__()
        self._prepare = _PrepareBeforePaint(self)
        self.viewport().installEventFilter(self._prepare)
