"""Help > Plugins: every plugin with its state and what it contributes, and what went wrong."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..plugin_manager import PluginInfo

COLUMNS = ("Plugin", "Status", "Source", "Version")


class PluginsDialog(QDialog):
    """A tree: one row per plugin; its contributions and problems below it."""

    def __init__(self, plugins: Sequence[PluginInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plugins")
        self.resize(640, 420)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("plugins_tree")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for info in plugins:
            row = QTreeWidgetItem([info.name, info.status, info.source, info.version or ""])
            if info.reason:
                row.setToolTip(1, info.reason)
            for kind, names in sorted(info.contributes.items()):
                QTreeWidgetItem(row, [f"{kind}: {', '.join(names)}"])
            for problem in info.problems:
                item = QTreeWidgetItem(row, [f"problem: {problem.message}"])
                item.setToolTip(0, problem.traceback or problem.message)
            self.tree.addTopLevelItem(row)
            row.setExpanded(not info.builtin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
