"""Keeps every run the window trains, as the CLI does (``desktop_app.project.run_store``).

The project is taken as the run starts (the one the run trains: edits are locked while it runs),
the layers' gradient norms are gathered per epoch from the progress the plots already receive,
and once the run is over (completed, stopped, diverged or failed) its folder is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ...engine.callbacks import History
from ...engine.errors import NonFiniteLossError
from ...project.document import Project
from ...project.gradient_norms import GradientNormTable
from ...project.run import Run
from ...project.run_store import RunStoreError, describe_run, keep_run
from ..training.bridge import Progress, RunStarted
from ..training.controller import TrainingController


class RunRecorder(QObject):
    """Writes a run folder for each run of ``controller`` into ``home()``, the project's runs folder
    as the run ends (the project may have been saved meanwhile); ``origin`` is the kept run the
    current weights came from (a resumed run names it)."""

    # a run was kept: its KeptRun
    kept = Signal(object)
    # a run could not be kept: the message for the log
    failed = Signal(str)

    def __init__(self, controller: TrainingController, project: Callable[[], Project],
                 home: Callable[[], Path], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._project_of, self._home = project, home
        self.origin: str | None = None
        self._project: Project | None = None
        self._resumed_from: str | None = None
        self._started = 0.0
        self._batches_per_epoch = 1
        self._norms = GradientNormTable()
        self._ended: tuple[History, str, str | None] | None = None
        controller.starting.connect(self._starting)
        controller.run_started.connect(self._run_started)
        controller.progressed.connect(self._progressed)
        controller.finished.connect(self._finished)
        controller.failed.connect(self._failed)
        controller.state_changed.connect(self._state_changed)
        controller.weights_reset.connect(self._weights_reset)

    def _starting(self, _epochs: float) -> None:
        self._project = self._project_of()
        self._resumed_from = self.origin if self.controller.has_model else None
        self._started = time.time()
        self._norms = GradientNormTable()
        self._ended = None

    def _run_started(self, started: RunStarted) -> None:
        self._batches_per_epoch = max(1, started.info.batches_per_epoch)
        self._norms = GradientNormTable(started.layers)

    def _progressed(self, progress: Progress) -> None:
        if len(progress.steps):
            self._norms.add((progress.steps - 1) // self._batches_per_epoch + 1, progress.layer_norms)

    def _finished(self, history: History) -> None:
        self._ended = (history, history.reason or "completed", None)

    def _failed(self, text: str) -> None:
        result = self.controller.last_result
        history = result.history if result is not None else History()
        if result is not None and isinstance(result.error, NonFiniteLossError):
            self._ended = (history, "non_finite", None)  # the last finite weights are kept
        else:
            self._ended = (history, "error", text)

    def _weights_reset(self) -> None:
        self.origin = None

    def _state_changed(self, state: str) -> None:
        if state != "idle" or self._project is None or self._ended is None:
            return
        history, ended, error = self._ended
        project, self._project, self._ended = self._project, None, None
        run = self.controller.trained_run() if ended != "error" else None
        self._keep(project, run, history, ended, error)

    def _keep(self, project: Project, run: Run | None, history: History, ended: str,
              error: str | None) -> None:
        new = describe_run(run, project, self.controller.registry, history, ended, started=self._started,
                           source="window", weights=run.model.get_weights() if run else None,
                           weights_epoch=_weights_epoch(history, project),
                           gradient_norms_csv=self._norms.csv(), error=error,
                           resumed_from=self._resumed_from, monitor=self.controller.health.monitor)
        root = self._home()
        try:
            kept = keep_run(root, new)
        except (OSError, RunStoreError) as problem:
            self.failed.emit(f"Cannot keep the run in {root}: {problem}")
            return
        if run is not None:
            self.origin = kept.id
        self.kept.emit(kept)


def _weights_epoch(history: History, project: Project) -> int | None:
    """The epoch whose end the kept weights are from: the last one, or the best one early stopping
    restored; None for a run stopped mid-epoch (the window keeps its weights as they were)."""
    if history.reason == "stopped" or not history.epochs:
        return None
    stopping = project.training.early_stopping
    if stopping is not None and stopping.restore_best_weights and history.best_epoch is not None:
        return history.best_epoch
    return history.epochs[-1].epoch
