"""The model summary: per layer its output shape and parameter count, and the totals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..engine.graph import NodeSpec
from .validation import Validation

COLUMNS = ("Layer", "Type", "Output shape", "Parameters")


class SummaryPanel(QWidget):
    """A read-only table in topological order; nodes that do not build are listed last, in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("summary_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # each column as wide as its content: a stretched last column put the parameter counts a
        # panel's width away from their layer names
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.total = QLabel(self)
        self.total.setObjectName("summary_total")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addWidget(self.total)

    def show_validation(self, nodes: list[NodeSpec], validation: Validation) -> None:
        built = {row["name"] for row in validation.summary}
        rows = [(r["name"], r["type"], str(r["output_shape"]), f"{r['parameters']:,}", "")
                for r in validation.summary]
        for spec in nodes:
            if spec.name not in built:
                problem = validation.errors.get(spec.name, "")
                rows.append((spec.name, spec.type, "error" if problem else "?", "", problem))
        self.table.setRowCount(len(rows))
        for row, (*cells, problem) in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == len(cells) - 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if problem:
                    item.setForeground(QColor("#d1242f"))
                    item.setToolTip(problem)
                self.table.setItem(row, column, item)
        total = sum(r["parameters"] for r in validation.summary)
        state = "valid" if validation.valid else f"{len(validation.messages())} problem(s)"
        self.total.setText(f"Total: {total:,} parameters in {len(nodes)} layers ({state})")
