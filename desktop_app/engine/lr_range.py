"""The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural Networks"):
train a few batches while the learning rate grows exponentially, and read a good rate off the loss.

The sweep is torch-lr-finder's: from ``START_RATE`` to ``END_RATE`` over ``STEPS`` optimizer
steps, one mini-batch each, the loss smoothed exponentially with ``SMOOTHING`` (the new loss's
share), stopped once the smoothed loss exceeds ``DIVERGE_FACTOR`` times its best (or turns
non-finite). The project's schedule is not used: the sweep's rate replaces it.

The suggestion is fastai's "valley" (``suggest_rate``): the middle of the longest stretch over
which the smoothed loss keeps falling. docs/checks.md gives the trial on the digits examples that
chose it over torch-lr-finder's steepest descent and over a tenth of the rate at the minimum.

The test trains copies of the model and the optimizer, so the caller's weights, BatchNorm
statistics, Dropout streams and optimizer moments are exactly as they were, whatever happens.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .fit_data import EpochOrder, checked_arrays
from .graph import Model
from .loss import Loss
from .optimizer import Optimizer

START_RATE = 1e-7
END_RATE = 10.0
STEPS = 100
SMOOTHING = 0.05
DIVERGE_FACTOR = 5.0
# Fewer recorded steps than this carry no usable curve: no suggestion.
MIN_POINTS = 10


@dataclass(frozen=True)
class RangeTest:
    """One sweep: the rate, raw batch loss and smoothed loss of every step taken (all finite: a
    step whose loss is NaN or infinite ends the sweep without a point)."""

    rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    # True when the sweep ended because the smoothed loss ran away or a loss was NaN or infinite.
    diverged: bool
    # None when the curve is too short to read (fewer than MIN_POINTS steps).
    suggestion: float | None

    @property
    def minimum_rate(self) -> float | None:
        """The rate at the smoothed curve's lowest point."""
        return float(self.rates[int(np.argmin(self.smoothed))]) if len(self.smoothed) else None


def sweep_rates(start: float = START_RATE, end: float = END_RATE, steps: int = STEPS) -> np.ndarray:
    """The exponential sweep: ``steps`` rates from ``start`` to ``end``, evenly spaced in log scale."""
    if not (0 < start < end and math.isfinite(end)):
        raise ConfigError(f"the sweep needs 0 < start < end, both finite. Received: {start!r}, {end!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ConfigError(f"the sweep needs at least 2 steps. Received: {steps!r}")
    return np.geomspace(start, end, steps)


def suggest_rate(rates: np.ndarray, smoothed: np.ndarray) -> float | None:
    """fastai's valley rule; None for a curve too short to read (fewer than MIN_POINTS points).

    The valley is the longest decreasing subsequence of the smoothed loss, taken from its last
    point back by its length; the suggestion lies half-way along it, where the loss still falls
    steadily but far below the rates where it starts to turn up.
    """
    if len(smoothed) < MIN_POINTS:
        return None
    start, end = longest_valley(smoothed)
    third = (end - start) / 3
    return float(rates[start + int(third) + int(third / 2)])


def longest_valley(values: np.ndarray) -> tuple[int, int]:
    """(start, end) indices of the longest decreasing run of ``values``, as fastai measures it: the
    last point of the longest strictly decreasing subsequence, and that point minus its length."""
    lengths = [1] * len(values)
    end = 0
    for i in range(1, len(values)):
        for j in range(i):
            if values[i] < values[j] and lengths[i] < lengths[j] + 1:
                lengths[i] = lengths[j] + 1
        if lengths[i] > lengths[end]:
            end = i
    return max(0, end - lengths[end]), end


def lr_range_test(
    model: Model,
    loss: Loss,
    optimizer: Optimizer,
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int,
    seed: int = 0,
    rates: np.ndarray | None = None,
    on_step: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RangeTest:
    """Sweep ``rates`` (default ``sweep_rates()``) on copies of ``model`` and ``optimizer``.

    Batches are drawn from ``(x, y)`` in an order shuffled from ``seed``. ``on_step(done, total)``
    reports progress; ``should_stop()`` ends the sweep early (the curve so far is returned).
    """
    rates = sweep_rates() if rates is None else np.asarray(rates, dtype=np.float64)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a whole number >= 1. Received: {batch_size!r}")
    x, y = checked_arrays(model, loss, x, y, "training data")
    model, optimizer = copy.deepcopy(model), copy.deepcopy(optimizer)
    order = EpochOrder(x, y, True, np.random.default_rng(seed), batch_size)
    batches = _batches(order, len(x), batch_size)
    params = model.parameters()
    losses: list[float] = []
    smoothed: list[float] = []
    best, diverged = math.inf, False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step, rate in enumerate(rates):
            if should_stop is not None and should_stop():
                break
            inputs, targets = next(batches)
            value = float(loss.forward(model.forward(inputs, training=True), targets))
            if not math.isfinite(value):
                diverged = True
                break
            average = value if not smoothed else SMOOTHING * value + (1 - SMOOTHING) * smoothed[-1]
            losses.append(value)
            smoothed.append(average)
            if on_step is not None:
                on_step(step + 1, len(rates))
            if average > DIVERGE_FACTOR * best:
                diverged = True
                break
            best = min(best, average)
            model.backward(loss.backward())
            optimizer.step(params, model.gradients(), float(rate))
    taken = rates[: len(losses)]
    curve = np.asarray(smoothed)
    return RangeTest(taken, np.asarray(losses), curve, diverged, suggest_rate(taken, curve))


def _batches(order: EpochOrder, samples: int, batch_size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless (inputs, targets) mini-batches, reshuffled every epoch."""
    while True:
        ys = order.next_epoch()
        for start in range(0, samples, batch_size):
            stop = min(start + batch_size, samples)
            yield order.batch(start, stop), ys[start:stop]
