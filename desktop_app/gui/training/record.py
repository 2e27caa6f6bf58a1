"""What the plots draw: every batch and epoch since the weights were last reset, in growing buffers.

A run resumed from kept weights continues the curves where the previous one stopped: the x axis
counts epochs trained, so batch ``s`` of a run that started after ``e`` epochs sits at
``e + s / batches_per_epoch``. The record lives on the GUI thread and is fed from the bridge's
signals; plots read views of its buffers (no copies) and redraw when ``version`` changed.
"""

from __future__ import annotations

import csv
import dataclasses
import io

import numpy as np

from ...engine.callbacks import EpochEvent, History
from ...project.history import history_csv
from .bridge import Progress, RunStarted
from .probes import DataPoints, Snapshot


class GrowingColumns:
    """Rows appended in blocks to a preallocated array that doubles when full, with each column's
    lowest and highest value so far (NaN skipped): plots fit their ranges to those every frame,
    without going over every row again."""

    def __init__(self, width: int, capacity: int = 1024) -> None:
        self._data = np.empty((capacity, width), dtype=np.float64)
        self._size = 0
        self.low = np.full(width, np.inf)
        self.high = np.full(width, -np.inf)

    def extend(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, self._data.shape[1])
        needed = self._size + len(rows)
        if needed > len(self._data):
            grown = np.empty((max(needed, 2 * len(self._data)), self._data.shape[1]), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size:needed] = rows
        self._size = needed
        if len(rows):
            np.fmin(self.low, np.fmin.reduce(rows, axis=0), out=self.low)
            np.fmax(self.high, np.fmax.reduce(rows, axis=0), out=self.high)

    def extent(self, column: int | slice = slice(None)) -> tuple[float, float]:
        """The lowest and highest value so far in ``column`` (all columns: every one); (inf, -inf)
        before the first value."""
        low = np.min(self.low[column], initial=np.inf)
        return float(low), float(np.max(self.high[column], initial=-np.inf))

    def view(self) -> np.ndarray:
        """The rows so far (a view: valid until the next ``extend``)."""
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size


class TrainingRecord:
    """The series of the runs since the last reset; ``version`` counts changes."""

    def __init__(self) -> None:
        self.version = 0
        # counts changes of ``epochs`` alone (per-epoch curves redraw only then)
        self.epochs_version = 0
        # counts ``clear`` calls: between two, the per-batch series only grow at their end
        self.generation = 0
        self.clear()

    def clear(self) -> None:
        """Forget every series (fresh weights start fresh curves)."""
        self.started: RunStarted | None = None
        self.layers: tuple[str, ...] = ()
        # columns: x (epochs trained), loss, learning rate
        self.batches = GrowingColumns(3)
        # one column per layer: its gradient norm at each batch
        self.norms = GrowingColumns(0)
        # (x, event) per completed epoch, numbered across the runs
        self.epochs: list[tuple[float, EpochEvent]] = []
        # logged value -> (x, value) of each epoch that has it, grown as epochs arrive: per-epoch
        # curves read their series without going over every epoch again
        self._epoch_series: dict[str, tuple[list[float], list[float]]] = {}
        self.snapshot: Snapshot | None = None
        self.latest: Progress | None = None
        # every value in ``batches`` and ``norms`` is finite (the curves then skip their own checks)
        self.batches_finite = True
        self._offset = 0.0
        self.epochs_before = 0
        self.epochs_version += 1
        self.generation += 1
        self._bump()

    def _bump(self) -> None:
        self.version += 1

    @property
    def points(self) -> DataPoints | None:
        return self.started.points if self.started else None

    @property
    def epochs_trained(self) -> float:
        """The x reached so far: whole and partial epochs of every run."""
        batches = self.batches.view()
        return float(batches[-1, 0]) if len(batches) else 0.0

    @property
    def epochs_planned(self) -> float:
        """Where the current run will end on the x axis if it runs to the end."""
        return self._offset + (self.started.info.epochs if self.started else 0)

    def begin(self, started: RunStarted) -> None:
        """A run starts where the record ends; other layers or other logged values start over."""
        if _columns(started) != _columns(self.started):
            self.clear()
            self.layers = started.layers
            self.norms = GrowingColumns(len(started.layers))
        self._offset = self.epochs_trained
        # the epochs of the runs this one continues (the status numbers epochs as the axis does)
        self.epochs_before = len(self.epochs)
        self.started = started
        self.latest = None
        self._bump()

    def add(self, progress: Progress) -> None:
        assert self.started is not None, "begin() must come first"
        per_epoch = self.started.info.batches_per_epoch
        x = self._offset + progress.steps / per_epoch
        rows = np.column_stack([x, progress.losses, progress.lrs])
        self.batches.extend(rows)
        self.norms.extend(progress.layer_norms)
        self.batches_finite = bool(self.batches_finite and np.isfinite(rows).all()
                                   and np.isfinite(progress.layer_norms).all())
        for event in progress.epochs:
            numbered = dataclasses.replace(event, epoch=len(self.epochs) + 1)
            x = self._offset + event.epoch
            self.epochs.append((x, numbered))
            for name, value in numbered.logs.items():
                xs, values = self._epoch_series.setdefault(name, ([], []))
                xs.append(x)
                values.append(value)
        if progress.epochs:
            self.epochs_version += 1
        if progress.snapshot is not None:
            self.snapshot = progress.snapshot.over(self.snapshot)
        self.latest = progress
        self._bump()

    def epoch_series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, values) of one logged value (``loss``, ``val_accuracy``, ...) over the epochs that have it."""
        xs, values = self._epoch_series.get(name, ((), ()))
        return np.asarray(xs, dtype=np.float64), np.asarray(values, dtype=np.float64)

    # --- CSV ---------------------------------------------------------------------------------------
    def batches_csv(self) -> str:
        """One row per batch: epochs trained, loss, learning rate, each layer's gradient norm."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["epoch", "loss", "lr", *(f"grad_norm/{name}" for name in self.layers)])
        writer.writerows(np.column_stack([self.batches.view(), self.norms.view()]).tolist())
        return buffer.getvalue()

    def epochs_csv(self) -> str:
        """One row per epoch, numbered across the runs (the CLI's history.csv format)."""
        return history_csv(History([event for _, event in self.epochs]))


def _columns(started: RunStarted | None) -> tuple[object, ...]:
    """What must stay the same for a run's curves to continue the previous run's."""
    if started is None:
        return ()
    return started.layers, started.metric_names, started.info.validation_samples > 0
