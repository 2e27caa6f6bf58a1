"""What the probe lab looks at, and never a half-updated model.

While no run is on: the window's trained model (trained, or loaded with the project), else a fresh
one built from the project's seed exactly as Train would build it. While a run is on: a model of
the lab's own holding a copy of the training weights, taken on the training thread between two
batches (``WeightTap``), or read while the run is parked by a pause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from PySide6.QtCore import QObject, QTimer, Signal

from ...data.dataset import Dataset
from ...data.errors import DataError
from ...engine.callbacks import BatchEvent, EpochEvent
from ...engine.errors import EngineError
from ...engine.graph import Model
from ...project.document import Project
from ...project.errors import ProjectError
from ...project.run import Run, build_run
from ...registry import Registry
from ..training.controller import RunKeys, TrainingController
from ..training.worker import describe_error

Kind = Literal["trained", "untrained", "training"]
PARK_RETRY_MS = 50  # a pause not yet parked is looked at again this much later


@dataclass(frozen=True)
class WeightCopy:
    """The training weights between two batches: ``run`` is the training run (read-only here)."""

    run: Run
    weights: dict
    epoch: int
    # taken at an epoch's end (the point map follows those when asked to)
    epoch_end: bool = False


@dataclass(frozen=True)
class Subject:
    """A model to probe with its loss, scaling and data (``run``), and what it is, for the user."""

    run: Run
    kind: Kind
    description: str
    epoch_end: bool = False

    @property
    def editable(self) -> bool:
        """Edits change the window's kept model: only the trained one, while no run is on."""
        return self.kind == "trained"


class WeightTap(QObject):
    """Called by the training bridge between two batches: copies the weights when asked
    (``wanted``), and at every epoch's end while ``each_epoch`` is set."""

    # a WeightCopy, queued to the GUI thread
    copied = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # set from the GUI thread (single assignments), read on the training thread
        self.wanted = False
        self.each_epoch = False
        # a copy is on its way or being looked at: no other one is taken until the GUI is done with
        # it (epochs of a small network end faster than the lab redraws; copies would pile up)
        self.in_flight = False

    def __call__(self, run: Run, event: BatchEvent | EpochEvent) -> None:
        if self.in_flight:
            return
        if self.wanted or (self.each_epoch and isinstance(event, EpochEvent)):
            self.wanted = False
            self.in_flight = True
            at_end = isinstance(event, EpochEvent)
            self.copied.emit(WeightCopy(run, run.model.get_weights(), event.epoch, at_end))


class SubjectSource(QObject):
    """Hands the lab its current Subject (None, with a reason, when there is nothing to probe)."""

    # the subject changed: another model, or new weights in it
    changed = Signal()

    def __init__(self, controller: TrainingController, project: Callable[[], Project], registry: Registry,
                 dataset: Callable[[], Dataset | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._project = project
        self._registry = registry
        self._dataset = dataset
        self.tap = WeightTap(self)
        controller.bridge.between_batches.append(self.tap)
        self.tap.copied.connect(self._looked_at)
        controller.state_changed.connect(self._state_changed)
        controller.weights_reset.connect(self.changed)
        self.reason = ""
        self._fresh: tuple[object, Run | str] | None = None
        self._training: Subject | None = None
        # (the training run, the lab's run of the same network with a model of its own)
        self._twin: tuple[Run, Run] | None = None

    def current(self) -> Subject | None:
        """The model to probe now; None sets ``reason``."""
        controller = self.controller
        if controller.state != "idle":
            if self._training is None:
                self.reason = "Waiting for the first copy of the training weights…"
            return self._training
        run = controller.trained_run()
        if run is not None:
            return Subject(run, "trained", "the trained weights")
        fresh = self._fresh_run()
        if isinstance(fresh, str):
            self.reason = fresh
            return None
        return Subject(fresh, "untrained", f"untrained weights (seed {fresh.project.training.seed})")

    def request_copy(self) -> None:
        """While a run is on: a fresh copy of its weights (``changed`` follows)."""
        controller = self.controller
        if controller.state == "paused" and controller.control.wait_until_paused(0):
            run = controller.bridge.run  # parked: its weights hold still until resumed from here
            if run is not None:
                self._copied(WeightCopy(run, run.model.get_weights(), 0))
                return
        if controller.state in ("running", "paused"):
            self.tap.wanted = True
        if controller.state == "paused":  # not parked yet (a batch or a validation still running)
            QTimer.singleShot(PARK_RETRY_MS, self, self.request_copy)  # not after self is gone

    def mark_edited(self) -> None:
        """The kept model's weights were edited: they are the window's to save again."""
        self.controller.unsaved_weights = True

    def _looked_at(self, copy: WeightCopy) -> None:
        """A copy from the tap: shown, then the tap may take the next one."""
        try:
            self._copied(copy)
        finally:
            self.tap.in_flight = False

    def _copied(self, copy: WeightCopy) -> None:
        if self.controller.state == "idle":
            return  # a copy that crossed after the run ended: the kept model is current
        if self._twin is None or self._twin[0] is not copy.run:
            run = copy.run
            model = Model(list(run.model.specs.values()), run.model.layer_types, run.model.output_names,
                          run.model.dtype.name, run.model.seed)
            loss = type(run.loss)(**run.loss.get_config())  # its caches stay the training thread's
            self._twin = (run, replace(run, model=model, loss=loss))
        lab_run = self._twin[1]
        lab_run.model.set_weights(copy.weights)
        when = f", epoch {copy.epoch}" if copy.epoch else ", paused"
        self._training = Subject(lab_run, "training", f"a copy of the training weights{when}", copy.epoch_end)
        self.changed.emit()

    def _state_changed(self, state: str) -> None:
        if state == "idle":
            self._training = None
            self._twin = None
            self.tap.wanted = self.tap.in_flight = False  # the next run starts with no copy owed
            self.changed.emit()
        elif state == "running" and self._training is None:
            self.changed.emit()  # the kept model may be the one this run trains: hands off it
        elif state == "paused":
            self.request_copy()

    def _fresh_run(self) -> Run | str:
        """The project's network with its seed's weights (the reason as text when it cannot be built)."""
        project, dataset = self._project(), self._dataset()
        if dataset is None:
            return "Load the project's dataset to probe the network."
        key = (RunKeys.of(project).run, id(dataset))
        if self._fresh is None or self._fresh[0] != key:
            try:
                built: Run | str = build_run(project, registry=self._registry, dataset=dataset)
            except (ProjectError, DataError, EngineError, ValueError) as error:
                built = f"The network cannot be probed: {describe_error(error)}"
            self._fresh = (key, built)
        return self._fresh[1]
