"""One editor widget per ParamSpec kind; each enforces the spec's range and emits ``committed``.

Editors emit ``committed(value)`` only when the user finishes an edit (Enter, focus out, a click),
never for programmatic ``set_value`` calls, so every emission is one undoable change.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLocale, QRegularExpression, QSize, Signal
from PySide6.QtGui import QDoubleValidator, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from ...engine.errors import ConfigError
from ...engine.schema import ParamSpec
from .wheel_guard import wheel_only_when_focused

INT_LIMIT = 2**31 - 1
_INT_LIST = QRegularExpression(r"^\s*\d+(\s*,\s*\d+)*\s*,?\s*$")


def make_editor(spec: ParamSpec, parent: QWidget | None = None, is_path: bool = False) -> QWidget:
    """The editor widget for ``spec``'s kind, showing its default; ``is_path`` adds a file browser."""
    editor_cls = _EDITORS[spec.kind]
    if spec.kind == "int_tuple" and spec.length is not None:
        editor_cls = FixedTupleEditor
    elif spec.kind == "str" and is_path:
        editor_cls = PathEditor
    editor = editor_cls(spec, parent)
    if spec.default is None:
        editor = OptionalEditor(editor, parent)
    editor.setObjectName(f"param_{spec.name}")
    editor.setToolTip(describe(spec))
    editor.set_value(spec.default)
    return editor


def describe(spec: ParamSpec) -> str:
    """The tooltip text: what the value does (the spec's doc), then what may be entered, in words."""
    parts = [_sentence(spec.doc)] if spec.doc else []
    accepted = _accepted(spec)
    if accepted:
        parts.append(accepted)
    return "\n".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?")) else ".")


def _accepted(spec: ParamSpec) -> str:
    """What may be entered, as a sentence ("A whole number, 1 or more."); "" for choices and text."""
    if spec.kind not in ("int", "float", "int_tuple"):
        return ""
    bounds = _bounds(spec)
    if spec.kind == "int_tuple":
        what = "Whole numbers separated by commas" if spec.length is None else f"{spec.length} whole numbers"
        return f"{what}, each {bounds}." if bounds else f"{what}."
    what = "A whole number" if spec.kind == "int" else "A number"
    if bounds.startswith("from"):
        return f"{what} {bounds}."
    return f"{what}, {bounds}." if bounds else f"{what}."


def _bounds(spec: ParamSpec) -> str:
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        return f"from {_plain(low)} to {_plain(high)}"
    if low is not None:
        return f"{_plain(low)} or more"
    if high is not None:
        return f"{_plain(high)} or less"
    return ""


def _plain(number: float) -> str:
    """1 not 1.0, 1,000,000 not 1000000, 1e-12 not 0.000000000001."""
    if float(number).is_integer():
        return f"{int(number):,}"
    return f"{number:g}"


def _int_bounds(spec: ParamSpec) -> tuple[int, int]:
    low = -INT_LIMIT if spec.minimum is None else int(spec.minimum)
    high = INT_LIMIT if spec.maximum is None else int(spec.maximum)
    return low, high


