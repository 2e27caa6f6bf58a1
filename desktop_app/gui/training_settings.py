"""The training settings: loss, optimizer and schedule with their parameters, and the loop's own
settings (epochs, batch size, ...), all as generated forms."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from ..registry import Registry
from .forms.component_form import ComponentForm
from .forms.schema_form import SchemaForm
from .settings_schemas import TRAINING_SCHEMA

SECTIONS = (("loss", "losses", "Loss"), ("optimizer", "optimizers", "Optimizer"),
            ("schedule", "schedules", "Learning-rate schedule"))


def section_keywords(registry: Registry) -> dict[str, str]:
    """Per section, the words a user may search for it by: its title and its types' names."""
    keywords = {}
    for section, kind, title in SECTIONS:
        names = " ".join(registry.table(kind))
        keywords[section] = f"{title} {names} {names.replace('_', ' ')}"
    return keywords


class TrainingSettingsPanel(QWidget):
    """Edits the project's ``training`` section; emits edits, never writes the project itself."""

    # (section, type): the user chose another loss / optimizer / schedule
    component_chosen = Signal(str, str)
    # (section, parameter, value)
    component_edited = Signal(str, str, object)
    # (setting, value): epochs, batch_size, ...
    setting_edited = Signal(str, object)

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.components: dict[str, ComponentForm] = {}
        for section, kind, title in SECTIONS:
            box = QGroupBox(title, self)
            form = ComponentForm(registry.table(kind), box)
            form.setObjectName(f"{section}_form")
            form.type_chosen.connect(lambda name, section=section: self.component_chosen.emit(section, name))
            form.edited.connect(lambda param, value, section=section:
                                self.component_edited.emit(section, param, value))
            QVBoxLayout(box).addWidget(form)
            layout.addWidget(box)
            self.components[section] = form
        box = QGroupBox("Training loop", self)
        self.loop = SchemaForm(TRAINING_SCHEMA, box)
        self.loop.setObjectName("training_loop_form")
        self.loop.edited.connect(self.setting_edited)
        QVBoxLayout(box).addWidget(self.loop)
        layout.addWidget(box)
        layout.addStretch(1)

    def chooser(self, section: str) -> QWidget:
        """The type chooser of ``section`` ("loss", ...), for pointing the user to it."""
        return self.components[section].chooser

    def show_training(self, training: dict[str, Any]) -> None:
        """Show the project's ``training`` JSON section."""
        for section, form in self.components.items():
            component = training.get(section) or {}
            form.show_component(component.get("type", ""), component.get("config", {}))
        self.loop.set_values(training)
