"""Pick a registered type (loss, optimizer, schedule, dataset) and edit its parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from .schema_form import SchemaForm
from .wheel_guard import wheel_only_when_focused


class ComponentForm(QWidget):
    """A type chooser over ``types`` (name -> Component class) and that type's generated form."""

    # the user chose another type
    type_chosen = Signal(str)
    # the user committed a parameter of the current type
    edited = Signal(str, object)

    def __init__(self, types: Mapping[str, type], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chooser = QComboBox(self)
        wheel_only_when_focused(self.chooser)
        self._form_type: str | None = None
        self.set_types(types)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setObjectName("component_description")
        self.form: SchemaForm | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.chooser)
        self._layout.addWidget(self.description)
        self.chooser.activated.connect(lambda index: self.type_chosen.emit(self.chooser.itemText(index)))

    def set_types(self, types: Mapping[str, type]) -> None:
        """(Re)fill the chooser, e.g. after plugins changed; the next show rebuilds the form."""
        self.types = dict(types)
        self._form_type = None
        self.chooser.clear()
        for name in self.types:
            self.chooser.addItem(name)
            self.chooser.setItemData(self.chooser.count() - 1, self.types[name].description,
                                     Qt.ItemDataRole.ToolTipRole)

    @property
    def type_name(self) -> str:
        return self.chooser.currentText()

    def show_component(self, type_name: str, config: Mapping[str, Any]) -> None:
        """Show ``type_name`` with ``config``; the form is rebuilt only when the type changes."""
        self.chooser.setCurrentIndex(self.chooser.findText(type_name))
        if type_name != self._form_type:
            self._form_type = type_name
            cls = self.types.get(type_name)
            self.description.setText(cls.description if cls else f"'{type_name}' is not installed.")
            if self.form is not None:
                self.form.hide()
                self.form.deleteLater()
            self.form = SchemaForm(cls.schema, self, getattr(cls, "path_options", ())) if cls else None
            if self.form is not None:
                self.form.edited.connect(self.edited)
                self._layout.addWidget(self.form)
        if self.form is not None:
            self.form.set_values(config)
