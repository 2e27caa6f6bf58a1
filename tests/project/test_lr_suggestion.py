"""The range test's suggestion is a good rate: training the digits examples at it (their own
epochs and seed) ends within 1.5x of the best validation loss over a grid of rates from 1e-4 to 1.
The trial that chose the rule, over more seeds, is ``benchmarks/lr_suggestion.py``."""

from __future__ import annotations

import pytest

from desktop_app.engine.errors import NonFiniteLossError
from desktop_app.plugin_system import current_registry
from desktop_app.project import RunOverrides, build_run, example_path, load_project
from desktop_app.project.checks import range_test

GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
WITHIN = 1.5


def final_val_loss(project, rate: float | None = None) -> float:
    """The validation loss at the end of a run of ``project`` (its own epochs and seed) at ``rate``;
    a run whose loss turns non-finite counts as infinitely bad."""
    run = build_run(project, RunOverrides(learning_rate=rate), registry=current_registry())
    try:
        run.fit()
    except NonFiniteLossError:
        return float("inf")
    return run.trainer.evaluate(run.data.x_val, run.data.y_val)["loss"]


@pytest.mark.slow
@pytest.mark.parametrize("example", ["digits_mlp", "digits_cnn"])
def test_training_at_the_suggestion_is_near_the_best_rate_of_a_grid(example):
    project = load_project(example_path(example))
    suggestion = range_test(build_run(project, registry=current_registry())).suggestion
    assert suggestion is not None
    best = min(final_val_loss(project, rate) for rate in GRID)
    assert final_val_loss(project, suggestion) <= WITHIN * best, (suggestion, best)
