"""The checks before a long run, on a project's prepared run: the same data, batch size and seed
the window and the CLI would train with (``engine.lr_range``, ``engine.sanity``), and their
verdicts in the words both show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine.lr_range import DIVERGE_FACTOR, RangeTest, lr_range_test
from ..engine.sanity import (
    INITIAL_LOSS_EXCESS,
    NEAR_ZERO_FRACTION,
    InitialLossCheck,
    OverfitCheck,
    check_initial_loss,
    overfit_small_batch,
)
from .run import Run

SUGGESTION_RULE = "half-way down the longest fall of the smoothed loss"


@dataclass(frozen=True)
class SanityReport:
    initial_loss: InitialLossCheck
    overfit: OverfitCheck

    @property
    def ok(self) -> bool:
        return self.initial_loss.ok and self.overfit.ok


def range_test(run: Run, *, on_step: Callable[[int, int], None] | None = None,
               should_stop: Callable[[], bool] | None = None) -> RangeTest:
    """The learning-rate range test on ``run``'s training data, model and optimizer (left untouched)."""
    return lr_range_test(run.model, run.loss, run.optimizer, run.data.x_train, run.data.y_train,
                         batch_size=run.fit_kwargs["batch_size"], seed=run.fit_kwargs["seed"],
                         on_step=on_step, should_stop=should_stop)


def sanity_checks(run: Run, *, should_stop: Callable[[], bool] | None = None) -> SanityReport:
    """Loss at initialization and overfitting one small batch, on ``run``'s training data."""
    x, y = run.data.x_train, run.data.y_train
    return SanityReport(
        check_initial_loss(run.model, run.loss, x, y),
        overfit_small_batch(run.model, run.loss, run.optimizer, x, y, seed=run.fit_kwargs["seed"],
                            should_stop=should_stop),
    )


def initial_loss_line(check: InitialLossCheck) -> str:
    """The loss at initialization and its verdict, in one line."""
    measured = f"loss at initialization {check.measured:.4g} on {check.samples} samples"
    if check.expected is None:
        return f"{measured}: no expected value for this loss (only classifiers start near ln C)"
    if check.ok:
        return f"{measured}: ok, expected about {check.expected:.4g} (ln C)"
    return (f"{measured}: FAILED, more than {INITIAL_LOSS_EXCESS:.3g} above the expected "
            f"{check.expected:.4g} (ln C): the output layer starts over-confident (too large an "
            "initialization or unscaled inputs)")


def overfit_line(check: OverfitCheck) -> str:
    """The small-batch result and its verdict, in one line."""
    start = f"overfit {check.samples} samples: loss {check.initial_loss:.4g} -> {check.final_loss:.4g}"
    if check.diverged:
        return (f"{start}, then NaN or infinite after {check.steps} steps: FAILED (the learning rate is "
                "far too high, or the loss or a layer is broken)")
    if check.ok:
        return f"{start} in {check.steps} steps: ok, near zero"
    return (f"{start} in {check.steps} steps: FAILED, not near zero (under {NEAR_ZERO_FRACTION:.0%} of the "
            "start): a broken layer, loss or optimizer, or too little capacity or learning rate")


def range_summary(test: RangeTest, run: Run) -> str:
    """How far the sweep went and why it ended, and where the smoothed loss was lowest."""
    ending = (f"stopped when the smoothed loss passed {DIVERGE_FACTOR:g}x its best" if test.diverged
              else "the whole sweep")
    optimizer, batch_size = run.optimizer.kind_name(), run.fit_kwargs["batch_size"]
    lines = [f"learning-rate range test ({optimizer}, batch {batch_size}): {len(test.rates)} steps from "
             f"{test.rates[0]:.3g} to {test.rates[-1]:.3g}, {ending}"]
    if test.minimum_rate is not None:
        lines.append(f"lowest smoothed loss {test.smoothed.min():.4g} at {test.minimum_rate:.3g}")
    return "\n".join(lines)
