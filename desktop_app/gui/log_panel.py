"""The log panel: what the app did and what is wrong, newest last, errors in red."""

from __future__ import annotations

import html
import time
from typing import Literal

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

    def log(self, message: str, level: Level = "info") -> None:
        stamp = time.strftime("%H:%M:%S")
        text = html.escape(f"{stamp}  {message}")
        self.appendHtml(f'<span style="color:{_COLORS[level]}">{text}</span>')

    def lines(self) -> list[str]:
        return self.toPlainText().splitlines()