class CompactSpinBox(QSpinBox):
    """A spin box sized for the numbers people type, not for its (often huge) maximum."""

    def sizeHint(self) -> QSize:
        return QSize(72, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(56, super().minimumSizeHint().height())


class IntEditor(CompactSpinBox):
    """A spin box bounded by the spec's range; arrows and Enter commit."""

    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(*_int_bounds(spec))
        self.setKeyboardTracking(False)
        wheel_only_when_focused(self)
        self.valueChanged.connect(self._emit)

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        self.setValue(int(value))
        self.blockSignals(False)

    def _emit(self, value: int) -> None:
        self.committed.emit(value)


class FloatEditor(QLineEdit):
    """A text field that accepts only finite numbers in range (scientific notation allowed)."""

    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._validator = QDoubleValidator(self)
        self._validator.setLocale(QLocale.c())  # "0.5" everywhere, as project files write it
        self._validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.setValidator(self._validator)
        self.set_spec(spec)
        self.editingFinished.connect(self._finish)

    def set_spec(self, spec: ParamSpec) -> None:
        """Accept what ``spec`` accepts from now on (an editor that outlives one component's form
        follows another's parameter)."""
        self._spec = spec
        self._value = spec.default if spec.default is not None else float(spec.minimum or 0.0)
        self._validator.setBottom(-math.inf if spec.minimum is None else float(spec.minimum))
        self._validator.setTop(math.inf if spec.maximum is None else float(spec.maximum))

    def set_value(self, value: Any) -> None:
        self._value = value
        self.setText(f"{float(value):g}")

    def value(self) -> float:
        return self._value

    def _finish(self) -> None:
        try:
            value = self._spec.validate(float(self.text()), "form")
        except (ValueError, ConfigError):
            self.set_value(self._value)
            return
        if value != self._value:
            self._value = value
            self.committed.emit(value)


class BoolEditor(QCheckBox):
    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clicked.connect(lambda checked: self.committed.emit(bool(checked)))

    def set_value(self, value: Any) -> None:
        self.setChecked(bool(value))

    def value(self) -> bool:
        return self.isChecked()


class ChoiceEditor(QComboBox):
    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItems(list(spec.choices))
        wheel_only_when_focused(self)
        self.activated.connect(lambda index: self.committed.emit(self.itemText(index)))

    def set_value(self, value: Any) -> None:
        self.setCurrentIndex(self.findText(str(value)))

    def value(self) -> str:
        return self.currentText()


class TextEditor(QLineEdit):
    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = spec.default
        self.editingFinished.connect(self._finish)

    def set_value(self, value: Any) -> None:
        self._value = value
        self.setText("" if value is None else str(value))

    def value(self) -> str:
        return self.text()

    def _finish(self) -> None:
        if self.text() != self._value:
            self._value = self.text()
            self.committed.emit(self._value)


class PathEditor(QWidget):
    """A file path: typed, or chosen with the "…" button."""

    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = TextEditor(spec, self)
        self.text_edit.committed.connect(self.committed)
        browse = QToolButton(self)
        browse.setText("…")
        browse.setToolTip("choose a file")
        browse.clicked.connect(self._browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text_edit)
        layout.addWidget(browse)

    def set_value(self, value: Any) -> None:
        self.text_edit.set_value(value)

    def value(self) -> str:
        return self.text_edit.text()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file", self.text_edit.text())
        if path:
            self.text_edit.setText(path)
            self.text_edit.editingFinished.emit()


class TupleEditor(QLineEdit):
    """Whole numbers separated by commas (any count); an entry out of range is refused."""

    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec = spec
        self._value: tuple[int, ...] = ()
        self.setValidator(QRegularExpressionValidator(_INT_LIST, self))
        self.editingFinished.connect(self._finish)

    def set_value(self, value: Any) -> None:
        self._value = tuple(int(v) for v in value)
        self.setText(", ".join(str(v) for v in self._value))

    def value(self) -> tuple[int, ...]:
        return self._value

    def _finish(self) -> None:
        try:
            items = [int(part) for part in self.text().split(",") if part.strip()]
            value = self._spec.validate(items, "form")
        except (ValueError, ConfigError) as error:
            self.setToolTip(f"{describe(self._spec)}\n{error}")
            self.set_value(self._value)
            return
        if value != self._value:
            self._value = value
            self.committed.emit(value)


class FixedTupleEditor(QWidget):
    """One bounded spin box per entry, for tuples of fixed length (kernel sizes, strides)."""

    committed = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[QSpinBox] = []
        for _ in range(spec.length or 0):
            box = CompactSpinBox(self)
            box.setRange(*_int_bounds(spec))
            box.setKeyboardTracking(False)
            wheel_only_when_focused(box)
            box.valueChanged.connect(self._emit)
            layout.addWidget(box)
            self.boxes.append(box)

    def set_value(self, value: Any) -> None:
        values = [int(value)] * len(self.boxes) if isinstance(value, int) else list(value)
        for box, item in zip(self.boxes, values, strict=False):
            box.blockSignals(True)
            box.setValue(int(item))
            box.blockSignals(False)

    def value(self) -> tuple[int, ...]:
        return tuple(box.value() for box in self.boxes)

    def _emit(self) -> None:
        self.committed.emit(self.value())


class OptionalEditor(QWidget):
    """For parameters whose default is None ("same as pool size"): an "auto" box, else a value."""

    committed = Signal(object)

    def __init__(self, inner: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.inner = inner
        self.auto = QCheckBox("auto", self)
        self.auto.setToolTip("use the layer's own choice (the parameter's default)")
        inner.setParent(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.auto)
        layout.addWidget(inner, 1)
        self.auto.clicked.connect(self._toggled)
        inner.committed.connect(self.committed)

    def set_value(self, value: Any) -> None:
        self.auto.setChecked(value is None)
        self.inner.setEnabled(value is not None)
        if value is not None:
            self.inner.set_value(value)

    def _toggled(self, auto: bool) -> None:
        self.inner.setEnabled(not auto)
        self.committed.emit(None if auto else self.inner.value())


_EDITORS: dict[str, type[QWidget]] = {
    "int": IntEditor,
    "float": FloatEditor,
    "bool": BoolEditor,
    "choice": ChoiceEditor,
    "str": TextEditor,
    "int_tuple": TupleEditor,
}
