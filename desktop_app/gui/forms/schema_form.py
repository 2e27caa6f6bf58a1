"""A form built from a Schema: one labelled editor per parameter, for any layer, loss or dataset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from ...engine.schema import Schema
from .editors import make_editor


class SchemaForm(QWidget):
    """Editors for every ParamSpec of a schema; ``edited(name, value)`` when the user commits one."""

    edited = Signal(str, object)

    def __init__(self, schema: Schema, parent: QWidget | None = None,
                 path_fields: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.schema = schema
        self.editors: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in schema:
            editor = make_editor(spec, self, is_path=spec.name in path_fields)
            editor.committed.connect(lambda value, name=spec.name: self.edited.emit(name, value))
            label = QLabel(spec.name.replace("_", " "), self)
            label.setToolTip(editor.toolTip())
            layout.addRow(label, editor)
            self.editors[spec.name] = editor
        if not self.editors:
            layout.addRow(QLabel("No parameters.", self))

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Show ``values`` (missing names show their defaults) without emitting ``edited``."""
        for spec in self.schema:
            value = values.get(spec.name)
            self.editors[spec.name].set_value(spec.default if value is None else value)
