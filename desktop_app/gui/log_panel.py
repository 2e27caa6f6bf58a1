"""The log panel: what the app did and what is wrong, newest last, errors in red."""

from __future__ import annotations

import html
import time
from typing import Literal

from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

Level = Literal["info", "warning", "error"]
_COLORS = {"info": "#1f2328", "warning": "#9a6700", "error": "#d1242f"}
MAX_LINES = 2000


class LogPanel(QPlainTextEdit):
    """Read-only, bounded (the oldest lines go first), safe to fill from any signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("log_panel")
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setUndoRedoEnabled(False)
        # where the reader was when the panel went behind another: None while at the newest line
        self._kept_line: int | None = None

    def log(self, message: str, level: Level = "info") -> None:
        stamp = time.strftime("%H:%M:%S")
        text = html.escape(f"{stamp}  {message}")
        self.appendHtml(f'<span style="color:{_COLORS[level]}">{text}</span>')

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        bar = self.verticalScrollBar()
        self._kept_line = None if bar.value() >= bar.maximum() else bar.value()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Lines logged while hidden (the panel is tabbed behind others) are in view when it comes
        forward; Qt's own scrolling stops short of them. A reader of older lines stays there."""
        super().showEvent(event)
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum() if self._kept_line is None else self._kept_line)

    def lines(self) -> list[str]:
        return self.toPlainText().splitlines()
