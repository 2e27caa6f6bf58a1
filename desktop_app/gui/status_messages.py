"""Status-bar messages that never widen the window: a long one is elided, its whole text a tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

MIN_WIDTH = 80  # pixels: even a crowded bar shows the start and end of a message


def show_status(bar: QStatusBar, text: str, timeout_ms: int = 0) -> None:
    """``bar.showMessage(text)``, elided in the middle to the width the bar's permanent widgets
    leave (a path keeps its file name); the whole text is the bar's tooltip while it shows."""
    widgets = bar.findChildren(QWidget, "", Qt.FindChildOption.FindDirectChildrenOnly)
    free = bar.width() - sum(widget.width() for widget in widgets if widget.isVisible()) - 16
    shown = bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, max(free, MIN_WIDTH))
    bar.setToolTip(text if shown != text else "")
    bar.showMessage(shown, timeout_ms)
    if not bar.property("clears_tooltip"):
        bar.setProperty("clears_tooltip", True)
        bar.messageChanged.connect(lambda message: message or bar.setToolTip(""))


class ElidedLabel(QLabel):
    """A status-bar label that gives way when the bar is short of room: its text is elided to the
    width it gets, the whole text in its tooltip. ``text()`` is the whole text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setMinimumWidth(MIN_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        return super().text()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 8, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(MIN_WIDTH, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width()))
