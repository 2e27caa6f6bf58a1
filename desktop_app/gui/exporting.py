"""File > Export: write the network through any registered exporter (ONNX, .npz, safetensors,
a plugin's format), in the background, by the CLI's own path (``desktop_app.project.exporting``),
or as a PyTorch project (the CLI's ``--format pytorch``, ``desktop_app.project.pytorch_export``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from ..engine.errors import EngineError
from ..project.exporting import TrainedModel, export_trained, load_trained, project_title
from ..project.files import PROJECT_SUFFIX
from ..project.pytorch_export import pytorch_project_files, write_pytorch_project
from ..project.reads import project_inputs
from ..project.run import build_model, make_component
from ..registry import Registry
from .background import Task
from .dialog_folders import offered_folder
from .document import ProjectDocument
from .log_panel import LogPanel

PYTORCH_LABEL = "PyTorch project…"


class ExportMenu(QMenu):
    """One entry per exporter. ``model_provider`` gives the model to write: by default the
    project's network with its saved trained weights (or its initial weights if never trained);
    the training part points it at the model it has just trained."""

    def __init__(self, document: ProjectDocument, registry: Registry, log: LogPanel,
                 parent: QWidget | None = None) -> None:
        super().__init__("&Export", parent)
        self.setObjectName("export_menu")
        self.document = document
        self.registry = registry
        self.log = log
        self.model_provider: Callable[[], TrainedModel] = self.saved_model
        self._tasks: dict[Task, str] = {}
        self.fill()

    def fill(self) -> None:
        """(Re)build the entries from the registry's exporters (again after plugins changed)."""
        self.clear()
        for name, cls in sorted(self.registry.exporters.items()):
            action = self.addAction(f"{name} ({cls.suffix})…" if cls.suffix else f"{name}…")
            action.setStatusTip(cls.description)  # a menu shows no tooltips: the status bar says it
            action.triggered.connect(lambda _checked=False, name=name: self.ask_and_export(name))
        if not self.registry.exporters:
            self.addAction("(no exporters installed)").setEnabled(False)
        self.addSeparator()
        action = self.addAction(PYTORCH_LABEL)
        action.setStatusTip("A folder with the network as PyTorch code, a training script that trains as "
                            "the app does (also under torchrun), the data and the weights. Needs torch.")
        action.triggered.connect(lambda _checked=False: self.ask_and_export_pytorch())

    def saved_model(self) -> TrainedModel:
        project = self.document.project()
        weights = project.weights_path()
        if weights is not None and weights.is_file():
            return load_trained(project, weights, self.registry)
        self.log.log("The project has no trained weights: exporting its initial weights.", "warning")
        loss = make_component(self.registry.losses, project.training.loss, project, "$.training.loss.config")
        return TrainedModel(build_model(project, self.registry), loss, None, project_title(project))

    def ask_and_export(self, name: str) -> None:
        """Ask where, offering ``<project>.<suffix>`` beside the project; the suffix is added to a
        name typed without it."""
        cls = self.registry.exporters[name]
        label = f"{cls.label or name} (*{cls.suffix})" if cls.suffix else (cls.label or name)
        path = ask_save_path(self.parentWidget(), f"Export as {cls.label or name}", self.document,
                             cls.suffix, label)
        if path is not None:
            self.export(name, path)

    def export(self, name: str, path: Path) -> Task | None:
        """Export to ``path`` in the background; a failure is shown (and logged), not raised.
        Returns the running task."""
        try:
            trained = self.model_provider()
        except (ValueError, OSError, EngineError) as error:
            self.report_failure(f"Cannot export: {error}")
            return None
        exporter = self.registry.exporters[name]
        return self.start(f"{name} to {path}", lambda: export_trained(exporter, trained, path, self.registry))

    def ask_and_export_pytorch(self) -> None:
        """Ask for the folder, offering ``<project>-pytorch`` beside the project."""
        folder = ask_save_path(self.parentWidget(), "Export as a PyTorch project", self.document, "",
                               "PyTorch project folder (*)", offered="-pytorch")
        if folder is not None:
            self.export_pytorch(folder)

    def export_pytorch(self, folder: Path) -> Task | None:
        """Write the network ``model_provider`` gives, the project's training settings and its data
        as a PyTorch project in ``folder``, in the background. Returns the running task."""
        try:
            weights = self.model_provider().model.get_weights()
        except (ValueError, OSError, EngineError) as error:
            self.report_failure(f"Cannot export: {error}")
            return None
        project, registry = self.document.project(), self.registry

        def write() -> None:
            write_pytorch_project(folder, pytorch_project_files(project, registry, weights),
                                  project_inputs(project, registry))

        return self.start(f"PyTorch project to {folder}", write)

    def start(self, what: str, call: Callable[[], str | None]) -> Task:
        """Run an export (``call`` returns a note or None) in the background; ``what`` names it in
        the log."""
        task = Task(call)
        task.finished.connect(self._exported)
        task.failed.connect(self._failed)
        self._tasks[task] = what
        task.start()
        return task

    def _exported(self, task: Task, note: str | None) -> None:
        self.log.log(f"Exported {self._tasks.pop(task)}")
        if note:
            self.log.log(f"Note: {note}.", "warning")

    def _failed(self, task: Task, error: BaseException) -> None:
        self.report_failure(f"Export of {self._tasks.pop(task)} failed: {error}")

    def report_failure(self, message: str) -> None:
        """The user asked for the file: a failure is said where they look, not only in the log."""
        self.log.log(message, "error")
        QMessageBox.warning(self.parentWidget(), "Export failed", message)


def ask_save_path(parent: QWidget | None, title: str, document: ProjectDocument, suffix: str,
                  label: str, offered: str | None = None) -> Path | None:
    """The save dialog of an export: it offers ``<project name><offered>`` (default: ``suffix``) in
    the project's folder (home for a shipped example), and a name typed without ``suffix`` gets it.
    None when cancelled."""
    folder = offered_folder(document.path)
    stem = document.path.name.removesuffix(PROJECT_SUFFIX) if document.path else "untitled"
    name = f"{stem}{offered or suffix}"
    path, _ = QFileDialog.getSaveFileName(parent, title, str(folder / name),
                                          f"{label};;All files (*)")
    if not path:
        return None
    chosen = Path(path)
    if suffix and not chosen.name.lower().endswith(suffix.lower()):
        chosen = chosen.with_name(chosen.name + suffix)
    return chosen
