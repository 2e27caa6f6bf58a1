"""Where a step-through starts: the weights on hand (a paused run's, the last run's, or the seed's)
and the batch the next training step would take.

A paused run is read only while its thread is parked between two batches, and only copied (the
recorder deep-copies the model and the optimizer). With no run on, the step is the first one of
the run Train would start now: the last run resumed, a new run from its weights when the settings
changed, or fresh weights. The next batch is drawn again from the run's seed (``batch_rows``):
the one after the paused run's last batch (the next epoch's first after an epoch's last), else
the first batch of the next run's first epoch (a run shuffles from its seed every time it starts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...engine.fit_data import batch_rows
from ...engine.step_trace import StepTrace, trace_step
from ...project.run import Run
from ..training.controller import TrainingController

PARK_TIMEOUT = 5.0  # seconds to wait for a paused run to reach the end of its batch
# Where the weights of the run Train would start come from, by how it would start.
ORIGINS = {
    "resume": "the last run's weights and optimizer state",
    "continue": "the last run's weights (the settings changed: a fresh optimizer)",
    "fresh": "fresh weights from the project's seed",
}


class SourceError(ValueError):
    """No step can be shown now (a run is on, bad sample numbers): the message says why."""


@dataclass(frozen=True)
class StepSource:
    """A run whose current weights and optimizer state the step starts from, and its position."""

    run: Run
    origin: str
    # the next batch: its epoch and its number in the epoch (from 1), and the step count before it
    epoch: int
    batch: int
    step: int

    @property
    def sample_count(self) -> int:
        return len(self.run.data.x_train)

    def next_batch_rows(self) -> np.ndarray:
        kwargs = self.run.fit_kwargs
        return batch_rows(self.sample_count, kwargs["batch_size"], kwargs["shuffle"], kwargs["seed"],
                          self.epoch, self.batch)

    def learning_rate(self) -> float:
        """The rate the schedule gives the next step (the optimizer's rate scaled)."""
        kwargs = self.run.fit_kwargs
        per_epoch = -(-self.sample_count // kwargs["batch_size"])
        base = float(self.run.optimizer.config["learning_rate"])
        return float(self.run.schedule.rate(base, self.step, per_epoch, kwargs["epochs"] * per_epoch))

    def trace(self, rows: Sequence[int]) -> StepTrace:
        """Record the training step on the training samples ``rows`` (the run is left as it is)."""
        rows = np.asarray(rows, dtype=np.intp)
        data = self.run.data
        return trace_step(self.run.model, self.run.loss, self.run.optimizer, data.x_train[rows],
                          data.y_train[rows], self.learning_rate())


def current_source(controller: TrainingController) -> StepSource:
    """The weights to step from now; SourceError while a run trains (pause it first)."""
    if controller.state in ("running", "stopping"):
        raise SourceError("a run is training: pause it (or stop it) to step through a batch")
    if controller.state == "paused":
        return _paused(controller)
    how, run = controller.next_run()
    return StepSource(run, ORIGINS[how], 1, 1, 0)


def _paused(controller: TrainingController) -> StepSource:
    if not controller.control.wait_until_paused(PARK_TIMEOUT):
        raise SourceError("the paused run has not finished its batch yet: try again in a moment")
    run, latest = controller.bridge.run, controller.bridge.latest_batch
    if run is None:
        raise SourceError("the paused run is still being prepared: try again in a moment")
    if latest is None:
        return StepSource(run, "the paused run's weights", 1, 1, 0)
    if latest.batch < latest.batches_per_epoch:
        epoch, batch = latest.epoch, latest.batch + 1
    else:
        epoch, batch = latest.epoch + 1, 1
    return StepSource(run, "the paused run's weights", epoch, batch, latest.step)


def parse_rows(text: str, count: int) -> list[int]:
    """Sample numbers typed as "3, 17, 40-45" (training samples, from 0); SourceError naming the
    first bad one."""
    rows: list[int] = []
    for part in (piece.strip() for piece in text.replace(";", ",").split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high) if high else int(low)
        except ValueError:
            raise SourceError(f"'{part}' is not a sample number or a range like 40-45") from None
        if not 0 <= first <= last < count:
            raise SourceError(f"sample '{part}' is out of range: the training set has samples 0 to "
                              f"{count - 1}")
        rows.extend(range(first, last + 1))
    if not rows:
        raise SourceError("type the numbers of the samples to step through, e.g. 0, 5, 10-15")
    return rows
