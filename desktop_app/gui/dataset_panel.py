"""The dataset panel: choose a built-in dataset or import a file, set its options, preview it.

Loading runs in the background; a file that cannot be read shows its error here and in the log
instead of raising. The panel only emits edits; the window applies them as undoable commands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..data.dataset import Dataset
from ..registry import Registry
from .background import Task
from .dataset_preview import DatasetPreview
from .forms.component_form import ComponentForm
from .forms.schema_form import SchemaForm
from .settings_schemas import PREPROCESSING_SCHEMA

# Which importer reads a file, by its ending; the option its path goes into.
IMPORTERS = {
    ".csv": ("csv", "path"),
    ".txt": ("csv", "path"),
    ".npy": ("numpy", "path"),
    ".npz": ("numpy", "path"),
    ".idx": ("idx", "images_path"),
    "-ubyte": ("idx", "images_path"),
    "-ubyte.gz": ("idx", "images_path"),
}
IMPORT_FILTER = "Data files (*.csv *.txt *.npy *.npz *.idx *-ubyte *-ubyte.gz);;All files (*)"


def importer_for(path: str) -> tuple[str, str] | None:
    """(dataset type, path option) for a file, or None when no importer knows its ending."""
    name = Path(path).name.lower()
    for ending, importer in sorted(IMPORTERS.items(), key=lambda item: -len(item[0])):
        if name.endswith(ending):
            return importer
    return None


class DatasetPanel(QWidget):
    """Shows the project's dataset section and a preview of what it loads."""

    # the user picked another dataset type
    dataset_chosen = Signal(str)
    # (option, value) of the current dataset
    option_edited = Signal(str, object)
    # (setting, value): scaling, one_hot
    preprocessing_edited = Signal(str, object)
    # (dataset type, options): the user imported a file
    import_requested = Signal(str, object)
    # the current dataset finished loading
    loaded = Signal(object)
    # a message: the current dataset could not be loaded
    failed = Signal(str)

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: Dataset | None = None
        # why the current source could not be loaded ("" while it loads or once it has)
        self.failure = ""
        self._task: Task | None = None
        self._shown_key: Any = None
        self.source = ComponentForm(registry.datasets, self)
        self.source.setObjectName("dataset_source")
        self.import_button = QPushButton("Import file…", self)
        self.import_button.setObjectName("dataset_import")
        self.preprocessing = SchemaForm(PREPROCESSING_SCHEMA, self)
        self.info = QLabel(self)
        self.info.setObjectName("dataset_info")
        self.info.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("dataset_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d1242f;")
        self.error.hide()
        self.preview = DatasetPreview(self)
        box = QGroupBox("Source", self)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.source)
        box_layout.addWidget(self.import_button)
        box_layout.addWidget(self.preprocessing)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.error)
        layout.addWidget(self.info)
        layout.addWidget(self.preview, 1)
        self.source.type_chosen.connect(self.dataset_chosen)
        self.source.edited.connect(self.option_edited)
        self.preprocessing.edited.connect(self.preprocessing_edited)
        self.import_button.clicked.connect(self._ask_import)

    @property
    def loading(self) -> bool:
        """A load is under way (``loaded`` or ``failed`` follows)."""
        return self._task is not None

    def show_dataset_section(self, section: dict[str, Any], load: Callable[[], Dataset]) -> None:
        """Show the project's ``dataset`` section; reload in the background if the source changed."""
        self.source.show_component(section["type"], section.get("options", {}))
        self.preprocessing.set_values(section)
        key = (section["type"], repr(sorted(section.get("options", {}).items())))
        if key != self._shown_key:
            self._shown_key = key
            self.dataset = None  # the previous source's data says nothing about this one
            self._start_loading(load)

    def import_file(self, path: str) -> None:
        """Ask for ``path`` to become the dataset, through the importer its ending names."""
        importer = importer_for(path)
        if importer is None:
            self._show_error(f"{path}: no importer reads this kind of file. "
                             f"Expected one of: {', '.join(sorted(IMPORTERS))}")
            return
        type_name, option = importer
        self._shown_key = None  # the file on show may be asked again once fixed: read it again
        self.import_requested.emit(type_name, {option: path})

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a dataset", "", IMPORT_FILTER)
        if path:
            self.import_file(path)

    def _start_loading(self, load: Callable[[], Dataset]) -> None:
        self.info.setText("Loading…")
        self.error.hide()
        self.failure = ""
        task = Task(load)
        task.finished.connect(self._loaded)
        task.failed.connect(self._failed)
        self._task = task
        task.start()

    def _loaded(self, task: Task, dataset: Dataset) -> None:
        if task is not self._task:
            return  # an older request finished after a newer one started
        self._task = None
        self.dataset = dataset
        self.error.hide()
        self.info.setText(describe(dataset))
        self.preview.show_dataset(dataset)
        self.loaded.emit(dataset)

    def _failed(self, task: Task, error: BaseException) -> None:
        if task is not self._task:
            return
        self._task = None
        self.dataset = None
        self.preview.clear()
        self.info.setText("")
        self._show_error(str(error) or type(error).__name__)

    def _show_error(self, message: str) -> None:
        self.failure = message
        self.error.setText(message)
        self.error.show()
        self.failed.emit(message)


def describe(dataset: Dataset) -> str:
    """Samples, shapes and classes in one short paragraph."""
    lines = [f"<b>{dataset.name}</b>: {len(dataset):,} samples of shape {dataset.sample_shape}"]
    if dataset.class_names:
        counts = [int((dataset.y == k).sum()) for k in range(len(dataset.class_names))]
        pairs = zip(dataset.class_names, counts, strict=True)
        classes = ", ".join(f"{name} ({count})" for name, count in pairs)
        lines.append(f"{len(dataset.class_names)} classes ({dataset.task}): {classes}")
    else:
        lines.append(f"regression targets of shape {dataset.target_shape}")
    return "<br>".join(lines)
