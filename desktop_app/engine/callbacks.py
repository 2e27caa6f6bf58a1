"""What a training run reports, and to whom: the callback protocol, its events and the History.

A callback is any object with some of these methods, all optional::

    on_run_start(info: RunInfo)        once, after the data was checked, before the first batch
    on_batch_end(event: BatchEvent)    after every optimizer step
    on_epoch_end(event: EpochEvent)    after every completed epoch (validation included)
    on_run_end(result: RunResult)      once, however the run ended (also after an error)

They are called on the thread that runs ``Trainer.fit`` (a GUI must hand events to its own thread,
e.g. through queued signals) and they should return quickly: ``on_batch_end`` runs thousands of
times a second on small networks. An exception raised by a callback ends the run as an error.
Epochs and batches are numbered from 1; ``step`` counts optimizer steps since the run started.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .divergence import Divergence

StopReason = Literal["completed", "stopped", "early_stopping", "error"]
CALLBACK_METHODS = ("on_run_start", "on_batch_end", "on_epoch_end", "on_run_end")


class Callback:
    """A convenience base with every method of the protocol doing nothing; subclassing is optional."""

    def on_run_start(self, info: RunInfo) -> None:
        """The run is about to start."""

    def on_batch_end(self, event: BatchEvent) -> None:
        """One optimizer step was taken."""

    def on_epoch_end(self, event: EpochEvent) -> None:
        """An epoch finished and was evaluated on the validation data."""

    def on_run_end(self, result: RunResult) -> None:
        """The run ended (completed, stopped, stopped early, or failed with ``result.error``)."""


@dataclass(frozen=True)
class RunInfo:
    epochs: int
    batch_size: int
    batches_per_epoch: int
    total_steps: int
    train_samples: int
    validation_samples: int
    # Parameter keys "node/param", in the order gradient norms are reported.
    parameter_keys: tuple[str, ...]
    metric_names: tuple[str, ...]
    seed: int


@dataclass(slots=True)
class BatchEvent:
    """One optimizer step. Read-only by convention (not frozen: freezing costs time on every batch,
    the trainer's hot path)."""

    epoch: int
    batch: int
    batches_per_epoch: int
    step: int
    loss: float
    lr: float
    # L2 norm of the gradient of every parameter, keyed "node/param" (before clipping).
    grad_norms: dict[str, float]
    global_norm: float
    samples_seen: int


@dataclass(frozen=True)
class EpochEvent:
    epoch: int
    epochs: int
    loss: float
    metrics: dict[str, float]
    # None when the run has no validation data.
    val_loss: float | None
    val_metrics: dict[str, float]
    # The learning rate of the epoch's last step.
    lr: float
    # Wall time of the epoch (training and validation, pauses excluded) and training throughput.
    seconds: float
    samples_per_second: float

    @property
    def logs(self) -> dict[str, float]:
        """Flat values by name: loss, each metric, val_loss, val_<metric>, lr (what monitors use)."""
        logs = {"loss": self.loss, **self.metrics}
        if self.val_loss is not None:
            logs["val_loss"] = self.val_loss
            logs.update({f"val_{name}": value for name, value in self.val_metrics.items()})
        logs["lr"] = self.lr
        return logs


@dataclass
class History:
    """Every completed epoch of a run, how the run ended, early stopping's best epoch, and the
    epoch where the loss diverged (see divergence.py), if it did."""

    epochs: list[EpochEvent] = field(default_factory=list)
    reason: StopReason | None = None
    best_epoch: int | None = None
    divergence: Divergence | None = None

    def series(self, name: str) -> list[float]:
        """One logged value per epoch (``loss``, ``val_accuracy``, ``lr``, ...); KeyError if unknown."""
        if self.epochs and name not in self.epochs[0].logs:
            raise KeyError(f"no '{name}' in the history. Expected one of: {sorted(self.epochs[0].logs)}")
        return [event.logs[name] for event in self.epochs]

    def columns(self) -> dict[str, list[float]]:
        """The history as columns: epoch, each logged value, seconds, samples_per_second (for CSV)."""
        if not self.epochs:
            return {}
        out: dict[str, list[Any]] = {"epoch": [event.epoch for event in self.epochs]}
        for name in self.epochs[0].logs:
            out[name] = self.series(name)
        out["seconds"] = [event.seconds for event in self.epochs]
        out["samples_per_second"] = [event.samples_per_second for event in self.epochs]
        return out


@dataclass(frozen=True)
class RunResult:
    reason: StopReason
    history: History
    # The exception that ended the run when ``reason`` is "error" (fit raises it after on_run_end).
    error: BaseException | None = None
