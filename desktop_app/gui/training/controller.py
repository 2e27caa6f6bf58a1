"""The training session of one window: starts runs on a worker thread and keeps what they trained.

Between runs the controller keeps the last Run (model, optimizer, data). Training again picks up
from it: the very same run (optimizer state and all) when nothing that matters changed, a new run
starting from its weights when only the data or training settings changed, fresh weights from
the project's seed when the network changed, the user reset the weights or the last run diverged
(its weights are wrecked: continuing from them after a lower learning rate trains dead units). A
fresh run is built by ``build_run`` exactly as the CLI builds it, so the same seed gives the same
weights.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PySide6.QtCore import QEventLoop, QObject, QThread, QTimer, Signal, Slot

from ...data.dataset import Dataset
from ...engine.callbacks import History, RunResult
from ...engine.control import OPTIMIZER, TrainingControl
from ...engine.graph import Model
from ...plugin_system import PluginProblem
from ...project.document import Project
from ...project.run import Run, RunOverrides, build_run
from ...project.weights import graph_fingerprint, save_trained
from ...registry import Registry
from ..collector import GuiThreadCollector
from ..health.feed import HealthFeed
from .bridge import Progress, RunStarted, ThrottledBridge
from .clock import Clock, monotonic
from .predictions import SamplePredictions, predict_samples
from .record import TrainingRecord
from .worker import TrainingWorker

State = Literal["idle", "running", "paused", "stopping"]
Start = Literal["fresh", "continue", "resume"]


@dataclass(frozen=True)
class RunKeys:
    """What a project's network is, and what a run of it is (network, data, settings)."""

    model: str
    run: str

    @classmethod
    def of(cls, project: Project) -> RunKeys:
        data = project.to_json()
        nodes = [{k: v for k, v in node.items() if k != "position"} for node in data["model"]["nodes"]]
        model = json.dumps({**data["model"], "nodes": nodes}, sort_keys=True)
        return cls(model, json.dumps([model, data["dataset"], data["training"]], sort_keys=True))


@dataclass(frozen=True)
class _Kept:
    run: Run
    keys: RunKeys
    # the run's loss diverged or became non-finite (the Health tab's diverging rule)
    diverged: bool = False


class TrainingController(QObject):
    """Start, pause, resume, stop, reset; the kept model for saving, exporting and predicting."""

    # "idle", "running", "paused" or "stopping"
    state_changed = Signal(str)
    # a run is about to start, its thread not yet running: the x (epochs) its curves will reach;
    # lay the window out for it (without processing events: the thread starts from the event loop)
    starting = Signal(float)
    # a run is starting (RunStarted); the record already knows
    run_started = Signal(object)
    # new batches reached the record (Progress)
    progressed = Signal(object)
    # a run ended without error: its History
    finished = Signal(object)
    # a run failed: the message for the user (layer and plugin named)
    failed = Signal(str)
    # (text, level) for the log: "info", "warning" or "error"
    message = Signal(str, str)
    # the weights were reset: nothing is trained, the record is empty
    weights_reset = Signal()
    # the running optimizer's learning rate was changed (from the next batch): the new rate
    learning_rate_set = Signal(float)
    # from the training thread: a plugin's training hook raised (its message); the run went on
    _plugin_problem_raised = Signal(str)

    def __init__(self, project: Callable[[], Project], registry: Registry, clock: Clock = monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self.registry = registry
        self.control = TrainingControl()
        self.record = TrainingRecord()
        self.bridge = ThrottledBridge(self.control, clock=clock, parent=self)
        self.health = HealthFeed(clock=clock, parent=self)
        self.collector = GuiThreadCollector.of_app()
        self.bridge.run_started.connect(self._run_started)
        self.bridge.progressed.connect(self._progressed)
        self.bridge.run_ended.connect(self._run_ended)
        self._plugin_problem_raised.connect(self._plugin_problem)
        self.state: State = "idle"
        self.last_result: RunResult | None = None
        # the kept model was trained since its weights were last saved (or loaded)
        self.unsaved_weights = False
        self._kept: _Kept | None = None
        self._keys: RunKeys | None = None
        # the live settings asked for during the current run, (OPTIMIZER or node, name) -> value
        self._live: dict[tuple[str, str], float] = {}
        self._worker: TrainingWorker | None = None
        self._thread: QThread | None = None
        # starts the thread from the event loop once the window has laid itself out and painted
        self._launcher = QTimer(self)
        self._launcher.setSingleShot(True)
        self._launcher.setInterval(0)
        self._launcher.timeout.connect(self._launch)
        # shutdown() came: a run being laid out (see ``starting``) must not start its thread
        self._shut_down = False
        self._rng = np.random.default_rng()
        # the dataset the window already loaded, by its source (type and options)
        self._dataset: tuple[str, Dataset] | None = None

    # --- requests from the window ------------------------------------------------------------------
    def start(self) -> bool:
        """Train the current project on the worker thread (started from a zero-delay timer: the
        window lays itself out and paints first, and no event is processed inside this call);
        False when a run is already on."""
        if self.state != "idle":
            return False
        project = self._project()
        keys = RunKeys.of(project)
        kept = self._kept
        how = _how_to_start(kept, keys)
        if how == "fresh":
            if kept is not None and kept.keys.model != keys.model:
                self.message.emit("The network changed since the last run: training starts from new "
                                  "weights.", "warning")
            elif kept is not None:
                self.message.emit("The last run diverged: training starts again from the initial "
                                  "weights.", "warning")
            self.record.clear()
        self._keys = keys
        self._live = {}
        worker = TrainingWorker(lambda: self._prepare(project, how, kept), self.bridge)
        worker.finished.connect(self._finished)
        worker.errored.connect(self._errored)
        worker.done.connect(self._done)
        self._worker = worker
        self._set_state("running")
        self._shut_down = False
        self.starting.emit(self.record.epochs_trained + project.training.epochs)
        if self._start_abandoned():
            return False
        self._launcher.start()
        return True

    def _launch(self) -> None:
        if self._start_abandoned():
            return
        self.collector.hold()
        self._thread = self._worker.start()

    def _start_abandoned(self) -> bool:
        """The window closed (or dropped the project) before the run's thread started: it does not."""
        if not self._shut_down:
            return False
        self._worker = None
        self._set_state("idle")
        return True

    def remember_dataset(self, dataset: Dataset) -> None:
        """The window loaded the project's dataset: runs of the same source use it as it is
        (read-only) instead of loading it again on the training thread."""
        self._dataset = (_source_key(self._project()), dataset)

    def pause(self) -> None:
        if self.state == "running":
            self.control.pause()
            self._set_state("paused")

    def resume(self) -> None:
        if self.state == "paused":
            self.control.resume()
            self._set_state("running")

    def stop(self) -> None:
        """End the run before its next batch; its weights are kept for the next one."""
        if self.state in ("running", "paused"):
            self.control.stop()
            self._set_state("stopping")

    def watch(self, views: frozenset[str]) -> None:
        """Which probe views the plots show (see ``probes``); taken at the next probe."""
        self.bridge.watched = views

    def set_learning_rate(self, lr: float) -> None:
        """Change the running optimizer's learning rate from the next batch."""
        if self.state in ("running", "paused"):
            self.control.set_learning_rate(lr)
            self._live[(OPTIMIZER, "learning_rate")] = float(lr)
            # the project now says what the run does: a run resumed after a stop is the same run
            self._keys = RunKeys.of(self._project())
            self.message.emit(f"Learning rate set to {lr:g} from the next batch.", "info")
            self.learning_rate_set.emit(lr)

    def set_param(self, target: str, name: str, value: float) -> None:
        """Change a parameter of the running optimizer (``target`` OPTIMIZER) or of the layer at node
        ``target`` from the next batch (the project was edited to say so first)."""
        if self.state in ("running", "paused"):
            self.control.set_param(target, name, value)
            self._live[(target, name)] = float(value)
            self._keys = RunKeys.of(self._project())  # as for the learning rate
            self.message.emit(f"{target} {name} set to {value:g} from the next batch.", "info")

    def reset_weights(self) -> None:
        """Forget the trained model: the next run starts from the project seed's weights."""
        if self.state != "idle":
            return
        self.forget()
        self.message.emit("Weights reset: the next run starts from fresh weights.", "info")

    def forget(self) -> None:
        """Drop the kept model and its curves without a word."""
        if self.state != "idle":
            return
        self._kept = None
        self.unsaved_weights = False
        self.record.clear()
        self.weights_reset.emit()

    def forget_project(self) -> None:
        """Another project was loaded (no run is on): nothing of the previous one is kept or shown."""
        if self.state != "idle":
            return
        self._dataset = None
        self.last_result = None
        self.forget()

    def adopt(self, run: Run) -> None:
        """Keep ``run`` (built with saved weights) as the trained model: predictions, export and
        the next run start from it; its weights are saved already."""
        if self.state != "idle":
            return
        self.record.clear()
        self._kept = _Kept(run, RunKeys.of(run.project))
        self.unsaved_weights = False
        self.weights_reset.emit()  # the views show what is kept now

    def stop_and_wait(self) -> None:
        """Stop a run and return once it has ended, its model kept (to save it or drop it); events
        flow meanwhile. A run still being laid out does not start."""
        if self.state == "idle":
            return
        if self._thread is None:
            self._shut_down = True
            return
        loop = QEventLoop()

        def ended(state: str) -> None:
            if state == "idle":
                loop.quit()

        self.state_changed.connect(ended)
        self.stop()
        if self.state != "idle":
            loop.exec()
        self.state_changed.disconnect(ended)

    def shutdown(self) -> None:
        """Stop a run and wait for its thread (the window is closing); a run about to start
        does not start."""
        self._shut_down = True
        if self._thread is not None:
            self.control.stop()
            self._thread.wait()
            self._thread = None
            self.collector.release()

    # --- the kept model -------------------------------------------------------------------------------
    @property
    def has_model(self) -> bool:
        return self._current() is not None

    def trained_model(self) -> Model | None:
        """The model the last run trained, while it is the project's network (None before any run,
        after the graph was edited or another project opened). Not while a run is on."""
        run = self.trained_run()
        return run.model if run else None

    def trained_run(self) -> Run | None:
        """The run ``trained_model`` comes from (its loss and preprocessing too), on the same terms."""
        if self.state != "idle":
            raise ValueError("a training run is on: stop it (or let it finish) first")
        kept = self._current()
        return kept.run if kept else None

    def _current(self) -> _Kept | None:
        kept = self._kept
        if kept is None or RunKeys.of(self._project()).model != kept.keys.model:
            return None
        return kept

    def save_weights(self, path: str | Path) -> Path:
        """Write the trained weights (their preprocessing record and the network's fingerprint
        beside them) to ``path``."""
        run = self._idle_run()
        target = Path(path)
        save_trained(target, run.model, run.preprocessing, graph_fingerprint(self._project(), run.model))
        self.unsaved_weights = False
        return target

    def predict_samples(self) -> SamplePredictions:
        """A few held-out samples through the trained model."""
        return predict_samples(self._idle_run(), self._rng)

    def _idle_run(self) -> Run:
        """The kept run of the project's network while no run is on (ValueError otherwise)."""
        if self.trained_model() is None:
            raise ValueError("this network is not trained yet: train it first")
        return self._kept.run

    def next_run(self) -> tuple[Start, Run]:
        """How Train would start now and the run it would train (the kept one, or one built here on
        the calling thread, not trained). Not while a run is on."""
        if self.state != "idle":
            raise ValueError("a training run is on: stop it (or let it finish) first")
        project = self._project()
        how = _how_to_start(self._kept, RunKeys.of(project))
        return how, self._prepare(project, how, self._kept)

    # --- the training thread ----------------------------------------------------------------------------
    def _prepare(self, project: Project, how: Start, kept: _Kept | None) -> Run:
        """Runs on the training thread: the run to train (built, or the kept one to resume)."""
        if how == "resume" and kept is not None:
            run = kept.run
        else:
            weights = kept.run.model.get_weights() if how == "continue" and kept is not None else None
            known = self._dataset
            dataset = known[1] if known is not None and known[0] == _source_key(project) else None
            run = build_run(project, RunOverrides(weights=weights), registry=self.registry, dataset=dataset,
                            control=self.control, on_plugin_problem=self._report_plugin_problem)
        self.health.watch(run)
        return run

    def _report_plugin_problem(self, problem: PluginProblem) -> None:
        """On the training thread: the message crosses to this (the GUI) thread queued."""
        self._plugin_problem_raised.emit(problem.message)

    # --- signals from the worker (queued to this thread) --------------------------------------------------
    @Slot(object)
    def _run_started(self, started: RunStarted) -> None:
        self.record.begin(started)
        self.run_started.emit(started)

    @Slot(object)
    def _progressed(self, progress: Progress) -> None:
        self.record.add(progress)
        self.progressed.emit(progress)

    @Slot(object)
    def _run_ended(self, result: RunResult) -> None:
        self.last_result = result

    @Slot(object)
    def _finished(self, history: History) -> None:
        self.finished.emit(history)

    @Slot(str, object)
    def _errored(self, text: str, _error: BaseException) -> None:
        self.message.emit(f"Training failed: {text}", "error")
        self.failed.emit(text)

    @Slot(str)
    def _plugin_problem(self, text: str) -> None:
        self.message.emit(text, "warning")

    @Slot(object)
    def _done(self, run: Run | None) -> None:
        if self._thread is not None:
            self._thread.wait()
            self.collector.release()
        self._thread = self._worker = None
        if run is not None and self._keys is not None:
            _apply_live_settings(run, self._live)
            monitor = self.health.monitor
            self._kept = _Kept(run, self._keys, monitor is not None and monitor.record().diverged)
            self.unsaved_weights = True
        # a stop or a learning rate requested too late for the run (or before a run that could not
        # be built) must not reach the next one
        self.control.reset()
        self._live = {}
        self._set_state("idle")

    def _set_state(self, state: State) -> None:
        self.state = state
        self.state_changed.emit(state)


def _apply_live_settings(run: Run, live: dict[tuple[str, str], float]) -> None:
    """The live settings asked for during ``run``, set on it now that it is over: a stop (or the
    run's end) can come before a batch took them, and the kept run, which the next Train resumes,
    must be what the project now says."""
    for (target, name), value in live.items():
        component = run.optimizer if target == OPTIMIZER else run.model.layers.get(target)
        if component is not None:
            component.config[name] = value


def _source_key(project: Project) -> str:
    """What a loaded dataset depends on: its source's type and options (not its preprocessing)."""
    return json.dumps([project.dataset.type, project.dataset.options, str(project.folder)], sort_keys=True)


def _how_to_start(kept: _Kept | None, keys: RunKeys) -> Start:
    if kept is None or kept.keys.model != keys.model or kept.diverged:
        return "fresh"
    return "resume" if kept.keys.run == keys.run else "continue"


def relative_to_project(path: Path, project: Project) -> str:
    """``path`` as the project file stores it: relative to the project's folder when inside it."""
    if project.path is None:
        return str(path.resolve())
    try:
        return path.resolve().relative_to(project.folder.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def project_weights_edit(relative: str) -> Callable[[dict[str, Any]], None]:
    """The document edit that points the project at its trained weights file."""

    def change(data: dict[str, Any]) -> None:
        data["weights"] = relative

    return change
