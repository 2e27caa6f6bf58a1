"""HealthMonitor: a trainer callback that measures every layer every ``every`` steps or more.

On a measured step it reads what the step left behind, so nothing is computed twice: the
gradient norms the trainer already took (``BatchEvent.grad_norms``), the weights after the
optimizer step against a copy taken after the step before (the update ‖Δw‖ / ‖w‖), and the
activations the step's forward pass cached for backward (a ReLU's mask, a sigmoid's or tanh's
output). A ReLU unit (a feature, or a channel of an image) is dead when it was positive for no
sample of the last ``DEAD_WINDOW`` measured batches. Copying the weights is the only extra work.

Measuring costs about as much as a few steps of a tiny network, so the monitor spaces its
measurements to keep their cost under ``BUDGET`` of the training time (the approach of the
window's probes): a tiny network is measured every few dozen steps (``MAX_EVERY`` at most), a
large one every ``every``. Costs are the training thread's CPU time, which other busy processes
on the machine do not inflate.
``budget=None`` measures on a fixed schedule (steps 1, every, 2·every, ...) for tests.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from ..callbacks import BatchEvent, EpochEvent, RunInfo, RunResult
from ..divergence import DivergenceWatch
from ..errors import NonFiniteLossError
from ..graph import Model
from ..initial_loss import expected_initial_loss, output_units
from ..loss import Loss
from ..training import Trainer
from .record import SERIES, EpochFigures, HealthRecord, LayerKind, LayerSeries, StepDivergence

MEASURE_EVERY = 10  # steps between two measurements, at least (the first step is always measured)
BUDGET = 0.01  # measuring may take this fraction of the training time, at most (its own estimate)
MAX_EVERY = 100  # steps between two measurements, at most (whatever the budget says)
DEAD_WINDOW = 5  # measured batches (about 50 steps) a ReLU unit must stay at zero to count as dead
# batches whose median loss the divergence rule reads between epochs (at least LOSS_WINDOW_MIN):
# a blow-up shows within a few steps, one or two odd batches do not fire it
LOSS_WINDOW = 5
LOSS_WINDOW_MIN = 3
TANH_SATURATED = 0.97  # |tanh| above this is saturated (Karpathy, makemore part 3)
# sigmoid(x) = (1 + tanh(x/2)) / 2: the same saturation, on (0, 1)
SIGMOID_SATURATED = (1.0 + TANH_SATURATED) / 2.0
RELU_TYPES = frozenset({"ReLU"})
SQUASHING_TYPES = frozenset({"Sigmoid", "Tanh"})


class _Buffer:
    """A growing series in an array with room to spare (doubled when full): ``view()`` costs
    nothing however long the run, and stays valid while later values are appended."""

    def __init__(self, dtype: type = np.float64) -> None:
        self.array = np.empty(64, dtype=dtype)
        self.count = 0

    def append(self, value: float) -> None:
        if self.count == self.array.size:
            self.array = np.concatenate([self.array, np.empty_like(self.array)])
        self.array[self.count] = value
        self.count += 1

    def view(self, count: int) -> np.ndarray:
        return self.array[:count]


class _Track:
    """One node's growing series and what it needs to measure them."""

    def __init__(self, node: str, type_name: str, kind: LayerKind, inputs: tuple[str, ...]) -> None:
        self.node, self.type, self.kind, self.inputs = node, type_name, kind, inputs
        self.values: dict[str, _Buffer] = {name: _Buffer() for name in SERIES[kind]}
        self.keys: list[str] = []  # "node/param" gradient-norm keys (weights)
        self.alive: deque[np.ndarray] = deque(maxlen=DEAD_WINDOW)  # units positive per batch (relu)

    def series(self, count: int) -> LayerSeries:
        values = {name: series.view(count) for name, series in self.values.items()}
        return LayerSeries(self.node, self.type, self.kind, self.inputs, values)


