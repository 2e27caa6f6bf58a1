"""Status-bar messages that never widen the window: a long one is elided, its whole text a tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStatusBar, QWidget

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
