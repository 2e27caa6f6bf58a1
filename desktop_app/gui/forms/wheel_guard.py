"""The mouse wheel scrolls a panel, not the combo or spin box that happens to be under the pointer.

Qt hands these widgets the wheel (and focus with it) whenever the pointer is over them, so scrolling
a long form changed the optimizer, the schedule and the numbers passed on the way. Guarded widgets
take the wheel only once the user has clicked or tabbed into them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


def wheel_only_when_focused(widget: QWidget) -> None:
    """Make ``widget`` take the wheel only while it has focus; otherwise its panel scrolls."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel no longer gives it focus
    widget.installEventFilter(_WheelGuard(widget))


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        area = _enclosing_scroll_area(watched)
        if area is None:
            event.ignore()  # Qt passes an ignored wheel on to the parent widgets
        else:
            QApplication.sendEvent(area.viewport(), event)
            event.accept()
        return True


def _enclosing_scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent
