"""The throttling bridge: the engine's callbacks on the training thread, queued signals to the GUI.

``on_batch_end`` can run thousands of times a second. The bridge only appends each batch's numbers
to lists there, and emits what gathered at most ``rate`` times a second (at once when a pause or a
stop is pending, so the plots show the last batch before the run waits or ends). Heavier looks at
the model (histograms, decision boundary, confusion matrix: ``Probes``) are taken between two
batches at a few hertz, and never more often than keeps their cost under ``PROBE_BUDGET`` of the
training time; only the views in ``watched`` (the tabs on show, set from the GUI) are looked at,
and all of them once more at the end of a run. Signals are emitted from the training thread; Qt
queues them to the GUI's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from ...engine.callbacks import BatchEvent, EpochEvent, RunInfo, RunResult
from ...engine.control import TrainingControl
from ...project.run import Run
from .clock import Clock, monotonic
from .probes import VIEWS, DataPoints, Probes, Snapshot

RATE = 25.0  # emissions per second, at most
PROBE_INTERVAL = 0.25  # seconds between two probes, at least
PROBE_BUDGET = 0.02  # probes may take this fraction of the training time, at most


@dataclass(frozen=True)
class RunStarted:
    """What the plots need to know before the first batch arrives."""

    info: RunInfo
    # the optimizer's learning rate (the one a schedule scales; NaN when no run is watched)
    learning_rate: float
    # nodes with parameters, in model order (one gradient-norm curve and histogram each)
    layers: tuple[str, ...]
    metric_names: tuple[str, ...]
    class_names: tuple[str, ...]
    has_boundary: bool
    has_curve: bool
    # "validation" or "training": the samples of the confusion matrix
    confusion_set: str
    points: DataPoints | None


@dataclass(frozen=True)
class Progress:
    """Every batch since the previous emission, the epochs that ended, and maybe a snapshot."""

    steps: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    # (batches, layers): the L2 norm of each layer's gradient (all its parameters together)
    layer_norms: np.ndarray
    epoch: int
    batch: int
    step: int
    samples_seen: int
    # training time of the run so far, pauses excluded
    seconds: float
    epochs: tuple[EpochEvent, ...]
    snapshot: Snapshot | None


class ThrottledBridge(QObject):
    """An engine callback that batches what it hears into at most ``rate`` emissions a second.

    ``watch(run)`` (on the training thread, before ``fit``) sets the run the probes look at.
    ``clock`` is injectable so tests can drive it.
    """

    # a run is starting: RunStarted
    run_started = Signal(object)
    # batches, epochs and a snapshot gathered since the last emission: Progress
    progressed = Signal(object)
    # the run ended (after its last ``progressed``): the engine's RunResult
    run_ended = Signal(object)

    def __init__(self, control: TrainingControl, rate: float = RATE,
                 clock: Clock = monotonic, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.control = control
        self.interval = 1.0 / rate
        self.clock = clock
        self.run: Run | None = None
        self.probes: Probes | None = None
        self.emissions = 0
        # the views the probes look at while training (set from the GUI thread: one assignment)
        self.watched: frozenset[str] = VIEWS
        # called on the training thread between two batches, with the run and the BatchEvent or
        # EpochEvent, while the weights are consistent (the probe lab copies them there)
        self.between_batches: list[Callable[[Run, BatchEvent | EpochEvent], None]] = []
        self._latest: BatchEvent | None = None
        self._membership = np.zeros((0, 0))
        self._clear()

    @property
    def latest_batch(self) -> BatchEvent | None:
        """The last batch the watched run finished (read it while the run is parked by a pause)."""
        return self._latest

    def watch(self, run: Run | None) -> None:
        self.run = run
        self.probes = Probes(run) if run is not None else None

    def _clear(self) -> None:
        self._steps: list[int] = []
        self._losses: list[float] = []
        self._lrs: list[float] = []
        self._norms: list[list[float]] = []
        self._epochs: list[EpochEvent] = []
        self._snapshot: Snapshot | None = None

    # --- engine callbacks (training thread) ----------------------------------------------------------
    def on_run_start(self, info: RunInfo) -> None:
        self._clear()
        probes = self.probes
        layers = tuple(dict.fromkeys(key.split("/")[0] for key in info.parameter_keys))
        # parameter norm j (RunInfo.parameter_keys order) belongs to layer owner[j]
        owner = np.array([layers.index(key.split("/")[0]) for key in info.parameter_keys], dtype=np.intp)
        self._membership = np.zeros((len(owner), len(layers)))
        self._membership[np.arange(len(owner)), owner] = 1.0
        self._last = self._mark = self._next_probe = self.clock()
        self._seconds = 0.0
        self._resuming = False
        self._parks = self.control.parks
        self._latest = None
        learning_rate = float(self.run.optimizer.config["learning_rate"]) if self.run else float("nan")
        self.run_started.emit(RunStarted(
            info, learning_rate, layers, info.metric_names,
            probes.classes if probes else (),
            bool(probes and probes.has_boundary), bool(probes and probes.has_curve),
            probes.confusion_set if probes else "validation",
            probes.points() if probes else None,
        ))

    def on_batch_end(self, event: BatchEvent) -> None:
        now = self.clock()
        # the gap after a pause is not training time: a pause seen at the previous batch's end, or
        # one that came just after it (the trainer parked before this batch)
        parks = self.control.parks
        if not self._resuming and parks == self._parks:
            self._seconds += now - self._mark
        self._mark, self._resuming, self._parks = now, False, parks
        self._steps.append(event.step)
        self._losses.append(event.loss)
        self._lrs.append(event.lr)
        self._norms.append(list(event.grad_norms.values()))
        self._latest = event
        for tap in self.between_batches:
            tap(self.run, event)
        if self.probes is not None and now >= self._next_probe:
            self._probe(self.watched)
        control = self.control
        if control.paused or control.stop_requested:
            self._resuming = True
            self._emit()
        elif now - self._last >= self.interval:
            self._emit()

    def on_epoch_end(self, event: EpochEvent) -> None:
        self._epochs.append(event)
        for tap in self.between_batches:
            tap(self.run, event)

    def on_run_end(self, result: RunResult) -> None:
        if self.probes is not None and result.reason != "error":
            self._probe(VIEWS)
        self._emit()
        self.run_ended.emit(result)

    # --- helpers ---------------------------------------------------------------------------------------
    def _probe(self, views: frozenset[str]) -> None:
        started = self.clock()
        if not views:
            self._next_probe = started + PROBE_INTERVAL
            return
        self._snapshot = self.probes.snapshot(views)
        finished = self.clock()
        self._next_probe = finished + max(PROBE_INTERVAL, (finished - started) / PROBE_BUDGET)

    def _emit(self) -> None:
        latest = self._latest
        if latest is None or not (self._steps or self._epochs or self._snapshot):
            return
        norms = np.asarray(self._norms, dtype=np.float64).reshape(len(self._norms), len(self._membership))
        self.progressed.emit(Progress(
            np.asarray(self._steps, dtype=np.int64),
            np.asarray(self._losses, dtype=np.float64),
            np.asarray(self._lrs, dtype=np.float64),
            np.sqrt(np.square(norms) @ self._membership),
            latest.epoch, latest.batch, latest.step, latest.samples_seen, self._seconds,
            tuple(self._epochs), self._snapshot,
        ))
        self.emissions += 1
        self._last = self.clock()
        self._clear()
