"""The trained weights kept with the project: written beside it when it is saved, loaded when it is
opened (only into the network they were trained for), and named in the status bar.

Saving ``net.bps.json`` with a trained model writes ``net.weights.npz`` and its preprocessing
record ``net.weights.data.json`` beside it (each atomically) and records the file in the project,
where ``backprop-studio predict`` and ``export`` find it. Opening a project whose recorded weights
fit its network loads them as the trained model once its dataset is loaded; weights that do not
fit are shown as stale and left alone.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from ..data.errors import DataError
from ..project.errors import ProjectError
from ..project.files import PROJECT_SUFFIX
from ..project.recorded_weights import RecordedWeights, check_recorded_weights
from ..project.run import RunOverrides, build_run
from ..project.weights import sidecar_path
from ..registry import Registry
from .dataset_panel import DatasetPanel
from .document import ProjectDocument
from .log_panel import LogPanel
from .training.controller import RunKeys, TrainingController, project_weights_edit
from .window_parts import WindowParts

WEIGHTS_SUFFIX = ".weights.npz"


def weights_beside(project_file: Path) -> Path:
    """``folder/net.bps.json`` -> ``folder/net.weights.npz``."""
    stem = project_file.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json")
    return project_file.with_name(stem + WEIGHTS_SUFFIX)


class ProjectWeights(QObject):
    """Saves, loads and names the project's trained weights for one window (the trained model is
    ``controller``'s; the label sits in the status bar)."""

    def __init__(self, parts: WindowParts, controller: TrainingController, document: ProjectDocument,
                 dataset: DatasetPanel, registry: Registry, log: LogPanel) -> None:
        super().__init__(parts.widget)
        self.controller = controller
        self.document = document
        self.dataset = dataset
        self.registry = registry
        self.log = log
        self.label = QLabel(parts.widget)
        self.label.setObjectName("weights_status")
        parts.add_status_widget(self.label)
        self._checked: tuple[object, RecordedWeights] | None = None
        self._load_pending = True
        dataset.loaded.connect(lambda _dataset: self._load_recorded())
        document.changed.connect(self.update_status)
        self.controller.state_changed.connect(self.update_status)
        self.controller.weights_reset.connect(self.update_status)
        self.update_status()

    # --- opening ------------------------------------------------------------------------------------
    def project_loaded(self) -> None:
        """Another project is on show (the controller has forgotten the last one's model when the
        document was replaced): load this one's weights."""
        self._load_pending = True
        if not self.dataset.loading and self.dataset.dataset is not None:
            self._load_recorded()
        self.update_status()

    def _load_recorded(self) -> None:
        """Load the recorded weights as the trained model, once, when they fit the network."""
        if not self._load_pending or self.controller.state != "idle" or self.controller.has_model:
            return
        self._load_pending = False
        project = self.document.project()
        recorded = self._recorded(project)
        if recorded.fit != "fits":
            if recorded.fit != "none":
                self.log.log(f"Trained weights not loaded: {recorded.reason}", "warning")
            return
        try:
            run = build_run(project, RunOverrides(weights=recorded.arrays), registry=self.registry,
                            dataset=self.dataset.dataset)
        except (ProjectError, DataError, ValueError) as error:
            self.log.log(f"Trained weights not loaded: {error}", "warning")
            return
        self.controller.adopt(run)
        self.log.log(f"Loaded the trained weights {recorded.path}")
        if not sidecar_path(recorded.path).is_file():
            self.log.log(
                f"Note: no preprocessing record beside {recorded.path}: the input scaler was refitted "
                "from the project's dataset, as its training would have fitted it.", "warning")
        self.update_status()

    # --- saving -------------------------------------------------------------------------------------
    def save_beside(self, project_file: Path) -> bool:
        """Before the project is saved to ``project_file``: write the trained weights beside it and
        record them, when there are trained weights the file beside does not hold yet.
        False (reported) when they cannot be written."""
        if not self.controller.has_model or self.controller.state != "idle":
            return True
        target = weights_beside(project_file)
        recorded = self.document.project().weights_path()
        same_file = recorded is not None and recorded.resolve() == target.resolve()
        if same_file and not self.controller.unsaved_weights:
            return True
        try:
            self.controller.save_weights(target)
        except (ValueError, OSError) as error:
            self.log.log(f"Cannot save the trained weights: {error}", "error")
            return False
        self.document.edit("Use trained weights", project_weights_edit(target.name))
        self.log.log(f"Saved the trained weights to {target}")
        return True

    # --- the status bar -------------------------------------------------------------------------------
    def update_status(self) -> None:
        text, tip = self.describe()
        self.label.setText(text)
        self.label.setToolTip(tip)

    def describe(self) -> tuple[str, str]:
        """The status-bar text about the weights, and its tooltip."""
        controller = self.controller
        if controller.state != "idle":
            return "Weights: training", "A training run is on"
        project = self.document.project()
        recorded_path = project.weights_path()
        if controller.has_model:
            if controller.unsaved_weights:
                return "Weights: trained, not saved", "Save the project (Ctrl+S) to keep them beside it"
            name = recorded_path.name if recorded_path is not None else "saved"
            return f"Weights: {name}", f"The trained weights in {recorded_path}"
        if recorded_path is None:
            return "Weights: untrained", "The project has no trained weights yet"
        recorded = self._recorded(project)
        if recorded.fit == "stale":
            return f"Weights: {recorded_path.name} stale", (
                f"Not loaded: {recorded.reason}; train again and save to replace them")
        if recorded.fit == "fits" and self._load_pending:
            return f"Weights: {recorded_path.name}", "Loaded once the dataset has loaded"
        if recorded.fit == "fits":
            return "Weights: fresh", f"{recorded_path} is not loaded (the weights were reset)"
        return f"Weights: {recorded_path.name} not loaded", recorded.reason

    def _recorded(self, project) -> RecordedWeights:
        """``check_recorded_weights``, remembered while the network and the file stay the same."""
        path = project.weights_path()
        stamp = path.stat().st_mtime_ns if path is not None and path.is_file() else None
        key = (RunKeys.of(project).model, str(path), stamp)
        if self._checked is None or self._checked[0] != key:
            self._checked = (key, check_recorded_weights(project, self.registry))
        return self._checked[1]
