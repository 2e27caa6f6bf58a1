"""Divergence: a run whose loss climbed far above the best it had reached, while staying finite.

The rule, checked after every epoch: the epoch's mean training loss is more than ``FACTOR``
times the lowest loss the run has seen so far (the first batch's loss, i.e. the untrained
model's, or an earlier epoch's mean) and higher than the first batch's loss. The second half
keeps a spike in a well-trained run (best 0.001, then 0.02) from counting: a diverged run has
lost all it learned. For a classifier the bar is at least the untrained loss ln C
(engine/initial_loss.py): a run continued from trained weights starts far below it, and its
first batch's loss is no measure of having lost everything (the shipped XOR example, trained
again, was flagged at 0.05 against a first batch of 0.004). The run goes on (a NaN or infinite
loss still stops it); the first epoch that meets the rule is recorded in ``History.divergence``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FACTOR = 10.0


@dataclass(frozen=True)
class Divergence:
    """The first epoch whose loss met the rule, that loss, and the lowest loss before it."""

    epoch: int
    loss: float
    best: float

    def describe(self) -> str:
        return (f"the loss diverged at epoch {self.epoch}: {self.loss:.4g}, over {FACTOR:g} times the "
                f"best so far ({self.best:.4g}); try a lower learning rate")


class DivergenceWatch:
    """Follows one run's losses; ``update`` returns the Divergence once the rule is met.
    ``untrained`` is a classifier's untrained loss (None for other tasks)."""

    def __init__(self, untrained: float | None = None) -> None:
        self.untrained = untrained
        self.first: float | None = None
        self.best = math.inf

    def start(self, first_batch_loss: float) -> None:
        self.best = first_batch_loss
        self.first = max(first_batch_loss, self.untrained) if self.untrained is not None else first_batch_loss

    def update(self, epoch: int, loss: float) -> Divergence | None:
        best = self.best
        self.best = min(best, loss)
        if self.first is not None and loss > self.first and loss > FACTOR * best:
            return Divergence(epoch, loss, best)
        return None