class HealthMonitor:
    """Measures ``model`` while a Trainer with ``loss`` fits it; ``record()`` is a snapshot of what
    it measured so far (the window takes it on the training thread, between two batches)."""

    def __init__(self, model: Model, loss: Loss, every: int = MEASURE_EVERY, budget: float | None = BUDGET,
                 clock: Callable[[], float] = time.thread_time) -> None:
        if every < 1:
            raise ValueError(f"every must be at least 1. Received: {every}")
        self.model, self.loss, self.every, self.budget, self.clock = model, loss, every, budget, clock
        outputs = output_units(model)
        self.expected = expected_initial_loss(loss, outputs)
        self.classes = None if self.expected is None else max(outputs, 2)
        self._start()

    @classmethod
    def attach(cls, trainer: Trainer, **options) -> HealthMonitor:
        """A monitor of ``trainer``'s model as its first callback: it reads what the step cached
        before another callback (the window's probes) runs the model on other data."""
        monitor = cls(trainer.model, trainer.loss, **options)
        trainer.callbacks.insert(0, monitor)
        return monitor

    def _start(self) -> None:
        self.tracks: list[_Track] = []
        self.steps = _Buffer(np.int64)
        self.global_norms = _Buffer()
        self.lrs = _Buffer()
        self.epochs: list[EpochFigures] = []
        self.initial_loss: float | None = None
        self.divergence = None
        self.step_divergence: StepDivergence | None = None
        self.non_finite: str | None = None
        self.watch = DivergenceWatch(self.expected)
        self.step_watch = DivergenceWatch(self.expected)
        self.recent_losses: deque[float] = deque(maxlen=LOSS_WINDOW)
        self._snapshot: dict[str, np.ndarray] = {}
        self._next_step = 1
        self._snapshot_seconds = 0.0
        self._last_step, self._last_end = 0, self.clock()

    # --- callbacks ------------------------------------------------------------------------------
    def on_run_start(self, info: RunInfo) -> None:
        self._start()
        model = self.model
        for name in model.order:
            layer, spec = model.layers[name], model.specs[name]
            inputs = tuple(spec.inputs)
            if layer.params:
                track = _Track(name, spec.type, "weights", inputs)
                track.keys = [f"{name}/{param}" for param in layer.params]
                self.tracks.append(track)
            elif spec.type in RELU_TYPES:
                self.tracks.append(_Track(name, spec.type, "relu", inputs))
            elif spec.type in SQUASHING_TYPES and name not in model.output_names:
                self.tracks.append(_Track(name, spec.type, "squashing", inputs))
        self._snapshot = {key: np.empty_like(array) for key, array in model.parameters().items()}
        self._take_snapshot()

    def on_batch_end(self, event: BatchEvent) -> None:
        step = event.step
        if step == 1:
            self.initial_loss = event.loss
            self.watch.start(event.loss)
            self.step_watch.start(event.loss)
        if self.step_divergence is None:
            self._watch_losses(event)
        if step == self._next_step:
            started = self.clock()
            self._measure(event)
            self._schedule(step, started)
        if step + 1 == self._next_step:
            self._take_snapshot()

    def on_epoch_end(self, event: EpochEvent) -> None:
        diverged = self.watch.update(event.epoch, event.loss)
        if self.divergence is None:
            self.divergence = diverged
        self.epochs.append(EpochFigures(event.epoch, event.loss, event.val_loss,
                                        event.metrics.get("accuracy"), event.val_metrics.get("accuracy")))

    def on_run_end(self, result: RunResult) -> None:
        if isinstance(result.error, NonFiniteLossError):
            self.non_finite = str(result.error)

    def _watch_losses(self, event: BatchEvent) -> None:
        """The divergence rule (engine/divergence.py) on the median of the last batch losses, at
        every step: a run with thousands of batches per epoch is flagged within a few of them."""
        self.recent_losses.append(event.loss)
        if len(self.recent_losses) < LOSS_WINDOW_MIN:
            return
        diverged = self.step_watch.update(event.epoch, statistics.median(self.recent_losses))
        if diverged is not None:
            self.step_divergence = StepDivergence(event.step, event.epoch, diverged.loss, diverged.best)

    # --- measuring ------------------------------------------------------------------------------
    def _take_snapshot(self) -> None:
        started = self.clock()
        for key, array in self.model.parameters().items():
            np.copyto(self._snapshot[key], array)
        self._snapshot_seconds = self.clock() - started

    def _schedule(self, step: int, started: float) -> None:
        """The next step to measure: ``every`` steps on, or more when measuring would exceed the budget."""
        interval = self.every
        now = self.clock()
        if self.budget is not None:
            step_seconds = (started - self._last_end) / max(1, step - self._last_step)
            cost = now - started + self._snapshot_seconds
            if step_seconds > 0:
                interval = min(MAX_EVERY, max(interval, math.ceil(cost / (self.budget * step_seconds))))
        self._last_step, self._last_end = step, now
        self._next_step = step - step % self.every + interval
    def _measure(self, event: BatchEvent) -> None:
        norms, params, layers = event.grad_norms, self.model.parameters(), self.model.layers
        for track in self.tracks:
            if track.kind == "weights":
                grad = math.sqrt(sum(norms[key] ** 2 for key in track.keys))
                track.values["grad_norm"].append(grad)
                track.values["update_ratio"].append(_update_ratio(track.keys, params, self._snapshot))
            elif track.kind == "relu":
                track.values["dead_fraction"].append(_dead_fraction(track, layers[track.node]._mask))
            else:
                track.values["saturated_fraction"].append(_saturated(track.type, layers[track.node]._y))
        self.steps.append(event.step)
        self.global_norms.append(event.global_norm)
        self.lrs.append(event.lr)

    @property
    def last_measured(self) -> int:
        """The step measured last (0: none yet)."""
        count = self.steps.count
        return int(self.steps.array[count - 1]) if count else 0

    def record(self) -> HealthRecord:
        """What was measured so far; its arrays are views that later measurements do not change."""
        count = self.steps.count
        return HealthRecord(
            steps=self.steps.view(count),
            layers=tuple(track.series(count) for track in self.tracks),
            initial_loss=self.initial_loss,
            expected_initial_loss=self.expected,
            classes=self.classes,
            output_nodes=tuple(self.model.output_names),
            epochs=tuple(self.epochs),
            global_norms=self.global_norms.view(count),
            learning_rates=self.lrs.view(count),
            divergence=self.divergence,
            step_divergence=self.step_divergence,
            non_finite=self.non_finite,
        )


