"""A menu in named groups, a line between them: each part puts its entries in the group they
belong to, whatever order the parts are built in.

The Training menu is filled by five parts (the training part, the checks, live settings, step
through, the probe lab); added in build order, run control, checks and exports ended up mixed.
Each group ends with a separator that entries are inserted before; Qt hides the separators of
empty groups and the last one (``QMenu.separatorsCollapsible``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


class MenuGroups:
    """The groups of ``menu``, in the order given."""

    def __init__(self, menu: QMenu, groups: Sequence[str]) -> None:
        self.menu = menu
        menu.setSeparatorsCollapsible(True)
        self._ends = {group: menu.addSeparator() for group in groups}

    def add(self, group: str, *entries: QAction | QMenu) -> None:
        """``entries`` (actions or submenus) at the end of ``group``."""
        end = self._ends[group]
        for entry in entries:
            if isinstance(entry, QMenu):
                self.menu.insertMenu(end, entry)
            else:
                self.menu.insertAction(end, entry)
