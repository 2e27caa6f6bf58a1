"""The window's actions (menu entries, toolbar buttons, shortcuts), created in one place.

Shortcuts use QKeySequence.StandardKey where Qt defines one, so they follow the platform
(Ctrl+Z / Cmd+Z, Ctrl+Y for redo on Windows and Ctrl+Shift+Z elsewhere, Delete or Backspace, ...).
A platform binding that another action claims is dropped: Linux desktops bind Ctrl+D to Delete too,
and Qt fires neither of two actions that share a key.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget

from .resources import icon

Key = QKeySequence.StandardKey


def _action(parent: QWidget, text: str, icon_name: str = "", shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, parent)
    _decorate(action, icon_name, shortcut)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    return action


def _decorate(action: QAction, icon_name: str, shortcut) -> None:
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut is not None:
        action.setShortcuts(QKeySequence.keyBindings(shortcut) if isinstance(shortcut, Key)
                            else [QKeySequence(shortcut)])


class WindowActions:
    """Plain attributes, one per action; the window connects and places them."""

    def __init__(self, parent: QWidget, undo_stack: QUndoStack) -> None:
        self.new = _action(parent, "&New", "new", Key.New, "Start a new, empty project")
        self.open = _action(parent, "&Open…", "open", Key.Open, "Open a project file")
        self.save = _action(parent, "&Save", "save", Key.Save, "Save the project")
        self.save_as = _action(parent, "Save &As…", "", Key.SaveAs, "Save the project to another file")
        self.quit = _action(parent, "&Quit", "", Key.Quit, "Close the window")
        # Undo/redo come from the stack: their text names the step ("Undo Add Dense").
        self.undo = undo_stack.createUndoAction(parent, "&Undo")
        _decorate(self.undo, "undo", Key.Undo)
        self.undo.setStatusTip("Undo the last change to the project")
        self.redo = undo_stack.createRedoAction(parent, "&Redo")
        _decorate(self.redo, "redo", Key.Redo)
        self.redo.setStatusTip("Redo the change undone last")
        self.delete = _action(parent, "&Delete", "delete", Key.Delete,
                              "Delete the selected nodes and connections")
        self.duplicate = _action(parent, "Du&plicate", "duplicate", "Ctrl+D", "Duplicate the selected nodes")
        delete_keys = [*self.delete.shortcuts(), QKeySequence("Backspace")]
        self.delete.setShortcuts([key for key in delete_keys if key not in self.duplicate.shortcuts()])
        self.select_all = _action(parent, "Select &All", "", Key.SelectAll, "Select every node")
        self.auto_layout = _action(parent, "&Auto-layout", "layout", "Ctrl+L",
                                   "Arrange the nodes top to bottom")
        self.zoom_in = _action(parent, "Zoom &In", "zoom-in", Key.ZoomIn, "Zoom in on the canvas")
        self.zoom_out = _action(parent, "Zoom &Out", "zoom-out", Key.ZoomOut, "Zoom out of the canvas")
        self.fit = _action(parent, "&Fit to Window", "fit", "Ctrl+0", "Show the whole network")
        self.about = _action(parent, "&About Backprop Studio", tip="The version, and what the app is for")
        self.plugins = _action(parent, "&Plugins…", "", None,
                              "Manage plugins: install, uninstall, enable, disable; what each provides")
