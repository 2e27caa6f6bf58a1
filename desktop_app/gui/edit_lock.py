"""The project is locked while a run trains it: the run trains what was there when it started, so
the window must not show another network, dataset or settings meanwhile.

Locked, the panels that edit the project are disabled, so are the actions that change it or load
another one (undo and redo too: they would bring back another network), any edit that still
arrives is refused by the designer, and a banner on the canvas says why and how to unlock. Node
cards can still be moved (where they sit is not part of the run) and the toolbar's learning rate
still changes the running optimizer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QGraphicsView, QLabel, QWidget

from .designer import Designer

REASON = "a training run is on: stop it (Shift+F5) to edit the project"
BANNER = "Locked while training: Stop (Shift+F5) to edit. The learning rate changes live."
BANNER_TIP = "The run trains the network, dataset and settings it started with; they cannot change under it"
MARGIN = 8
BANNER_STYLE = ("background: #fff8c5; color: #1f2328; border: 1px solid #d4a72c; border-radius: 4px;"
                "padding: 4px 8px;")


class EditLock:
    """Locks ``panels``, ``actions`` and the stack's undo and redo, and the designer's edits;
    shows a banner on ``view``. Unlocked, each action is as it was (undo and redo as the stack is)."""

    def __init__(self, designer: Designer, view: QGraphicsView, panels: Sequence[QWidget],
                 actions: Sequence[QAction], undo_stack: QUndoStack, undo: QAction, redo: QAction) -> None:
        self.designer = designer
        self.panels = list(panels)
        self.actions = list(actions)
        self.locked = False
        self._was_enabled: dict[QAction, bool] = {}
        self._stack_actions = {undo: undo_stack.canUndo, redo: undo_stack.canRedo}
        # a child of the view, over its viewport: the viewport's own children scroll with the scene
        self.view = view
        self.banner = QLabel(BANNER, view)
        self.banner.setObjectName("edit_lock_banner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setToolTip(BANNER_TIP)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self._resizes = _OnResize(self._place)
        view.installEventFilter(self._resizes)
        for action in self._stack_actions:  # the stack enables them again when it changes
            action.changed.connect(lambda action=action: self._hold(action))

    def set_locked(self, locked: bool) -> None:
        if locked == self.locked:
            return
        self.locked = locked
        self.designer.locked_reason = REASON if locked else ""
        for panel in self.panels:
            panel.setEnabled(not locked)
        if locked:
            self._was_enabled = {action: action.isEnabled() for action in self.actions}
        for action in self.actions:
            action.setEnabled(False if locked else self._was_enabled.get(action, True))
        for action, can in self._stack_actions.items():
            action.setEnabled(not locked and can())
        self.banner.setVisible(locked)
        if locked:
            self._place()
            self.banner.raise_()

    def _place(self) -> None:
        """Across the foot of the canvas, wrapped to its width (the network is fitted from the top)."""
        area = self.view.contentsRect()  # (the viewport is laid out after the view's resize event)
        self.banner.setFixedWidth(max(area.width() - 2 * MARGIN, 100))
        self.banner.setFixedHeight(self.banner.heightForWidth(self.banner.width()))
        self.banner.move(area.left() + MARGIN, area.bottom() - MARGIN - self.banner.height())

    def _hold(self, action: QAction) -> None:
        if self.locked and action.isEnabled():
            action.setEnabled(False)


class _OnResize(QObject):
    """Calls ``place`` whenever the watched widget is resized."""

    def __init__(self, place: Callable[[], None]) -> None:
        super().__init__()
        self.place = place

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False
