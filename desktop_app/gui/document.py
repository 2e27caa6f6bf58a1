"""The open project: its JSON data, its file, and the undo stack every edit goes through."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..project.document import ComponentRef, DatasetRef, Project, TrainingSettings
from .commands import SnapshotCommand

T = TypeVar("T")


class ProjectDocument(QObject):
    """Holds the project as the project format's JSON data (``Project.to_json``).

    Views read ``data`` and never write it; ``edit`` applies a change to a copy and pushes the
    before/after pair on ``undo_stack``, so every edit can be undone.
    """

    # the data changed: an edit, an undo or redo, or another project loaded
    changed = Signal()
    # the file the project lives in changed (opened, saved as)
    path_changed = Signal()
    # another project was loaded (File > New, Open): views of the previous one start over
    replaced = Signal()

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.data: dict[str, Any] = project.to_json()
        self.path: Path | None = project.path

    def edit(self, text: str, change: Callable[[dict[str, Any]], T]) -> T:
        """Apply ``change`` to a copy of the data and push it as one undo step.

        An exception from ``change`` leaves the project untouched; a change that changes
        nothing pushes nothing.
        """
        after = copy.deepcopy(self.data)
        result = change(after)
        if after != self.data:
            self.undo_stack.push(SnapshotCommand(self, text, copy.deepcopy(self.data), after))
        return result

    def amend_last(self, command: SnapshotCommand, change: Callable[[dict[str, Any]], Any]) -> bool:
        """Fold ``change`` into ``command`` if it is still the latest step; False otherwise.

        For consequences that arrive later than the edit causing them (the Input shape that
        follows a dataset once it has loaded), so one undo reverts cause and consequence.
        """
        index = self.undo_stack.index()
        if index == 0 or self.undo_stack.isClean() or self.undo_stack.command(index - 1) is not command:
            return False
        after = copy.deepcopy(self.data)
        change(after)
        command.amend(copy.deepcopy(after))
        self.restore(after)
        return True

    def last_command(self) -> SnapshotCommand | None:
        index = self.undo_stack.index()
        return self.undo_stack.command(index - 1) if index else None

    def restore(self, data: dict[str, Any]) -> None:
        """Show ``data`` (called by undo commands; edits go through ``edit``)."""
        self.data = copy.deepcopy(data)
        self.changed.emit()

    def replace(self, project: Project) -> None:
        """Load another project: a fresh undo history, clean."""
        self.undo_stack.clear()
        self.data = project.to_json()
        self.path = project.path
        self.replaced.emit()
        self.changed.emit()
        self.path_changed.emit()

    def project(self) -> Project:
        """The data as a Project (for saving, running, exporting)."""
        return Project.from_json(copy.deepcopy(self.data), self.path)

    def mark_saved(self, path: Path) -> None:
        self.undo_stack.setClean()
        if path != self.path:
            self.path = path
            self.path_changed.emit()

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()


def blank_project() -> Project:
    """What File > New starts from: no nodes, a small generated dataset, common training settings."""
    return Project(
        nodes=[],
        dataset=DatasetRef("spiral"),
        training=TrainingSettings(loss=ComponentRef("categorical_crossentropy"),
                                  optimizer=ComponentRef("adam", {"learning_rate": 0.01})),
        name="Untitled",
    )
