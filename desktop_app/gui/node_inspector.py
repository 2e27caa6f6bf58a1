"""The inspector for the selected node: its name, the form generated from its layer's schema,
its output shape and, when it does not build, why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from .forms.schema_form import SchemaForm


class NodeInspector(QWidget):
    """Shows one node; emits edits for the window to turn into undoable commands."""

    # (node, parameter, value): the user committed a parameter
    param_edited = Signal(str, str, object)
    # (old name, new name)
    rename_requested = Signal(str, str)

    def __init__(self, layer_types: Mapping[str, type], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer_types = layer_types
        self.node_name = ""
        self._form_key: tuple[str, str] | None = None
        self.title = QLabel("Select a node on the canvas to edit it.", self)
        self.title.setObjectName("inspector_title")
        self.title.setWordWrap(True)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("node_name")
        self.shape = QLabel(self)
        self.shape.setObjectName("node_shape")
        self.error = QLabel(self)
        self.error.setObjectName("node_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d1242f;")
        self.header = QWidget(self)
        header_layout = QFormLayout(self.header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        header_layout.addRow("name", self.name_edit)
        header_layout.addRow("output", self.shape)
        self.form: SchemaForm | None = None
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.header)
        self._layout.addWidget(self.error)
        self._layout.addStretch(1)
        self.name_edit.editingFinished.connect(self._rename)
        self.show_node(None)

    def show_node(self, node: Mapping[str, Any] | None, shape: str = "", error: str = "",
                  selected_count: int = 1) -> None:
        """Show ``node`` (a project node dict), or a hint when nothing or several are selected."""
        if node is None:
            self.node_name = ""
            self._drop_form()
            self.header.hide()
            self.error.hide()
            self.title.setText(f"{selected_count} nodes selected." if selected_count > 1
                               else "Select a node on the canvas to edit it.")
            return
        self.node_name = node["name"]
        cls = self.layer_types.get(node["type"])
        description = cls.description if cls else "This layer type is not installed."
        self.title.setText(f"<b>{node['type']}</b><br>{description}")
        self.header.show()
        self.name_edit.setText(node["name"])
        self.shape.setText(shape)
        self.error.setText(error)
        self.error.setVisible(bool(error))
        key = (node["name"], node["type"])
        if key != self._form_key:
            self._drop_form()
            if cls is not None:
                self.form = SchemaForm(cls.schema, self)
                self.form.edited.connect(lambda param, value: self.param_edited.emit(
                    self.node_name, param, value))
                self._layout.insertWidget(self._layout.count() - 1, self.form)
                if self.form.editors:  # Tab from the name goes on to the first parameter
                    QWidget.setTabOrder(self.name_edit, next(iter(self.form.editors.values())))
            self._form_key = key
        if self.form is not None:
            self.form.set_values(node.get("config", {}))

    def _drop_form(self) -> None:
        if self.form is not None:
            self.form.hide()
            self.form.deleteLater()
        self.form = None
        self._form_key = None

    def _rename(self) -> None:
        new = self.name_edit.text().strip()
        if self.node_name and new != self.node_name:
            # the same node under its new name keeps its form: rebuilding it would delete the field
            # Tab has just moved the focus to (the rename is applied before emit returns)
            kept = self._form_key
            if kept is not None:
                self._form_key = (new, kept[1])
            self.rename_requested.emit(self.node_name, new)
            if self.node_name != new:  # refused (a taken or invalid name)
                self._form_key = kept