def _update_ratio(keys: list[str], params: dict[str, np.ndarray], before: dict[str, np.ndarray]) -> float:
    """‖w_after − w_before‖ / ‖w_before‖ over all of a layer's parameters (NaN for all-zero weights)."""
    change = weight = 0.0
    for key in keys:
        old = before[key]
        delta = params[key] - old
        change += float(np.vdot(delta, delta))
        weight += float(np.vdot(old, old))
    return math.sqrt(change / weight) if weight > 0 else math.nan


def _dead_fraction(track: _Track, mask: np.ndarray) -> float:
    """The fraction of units positive for no sample of the recent batches (a unit: axis 1)."""
    # over the batch first: that reduction runs on contiguous memory (4x faster than both at once)
    positive = mask.any(axis=0).reshape(mask.shape[1], -1).any(axis=1)
    track.alive.append(positive)
    ever = np.logical_or.reduce(track.alive)
    return 1.0 - float(np.count_nonzero(ever)) / ever.size


def _saturated(type_name: str, output: np.ndarray) -> float:
    """The fraction of activations in the flat ends of a tanh or a sigmoid."""
    if type_name == "Tanh":
        flat = np.abs(output) > TANH_SATURATED
    else:
        flat = np.abs(output - 0.5) > SIGMOID_SATURATED - 0.5
    return float(np.count_nonzero(flat)) / output.size
