"""The health monitor's findings, from the training thread to the window, a few times a second.

``HealthFeed.watch(run)`` (on the training thread, before ``fit``) gives the run a fresh
HealthMonitor as its first callback and joins its callbacks after it. After a measured step, at
most every ``interval`` seconds, and after each epoch and at the end of the run, it takes the
monitor's record, runs the rules on it there (a few microseconds per layer) and emits both; and
at once when the monitor finds the loss diverging between two measurements (a tiny network is
measured every hundred steps or so: the warning must not wait for the next).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from ...engine.callbacks import BatchEvent, EpochEvent, RunInfo, RunResult
from ...engine.health import HealthMonitor, HealthRecord, Hint, diagnose
from ...engine.health.record import StepDivergence
from ...project.run import Run
from ..training.clock import Clock, monotonic

INTERVAL = 0.25  # seconds between two updates during a run, at least


@dataclass(frozen=True)
class HealthUpdate:
    record: HealthRecord
    hints: tuple[Hint, ...]
    # the run ended: these are its final findings
    final: bool = False


class HealthFeed(QObject):
    """An engine callback that emits ``updated(HealthUpdate)``; ``clock`` is the training part's
    (see training/clock.py)."""

    # the latest record and hints of the run being trained (queued to the GUI thread)
    updated = Signal(object)

    def __init__(self, interval: float = INTERVAL, clock: Clock = monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval, self.clock = interval, clock
        self.monitor: HealthMonitor | None = None
        self._next = 0.0
        self._told: StepDivergence | None = None  # the step divergence the last update carried

    def watch(self, run: Run) -> None:
        """Measure ``run`` (a resumed run drops the monitor of its previous part)."""
        kept = [c for c in run.trainer.callbacks if c is not self and not isinstance(c, HealthMonitor)]
        run.trainer.callbacks = kept
        self.monitor = HealthMonitor.attach(run.trainer)
        run.trainer.callbacks.append(self)

    # --- engine callbacks (training thread) ----------------------------------------------------
    def on_run_start(self, info: RunInfo) -> None:
        self._next = self.clock() + self.interval
        self._told = None

    def on_batch_end(self, event: BatchEvent) -> None:
        monitor = self.monitor
        if monitor is None:
            return
        measured = monitor.last_measured == event.step
        if monitor.step_divergence is not self._told or (measured and self.clock() >= self._next):
            self._emit(False)

    def on_epoch_end(self, event: EpochEvent) -> None:
        self._emit(False)

    def on_run_end(self, result: RunResult) -> None:
        self._emit(True)

    def _emit(self, final: bool) -> None:
        if self.monitor is None:
            return
        record = self.monitor.record()
        self._told = record.step_divergence
        self.updated.emit(HealthUpdate(record, tuple(diagnose(record)), final))
        self._next = self.clock() + self.interval
