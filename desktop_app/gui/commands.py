"""The undo command every edit uses: the project data before and after it.

Edits are small JSON documents, so keeping both states is cheap, and undo can never disagree
with redo: each simply restores a state that existed.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand


class Restorable(Protocol):
    def restore(self, data: dict[str, Any]) -> None: ...


class SnapshotCommand(QUndoCommand):
    """One undoable edit; ``text`` is what Edit > Undo shows ("Undo Add Dense")."""

    def __init__(self, document: Restorable, text: str,
                 before: dict[str, Any], after: dict[str, Any]) -> None:
        super().__init__(text)
        self._document = document
        self._before = before
        self._after = after

    def amend(self, after: dict[str, Any]) -> None:
        """Fold a follow-up change into this step (undo then reverts both at once)."""
        self._after = after

    def redo(self) -> None:
        self._document.restore(self._after)

    def undo(self) -> None:
        self._document.restore(self._before)
