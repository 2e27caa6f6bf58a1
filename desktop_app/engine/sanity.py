"""Sanity checks before a long run, from Karpathy's "A Recipe for Training Neural Networks".

- Loss at initialization: an untrained classifier should start near ln C (``initial_loss.py``);
  far above it, the output layer starts over-confident and the first steps are wasted.
- Overfit one small batch: with regularization off, the network must drive the loss on a
  handful of samples to near zero. One that cannot has a broken forward, backward, loss or
  optimizer, or far too little capacity; no amount of data or epochs will fix that.

Both work on copies: the caller's model and optimizer are left exactly as they were.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .fit_data import checked_arrays
from .graph import Model
from .health.rules import INITIAL_LOSS_EXCESS  # the health rule's margin: one verdict, two places
from .initial_loss import expected_initial_loss, output_units
from .layers.dropout import Dropout
from .loss import Loss
from .optimizer import Optimizer

# Samples the loss at initialization is measured on (all of them when there are fewer).
INITIAL_LOSS_SAMPLES = 512

# Karpathy overfits "a single batch of only a few examples"; the issue asks for about 20.
OVERFIT_SAMPLES = 20
OVERFIT_MAX_STEPS = 500
# "Near zero": the loss has fallen to this fraction of where it started on those samples.
NEAR_ZERO_FRACTION = 0.01


@dataclass(frozen=True)
class InitialLossCheck:
    """The mean loss of the untrained model and what it should be (None: no expectation)."""

    measured: float
    expected: float | None
    samples: int

    @property
    def ok(self) -> bool:
        return self.expected is None or self.measured <= self.expected + INITIAL_LOSS_EXCESS


@dataclass(frozen=True)
class OverfitCheck:
    """The loss on a few samples before and after up to OVERFIT_MAX_STEPS full-batch steps."""

    samples: int
    steps: int
    initial_loss: float
    # The last finite loss; ``diverged`` says the loss turned NaN or infinite after it.
    final_loss: float
    diverged: bool = False

    @property
    def ok(self) -> bool:
        return not self.diverged and self.final_loss <= NEAR_ZERO_FRACTION * self.initial_loss


def check_initial_loss(model: Model, loss: Loss, x: np.ndarray, y: np.ndarray) -> InitialLossCheck:
    """The model's loss on the first INITIAL_LOSS_SAMPLES samples, in inference mode."""
    x, y = checked_arrays(model, loss, x[:INITIAL_LOSS_SAMPLES], y[:INITIAL_LOSS_SAMPLES], "training data")
    measured = float(loss.forward(copy.deepcopy(model).forward(x, training=False), y))
    return InitialLossCheck(measured, expected_initial_loss(loss, output_units(model)), len(x))


def overfit_small_batch(
    model: Model,
    loss: Loss,
    optimizer: Optimizer,
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> OverfitCheck:
    """Train copies of ``model`` and ``optimizer`` on OVERFIT_SAMPLES samples drawn with ``seed``,
    with weight decay and dropout off, until the loss is near zero or the steps run out."""
    chosen = np.random.default_rng(seed).permutation(len(x))[:OVERFIT_SAMPLES]
    x, y = checked_arrays(model, loss, x[chosen], y[chosen], "training data")
    model, optimizer = copy.deepcopy(model), copy.deepcopy(optimizer)
    _regularization_off(model, optimizer)
    params, rate = model.parameters(), float(optimizer.config["learning_rate"])
    initial = value = float(loss.forward(model.forward(x, training=True), y))
    steps = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while steps < OVERFIT_MAX_STEPS and value > NEAR_ZERO_FRACTION * initial:
            if should_stop is not None and should_stop():
                break
            model.backward(loss.backward())
            optimizer.step(params, model.gradients(), rate)
            steps += 1
            latest = float(loss.forward(model.forward(x, training=True), y))
            if not math.isfinite(latest):
                return OverfitCheck(len(x), steps, initial, value, diverged=True)
            value = latest
    return OverfitCheck(len(x), steps, initial, value)


def _regularization_off(model: Model, optimizer: Optimizer) -> None:
    optimizer.config["weight_decay"] = 0.0
    for layer in model.layers.values():
        if isinstance(layer, Dropout):
            layer.config["rate"] = 0.0
