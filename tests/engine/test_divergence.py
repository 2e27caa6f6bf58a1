"""Divergence: a run whose loss rose far above its best is flagged in its History; one that learns,
or has a spike well below where it started, is not."""

from __future__ import annotations

import pytest

from desktop_app.engine.divergence import FACTOR, DivergenceWatch
from desktop_app.plugin_system import current_registry
from desktop_app.project import RunOverrides, build_run, example_path, load_project


def first_divergence(first_batch: float, epoch_losses: list[float], untrained: float | None = None):
    watch = DivergenceWatch(untrained)
    watch.start(first_batch)
    flagged = [watch.update(epoch, loss) for epoch, loss in enumerate(epoch_losses, start=1)]
    return next((divergence for divergence in flagged if divergence is not None), None)


def test_the_rule():
    assert first_divergence(0.7, [0.5, 0.3, 0.2, 0.1]) is None  # learning
    assert first_divergence(0.7, [0.01, 0.001, 0.02]) is None  # a spike, still far below the start
    assert first_divergence(0.7, [0.75, 0.72]) is None  # no progress, no blow-up
    diverged = first_divergence(0.7, [0.5, 0.3, 4.0, 1e6])
    assert (diverged.epoch, diverged.loss, diverged.best) == (3, 4.0, 0.3)
    assert first_divergence(1.0, [2e19]).epoch == 1  # in the very first epoch: against the first batch
    assert first_divergence(1.0, [FACTOR * 1.0]) is None  # not more than FACTOR times
    # continued from trained weights: a classifier must lose more than an untrained one (ln C) has
    assert first_divergence(0.004, [0.003, 0.055], untrained=0.69) is None
    assert first_divergence(0.004, [0.003, 0.7], untrained=0.69).loss == 0.7
    assert first_divergence(20.0, [21.0, 1e4], untrained=0.69).epoch == 2  # the first batch is higher


@pytest.mark.parametrize(("lr", "diverges"), [(1e6, True), (None, False)])
def test_a_run_records_where_it_diverged(lr, diverges):
    project = load_project(example_path("spiral_mlp"))
    run = build_run(project, RunOverrides(epochs=3, learning_rate=lr), registry=current_registry())
    history = run.fit()
    assert history.reason == "completed"
    if diverges:
        assert history.divergence.epoch == 1 and history.divergence.loss == history.epochs[0].loss
        assert "diverged at epoch 1" in history.divergence.describe()
    else:
        assert history.divergence is None
