"""The checks before a long run, on a project's prepared run: the same data, batch size and seed
the window and the CLI would train with (``engine.lr_range``, ``engine.sanity``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine.lr_range import RangeTest, lr_range_test
from ..engine.sanity import InitialLossCheck, OverfitCheck, check_initial_loss, overfit_small_batch
from .run import Run


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
